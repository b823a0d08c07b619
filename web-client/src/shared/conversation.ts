// One end-to-end encrypted conversation over relay frames: the PSC-1
// handshake (src/crypto/handshake.js) then the ratchet, carrying the
// application messages of appmsg.ts. Keys live in this object only and are
// wiped by close().
//
// GP:       start() sends hello; the response is verified (certificate chain
//           against the pinned root and the revocation list, then the
//           handshake signature) BEFORE anything else is sent. On any
//           failure: a 'refused' event with the plain-language warning, and
//           this conversation sends nothing more.
// Listener: answers the hello with its certified identity; the confirm
//           carries the GP's first message and establishes the session.
//
// Delivery: every text message ('msg') is acknowledged by the receiver
// ('ack'). Unacknowledged frames are kept (already encrypted) and sent again
// after a reconnection; a copy that already arrived is refused by the
// ratchet as a duplicate, so nothing is shown twice.
import * as psc1 from '../crypto/index.js';
import type { TrustStateText } from './api';
import { trustStateBytes } from './trust-state';
import { type AppMessage, type Signpost, decodeApp, encodeApp, newMessageId } from './appmsg';

export type ConversationEvent =
  | { kind: 'established'; safetyCode: string; listenerHandle?: string; listenerNotAfter?: number }
  | { kind: 'refused'; code: string; warning: string }
  | { kind: 'message'; id: string; text: string }
  | { kind: 'signpost'; id: string; items: Signpost[]; note?: string }
  | { kind: 'delivered'; id: string }
  | { kind: 'typing'; on: boolean }
  | { kind: 'peer_end' }
  | { kind: 'gap'; missing: number }
  | { kind: 'undecryptable'; code: string };

/**
 * A listener's device identity: IK and S as non-extractable WebCrypto keys
 * (src/crypto/keystore.js), so no script can read them; only the public
 * halves and the certificate are bytes.
 */
export interface ListenerIdentityLike {
  identityKey: CryptoKey;
  signedKey: CryptoKey;
  identityPublic: Uint8Array;
  signedPublic: Uint8Array;
  certificate: Uint8Array | null;
}

export interface GpTrust {
  /** Pinned organisation root public key. */
  root: Uint8Array;
  /** Fetches the trust state (delegation, latest list, directory) or null when no list exists. */
  revocationList(): Promise<TrustStateText | null>;
  /** Lowest revocation list number accepted: the release's floor, raised to the highest seen in this tab (memory only). */
  minCrlNumber: bigint;
}

const rng = new psc1.SystemRng();

/** Warnings for refusals that errors.js has no sentence for. */
function refusalText(code: string): string {
  const w = psc1.warningFor(code);
  if (w) return w;
  if (code === 'no_revocation_list' || code === 'truncated') {
    return 'The list of withdrawn certificates could not be checked, so this listener cannot be verified now. Do not continue.';
  }
  if (code === 'unreachable') return 'Peerline could not be reached to check this listener. Please try again.';
  return 'This listener could not be verified as a trained listener of the organisation. Do not continue.';
}

/** Sends a relay frame; false when the connection is down (the frame was not sent). */
type SendRelay = (channel: number, payload: Uint8Array) => boolean;

export class Conversation {
  channel: number;
  state: 'handshake' | 'established' | 'refused' | 'closed' = 'handshake';
  safetyCode = '';
  listenerHandle = '';
  private session: psc1.Session | null = null;
  private gp: psc1.GpHandshake | null = null;
  private lh: psc1.ListenerHandshake | null = null;
  private confirmFrame: Uint8Array | null = null;
  private unacked = new Map<string, Uint8Array>();
  /** Frames that could not be sent while the connection was down, in order. */
  private offline: Uint8Array[] = [];
  private busy: Promise<void> = Promise.resolve();

  constructor(
    readonly conversationId: string,
    channel: number,
    readonly role: 'gp' | 'listener',
    private readonly sendRelay: SendRelay,
    private readonly emit: (e: ConversationEvent) => void,
    private readonly opts: { trust?: GpTrust; identity?: ListenerIdentityLike; sids?: psc1.SidCache } = {},
  ) {
    this.channel = channel;
  }

