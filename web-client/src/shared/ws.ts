// The WebSocket client (docs/PROTOCOL.md §2-6).
//
// - Sends `hello` with the token first; reports `welcome`.
// - After an unexpected drop it reconnects with the same token, with
//   back-off, for up to the server's resume grace: the server then restores
//   the queue place and the conversations (re-announced by
//   `conversation_started` with the same conversation_id, perhaps a new
//   channel). Control frames sent while disconnected wait in a bounded outbox
//   and go out after the next `welcome`; relay frames are refused (see
//   sendRelay).
// - Binary frames are relay frames: version 1, kind 1, channel (u16 BE), payload.
// - Text frames become typed ServerFrames (protocol.ts); others are ignored.
//
// Every page uses this one client. The GP and listener pages take the
// defaults; the administrator's dashboard (admin/live.ts) passes its own
// back-off, retries for as long as it is open (no resume grace) and is told
// of each attempt and each wait so it can show a countdown.

import { type ClientFrame, type Limits, type ServerFrame, decodeServerFrame } from './protocol';

export type ConnState = 'connecting' | 'online' | 'reconnecting' | 'closed' | 'expired' | 'unreachable';

/** Why the client waits before connecting again. */
export type RetryCause = 'lost' | 'unreachable' | 'not_opened' | 'shutdown';

export interface WsEvents {
  onFrame(f: ServerFrame): void;
  onRelay(channel: number, payload: Uint8Array): void;
  onState(s: ConnState, detail?: string): void;
  /** Each attempt to open the socket is about to start (optional). */
  onAttempt?(): void;
  /** The next attempt starts in `delayMs` (optional). */
  onRetry?(delayMs: number, cause: RetryCause): void;
}

export interface WsOptions {
  /** How long a dropped session may take to come back before it is given up (resume grace). */
  resumeGraceMs?: number;
  /** The wait before retry number `attempt` (0-based). */
  backoffMs?: (attempt: number) => number;
  url?: string;
}

/** The GP's and listener's back-off: 300 ms doubling to 5 s. */
export function defaultBackoffMs(attempt: number): number {
  return Math.min(5000, 300 * 2 ** Math.min(attempt, 5));
}

const RELAY_VERSION = 1;
const RELAY_KIND_E2E = 1;
const MAX_OUTBOX = 256;

export function encodeRelay(channel: number, payload: Uint8Array): Uint8Array {
  if (!Number.isInteger(channel) || channel < 1 || channel > 0xffff) throw new RangeError('bad channel');
  if (payload.length < 1) throw new RangeError('empty payload');
  const out = new Uint8Array(4 + payload.length);
  out[0] = RELAY_VERSION;
  out[1] = RELAY_KIND_E2E;
  out[2] = channel >> 8;
  out[3] = channel & 0xff;
  out.set(payload, 4);
  return out;
}

/** {channel, payload} or null if the frame is not a valid relay frame. */
export function decodeRelay(data: Uint8Array): { channel: number; payload: Uint8Array } | null {
  if (data.length < 5 || data[0] !== RELAY_VERSION || data[1] !== RELAY_KIND_E2E) return null;
  const channel = (data[2] << 8) | data[3];
  if (channel === 0) return null;
  return { channel, payload: data.subarray(4) };
}

