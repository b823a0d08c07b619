// The administrator's live connection: the shared WebSocket client
// (shared/ws.ts: hello with the token, never in the URL) with the
// dashboard's own policy: `live_stats` pushes and `escalation` alerts, a
// back-off of up to 30 s shown as a countdown, a ping every 25 s, the
// server's `shutdown` delay honoured, and a session that is not an
// administrator's treated as expired.

import type { LiveStats, ServerFrame } from '../shared/protocol';
import { type ConnState, type RetryCause, WsClient } from '../shared/ws';

export interface Escalation {
  listener: string;
  conversation_id: string;
  received_ms: number;
}

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'waiting'; retryInS: number; reason: string }
  | { kind: 'stopped' };

export interface LiveHandlers {
  onState(state: ConnectionState): void;
  onStats(stats: LiveStats): void;
  onEscalation(e: Escalation): void;
  onSessionExpired(): void;
}

const MAX_BACKOFF_MS = 30_000;

/** 1 s doubling to 30 s, with jitter so that many dashboards do not reconnect in step. */
function backoffMs(attempt: number): number {
  const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt);
  return Math.round(backoff * (0.75 + Math.random() * 0.5));
}

const WAIT_REASON: Record<RetryCause, string> = {
  lost: 'The live connection was lost.',
  unreachable: 'The server cannot be reached.',
  not_opened: 'The live connection could not be opened.',
  shutdown: 'The server is restarting.',
};

export class LiveConnection {
  private ws: WsClient | null = null;
  private countdownTimer: number | undefined;
  private pingTimer: number | undefined;

  constructor(
    private readonly token: () => string | null,
    private readonly handlers: LiveHandlers,
  ) {}

  start(): void {
    this.ws?.close();
    // No resume grace: the dashboard retries for as long as it is open.
    this.ws = new WsClient(this.token, {
      onFrame: (f) => this.onFrame(f),
      onRelay: () => undefined, // admins get no relay frames
      onState: (st) => this.onState(st),
      onAttempt: () => {
        this.clearTimers();
        this.handlers.onState({ kind: 'connecting' });
      },
      onRetry: (delayMs, cause) => this.countDown(delayMs, WAIT_REASON[cause]),
    }, { resumeGraceMs: Infinity, backoffMs });
    this.ws.connect();
  }

  stop(): void {
    const ws = this.ws;
    this.ws = null;
    this.clearTimers();
    ws?.close();
    this.handlers.onState({ kind: 'stopped' });
  }

  /** Reconnect now (the "Reconnect" button). */
  reconnectNow(): void {
    this.clearTimers();
    this.ws?.reconnectNow();
  }

  private clearTimers(): void {
    window.clearInterval(this.countdownTimer);
    window.clearInterval(this.pingTimer);
    this.countdownTimer = this.pingTimer = undefined;
  }

  private onState(st: ConnState): void {
    if (st === 'expired') {
      this.expire();
    } else if (st !== 'online') {
      window.clearInterval(this.pingTimer); // 'online' waits for the welcome's role
    }
  }

  private expire(): void {
    const ws = this.ws;
    this.ws = null;
    this.clearTimers();
    ws?.close();
    this.handlers.onSessionExpired();
  }

  private onFrame(f: ServerFrame): void {
    switch (f.type) {
      case 'welcome':
        if (f.role !== 'admin') {
          this.expire();
          return;
        }
        this.handlers.onState({ kind: 'open' });
        // Keep intermediaries from timing out an idle-looking socket.
        window.clearInterval(this.pingTimer);
        this.pingTimer = window.setInterval(() => {
          if (this.ws?.isOnline) this.ws.send({ type: 'ping' });
        }, 25_000);
        break;
      case 'live_stats':
        this.handlers.onStats(f.live);
        break;
      case 'escalation':
        this.handlers.onEscalation({ listener: f.listener, conversation_id: f.conversation_id, received_ms: Date.now() });
        break;
      case 'shutdown':
        this.ws?.reconnectAfter(f.retry_after_ms);
        break;
      default:
        break;
    }
  }

  /** "Retrying in N s", once a second until the next attempt. */
  private countDown(delayMs: number, reason: string): void {
    this.clearTimers();
    const due = Date.now() + delayMs;
    const tick = () => {
      const left = Math.max(0, Math.ceil((due - Date.now()) / 1000));
      this.handlers.onState({ kind: 'waiting', retryInS: left, reason });
    };
    tick();
    this.countdownTimer = window.setInterval(tick, 1000);
  }
}