  /** Sends now, or keeps the frame for resend() if the connection is down. */
  private out(frame: Uint8Array): void {
    if (!this.sendRelay(this.channel, frame)) this.offline.push(frame);
  }

  /** GP: sends the hello. */
  start(): void {
    if (this.role !== 'gp' || this.gp) return;
    this.gp = new psc1.GpHandshake(rng);
    this.out(this.gp.hello);
  }

  /** Relay payloads are handled one at a time, in arrival order. */
  onRelay(payload: Uint8Array): void {
    const copy = payload.slice();
    this.busy = this.busy.then(() => this.handle(copy)).catch(() => undefined);
  }

  private async handle(payload: Uint8Array): Promise<void> {
    if (this.state === 'closed' || this.state === 'refused') return;
    const type = payload[1];
    if (this.role === 'gp') {
      if (type === psc1.FRAME_RESPONSE && this.state === 'handshake') await this.onResponse(payload);
      else if (type === psc1.FRAME_MESSAGE && this.session) this.onMessageFrame(payload);
    } else if (type === psc1.FRAME_HELLO) {
      await this.onHello(payload);
    } else if (type === psc1.FRAME_CONFIRM) {
      await this.onConfirm(payload);
    } else if (type === psc1.FRAME_MESSAGE && this.session) {
      this.onMessageFrame(payload);
    }
  }

  private async onResponse(response: Uint8Array): Promise<void> {
    const trust = this.opts.trust!;
    let list: TrustStateText | null;
    try {
      list = await trust.revocationList();
    } catch {
      this.refuse('unreachable');
      return;
    }
    if (!list || !list.revocation_list) {
      this.refuse('no_revocation_list');
      return;
    }
    try {
      const state = trustStateBytes(list);
      const revocationList = state.revocationList;
      const res = this.gp!.onResponse(
        response,
        { root: trust.root, ...state, now: Math.floor(Date.now() / 1000), minCrlNumber: trust.minCrlNumber },
        encodeApp({ v: 1, t: 'start' }),
        rng,
      );
      try {
        const n = psc1.decodeRevocationList(revocationList).number as bigint;
        if (n > trust.minCrlNumber) trust.minCrlNumber = n;
      } catch {
        /* already verified by onResponse */
      }
      this.session = res.session;
      this.confirmFrame = res.confirm;
      this.listenerHandle = res.listener.handle as string;
      this.safetyCode = res.session.safetyCode();
      this.state = 'established';
      this.out(res.confirm);
      this.emit({
        kind: 'established',
        safetyCode: this.safetyCode,
        listenerHandle: this.listenerHandle,
        listenerNotAfter: Number(res.listener.notAfter as bigint) * 1000,
      });
    } catch (e) {
      // A forged response leaves the handshake as it was (CRYPTO.md 4.3), but
      // the GP is told at once and this conversation sends nothing more.
      const code = e instanceof psc1.E2eError ? (e.code as string) : 'bad_field';
      this.refuse(code);
    }
  }

  private refuse(code: string): void {
    this.state = 'refused';
    this.emit({ kind: 'refused', code, warning: refusalText(code) });
    this.wipe();
  }

  private async onHello(hello: Uint8Array): Promise<void> {
    if (this.lh) {
      // The same hello again (the GP re-sent it after a reconnection): repeat
      // our response rather than refusing it as a replay.
      if (equalBytes(hello, this.lh.hello)) this.out(this.lh.response);
      return;
    }
    const id = this.opts.identity;
    if (!id || !id.certificate) return;
    try {
      // Signed through WebCrypto with the device's non-extractable IK.
      const lh = await psc1.ListenerHandshake.respond(id, hello, this.opts.sids!, rng);
      if (this.state === 'closed') return;  // ended while WebCrypto signed
      this.lh = lh;
      this.out(lh.response);
    } catch (e) {
      this.emit({ kind: 'undecryptable', code: e instanceof psc1.E2eError ? e.code : 'bad_field' });
    }
  }