export class WsClient {
  private ws: WebSocket | null = null;
  private state: ConnState = 'closed';
  private outbox: (string | Uint8Array)[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private dropSince = 0;
  private welcomed = false;
  private everWelcomed = false;
  private stopped = false;
  private readonly resumeGraceMs: number;
  private readonly backoffMs: (attempt: number) => number;
  private readonly url: string;
  limits: Limits = { max_control_frame_bytes: 8192, max_relay_frame_bytes: 65540 };

  constructor(
    private readonly token: () => string | null,
    private readonly events: WsEvents,
    options: WsOptions = {},
  ) {
    this.resumeGraceMs = options.resumeGraceMs ?? 60000;
    this.backoffMs = options.backoffMs ?? defaultBackoffMs;
    this.url = options.url ?? defaultUrl();
  }

  get connState(): ConnState {
    return this.state;
  }

  connect(): void {
    this.stopped = false;
    this.open();
  }

  /** Sends a control frame (queued while reconnecting). */
  send(frame: ClientFrame): void {
    this.enqueue(JSON.stringify({ v: 1, ...frame }));
  }

  /**
   * Sends a relay frame now; returns false (and drops it) when not online.
   * Relay frames are not queued: after a reconnection the server may number
   * the conversation's channel differently, so the conversation layer keeps
   * and re-sends its own frames once the channel is known again.
   */
  sendRelay(channel: number, payload: Uint8Array): boolean {
    if (this.stopped || !this.ws || !this.welcomed || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(encodeRelay(channel, payload));
    return true;
  }

  /** True if the frame went to the socket now (not only into the outbox). */
  get isOnline(): boolean {
    return this.state === 'online';
  }

  /** Closes for good: no reconnect, outbox dropped. */
  close(): void {
    this.stopped = true;
    this.outbox = [];
    this.drop();
    this.setState('closed');
  }

  /** Drops the socket (if any) and connects again now, with the back-off reset. */
  reconnectNow(): void {
    if (this.stopped) return;
    this.drop();
    this.attempt = 0;
    this.open();
  }

  /** Drops the socket and connects again after `delayMs` (a server's `shutdown` says when). */
  reconnectAfter(delayMs: number): void {
    if (this.stopped) return;
    this.drop();
    this.scheduleRetry('shutdown', delayMs);
  }

  /** Forgets the socket and any pending retry without a close event. */
  private drop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(1000);
      } catch {
        /* already closed */
      }
    }
  }

  private enqueue(data: string | Uint8Array): void {
    if (this.stopped) return;
    if (this.ws && this.welcomed && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(data);
      return;
    }
    if (this.outbox.length >= MAX_OUTBOX) this.outbox.shift();
    this.outbox.push(data);
  }

  private setState(s: ConnState, detail?: string): void {
    this.state = s;
    this.events.onState(s, detail);
  }

  private open(): void {
    const token = this.token();
    if (!token) {
      this.setState('expired');
      return;
    }
    this.welcomed = false;
    if (!this.everWelcomed) this.setState('connecting');
    this.events.onAttempt?.();
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleRetry('not_opened');
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ v: 1, type: 'hello', token }));
    ws.onmessage = (ev) => this.onMessage(ev);
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped || this.state === 'expired') return;
      this.scheduleRetry(this.welcomed ? 'lost' : 'unreachable');
    };
    ws.onerror = () => undefined; // onclose follows
  }

  private scheduleRetry(cause: RetryCause, fixedMs?: number): void {
    if (this.stopped) return;
    const now = Date.now();
    if (this.welcomed || this.dropSince === 0) this.dropSince = now;
    this.welcomed = false;
    if (!this.everWelcomed && this.attempt >= 3) {
      this.setState('unreachable');
    } else if (this.everWelcomed && now - this.dropSince > this.resumeGraceMs) {
      this.setState('expired', 'The connection was lost for too long.');
      return;
    } else if (this.everWelcomed) {
      this.setState('reconnecting');
    }
    const delay = fixedMs ?? this.backoffMs(this.attempt);
    this.attempt += 1;
    this.events.onRetry?.(delay, cause);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  private onMessage(ev: MessageEvent): void {
    if (ev.data instanceof ArrayBuffer) {
      const r = decodeRelay(new Uint8Array(ev.data));
      if (r) this.events.onRelay(r.channel, r.payload);
      return;
    }
    if (typeof ev.data !== 'string') return;
    // No WebSocket message may be longer than the relay limit (PROTOCOL.md §7).
    const f = decodeServerFrame(ev.data, this.limits.max_relay_frame_bytes);
    if (!f) return;
    if (f.type === 'welcome') {
      this.limits = f.limits;
      this.welcomed = true;
      this.everWelcomed = true;
      this.attempt = 0;
      this.dropSince = 0;
      this.setState('online');
      this.events.onFrame(f);
      const pending = this.outbox;
      this.outbox = [];
      for (const d of pending) this.ws?.send(d);
      return;
    }
    if (f.type === 'error' && (f.code === 'invalid_token' || f.code === 'not_authenticated') && !this.welcomed) {
      this.stopped = true;
      this.setState('expired', 'Your session has expired.');
      this.ws?.close();
      return;
    }
    if (f.type === 'shutdown') {
      // The server restarts: reconnect (and resume) after it says so.
      this.events.onFrame(f);
      return;
    }
    this.events.onFrame(f);
  }
}

function defaultUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}
