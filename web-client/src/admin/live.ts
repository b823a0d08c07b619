// The administrator's WebSocket: hello with the token, then `live_stats`
// pushes and `escalation` alerts. Reconnects with backoff; the token is sent
// only inside the hello frame, never in the URL.

export interface LiveListeners {
  rostered: number;
  online: number;
  available: number;
  busy: number;
  wrapup: number;
  away: number;
}

export interface LiveStats {
  waiting: number;
  longest_wait_s: number;
  offers_pending: number;
  conversations_active: number;
  listeners: LiveListeners;
}

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

export class LiveConnection {
  private ws: WebSocket | null = null;
  private stopped = true;
  private attempt = 0;
  private retryTimer: number | undefined;
  private countdownTimer: number | undefined;
  private pingTimer: number | undefined;

  constructor(
    private readonly token: () => string | null,
    private readonly handlers: LiveHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.attempt = 0;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onclose = null;
      ws.close(1000);
    }
    this.handlers.onState({ kind: 'stopped' });
  }

  /** Reconnect now (the "Reconnect" button). */
  reconnectNow(): void {
    if (this.stopped) return;
    this.clearTimers();
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onclose = null;
      ws.close(1000);
    }
    this.attempt = 0;
    this.connect();
  }

  private clearTimers(): void {
    window.clearTimeout(this.retryTimer);
    window.clearInterval(this.countdownTimer);
    window.clearInterval(this.pingTimer);
    this.retryTimer = this.countdownTimer = this.pingTimer = undefined;
  }

  private connect(): void {
    const token = this.token();
    if (!token) {
      this.handlers.onSessionExpired();
      return;
    }
    this.handlers.onState({ kind: 'connecting' });
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let ws: WebSocket;
    try {
      ws = new WebSocket(`${scheme}//${location.host}/ws`);
    } catch {
      this.scheduleRetry('The live connection could not be opened.');
      return;
    }
    this.ws = ws;
    let welcomed = false;
    let expired = false;
    ws.onopen = () => {
      ws.send(JSON.stringify({ v: 1, type: 'hello', token }));
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') return; // admins get no relay frames
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(ev.data) as Record<string, unknown>;
      } catch {
        return;
      }
      if (msg.v !== 1) return;
      switch (msg.type) {
        case 'welcome':
          if (msg.role !== 'admin') {
            expired = true;
            ws.close(1000);
            this.handlers.onSessionExpired();
            return;
          }
          welcomed = true;
          this.attempt = 0;
          this.handlers.onState({ kind: 'open' });
          // Keep intermediaries from timing out an idle-looking socket.
          this.pingTimer = window.setInterval(() => {
            if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ v: 1, type: 'ping' }));
          }, 25_000);
          break;
        case 'live_stats':
          if (isLiveStats(msg.live)) this.handlers.onStats(msg.live);
          break;
        case 'escalation':
          if (typeof msg.listener === 'string' && typeof msg.conversation_id === 'string')
            this.handlers.onEscalation({
              listener: msg.listener,
              conversation_id: msg.conversation_id,
              received_ms: Date.now(),
            });
          break;
        case 'error':
          if (!welcomed && (msg.code === 'invalid_token' || msg.code === 'not_authenticated')) {
            expired = true;
            this.ws = null;
            ws.onclose = null;
            ws.close(1000);
            this.handlers.onSessionExpired();
          }
          break;
        case 'shutdown': {
          const after = typeof msg.retry_after_ms === 'number' ? msg.retry_after_ms : 5000;
          this.ws = null;
          ws.onclose = null;
          ws.close(1000);
          this.scheduleRetry('The server is restarting.', after);
          break;
        }
        default:
          break;
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      window.clearInterval(this.pingTimer);
      if (this.stopped || expired) return;
      this.scheduleRetry(welcomed ? 'The live connection was lost.' : 'The server cannot be reached.');
    };
  }

  private scheduleRetry(reason: string, fixedMs?: number): void {
    if (this.stopped) return;
    this.clearTimers();
    const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.attempt);
    // Jitter so that many dashboards do not reconnect in step.
    const delay = fixedMs ?? Math.round(backoff * (0.75 + Math.random() * 0.5));
    this.attempt += 1;
    const due = Date.now() + delay;
    const tick = () => {
      const left = Math.max(0, Math.ceil((due - Date.now()) / 1000));
      this.handlers.onState({ kind: 'waiting', retryInS: left, reason });
    };
    tick();
    this.countdownTimer = window.setInterval(tick, 1000);
    this.retryTimer = window.setTimeout(() => {
      window.clearInterval(this.countdownTimer);
      this.connect();
    }, delay);
  }
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function isLiveStats(v: unknown): v is LiveStats {
  if (!v || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  const l = o.listeners as Record<string, unknown> | undefined;
  return (
    isNum(o.waiting) &&
    isNum(o.longest_wait_s) &&
    isNum(o.offers_pending) &&
    isNum(o.conversations_active) &&
    !!l &&
    typeof l === 'object' &&
    ['rostered', 'online', 'available', 'busy', 'wrapup', 'away'].every((k) => isNum(l[k]))
  );
}