  private async onConfirm(confirm: Uint8Array): Promise<void> {
    if (!this.lh || this.session) return;
    try {
      const { session } = await this.lh.onConfirm(confirm, rng);
      if (this.state === 'closed') {
        session.close();  // ended while WebCrypto derived
        return;
      }
      this.session = session;
      this.safetyCode = session.safetyCode();
      this.state = 'established';
      this.emit({ kind: 'established', safetyCode: this.safetyCode });
    } catch (e) {
      this.emit({ kind: 'undecryptable', code: e instanceof psc1.E2eError ? e.code : 'bad_field' });
    }
  }

  private onMessageFrame(frame: Uint8Array): void {
    let m: { payload: Uint8Array; gapBefore: number };
    try {
      m = this.session!.decrypt(frame, rng);
    } catch (e) {
      const code = e instanceof psc1.E2eError ? (e.code as string) : 'bad_field';
      if (code !== 'duplicate_message') this.emit({ kind: 'undecryptable', code });
      return;
    }
    if (m.gapBefore > 0) this.emit({ kind: 'gap', missing: m.gapBefore });
    const app = decodeApp(m.payload);
    if (!app) return;
    this.onApp(app);
  }

  private onApp(app: AppMessage): void {
    switch (app.t) {
      case 'msg':
        this.encryptAndSend({ v: 1, t: 'ack', id: app.id });
        this.emit({ kind: 'message', id: app.id, text: app.text });
        break;
      case 'signpost':
        this.encryptAndSend({ v: 1, t: 'ack', id: app.id });
        this.emit({ kind: 'signpost', id: app.id, items: app.items, note: app.note });
        break;
      case 'ack':
        if (this.unacked.delete(app.id)) this.emit({ kind: 'delivered', id: app.id });
        break;
      case 'typing':
        this.emit({ kind: 'typing', on: app.on });
        break;
      case 'end':
        this.emit({ kind: 'peer_end' });
        break;
      default:
        break;
    }
  }

  get established(): boolean {
    return this.state === 'established' && this.session !== null;
  }

  private encryptAndSend(m: AppMessage): Uint8Array | null {
    if (!this.established) return null;
    const frame = this.session!.encrypt(encodeApp(m), rng);
    // Every frame is kept while the connection is down, typing indicators
    // too: each one uses a ratchet number, and a skipped number would look
    // like a lost message to the other side.
    this.out(frame);
    return frame;
  }

  /** Encrypts and sends a text message; returns its id (null if not established). */
  sendText(text: string): string | null {
    const id = newMessageId();
    const frame = this.encryptAndSend({ v: 1, t: 'msg', id, text });
    if (!frame) return null;
    this.unacked.set(id, frame);
    return id;
  }

  sendSignpost(items: Signpost[], note?: string): string | null {
    const id = newMessageId();
    const frame = this.encryptAndSend({ v: 1, t: 'signpost', id, items, ...(note ? { note } : {}) });
    if (!frame) return null;
    this.unacked.set(id, frame);
    return id;
  }

  sendTyping(on: boolean): void {
    this.encryptAndSend({ v: 1, t: 'typing', on });
  }

  sendEnd(): void {
    this.encryptAndSend({ v: 1, t: 'end' });
  }

  /**
   * After a reconnection (ours or the partner's): re-sends whatever the
   * partner may have missed. The bytes are the same frames; the ratchet
   * refuses copies that already arrived.
   */
  resend(): void {
    if (this.state === 'refused' || this.state === 'closed') return;
    const queued = this.offline;
    this.offline = [];
    if (this.role === 'gp' && this.state === 'handshake' && this.gp && !queued.includes(this.gp.hello)) this.out(this.gp.hello);
    if (this.role === 'gp' && this.confirmFrame && !queued.includes(this.confirmFrame)) this.out(this.confirmFrame);
    for (const f of queued) this.out(f);
    for (const f of this.unacked.values()) if (!queued.includes(f)) this.out(f);
  }

  /** Ids of text messages not yet acknowledged. */
  pending(): string[] {
    return [...this.unacked.keys()];
  }

  private wipe(): void {
    this.session?.close();
    this.session = null;
    this.gp = null;
    this.lh = null;
    this.confirmFrame = null;
    this.unacked.clear();
    this.offline = [];
  }

  /** Wipes every key; nothing more is sent or accepted. */
  close(): void {
    this.wipe();
    this.state = 'closed';
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}
