// The Double Ratchet with header encryption as PSC-1 uses it
// (docs/CRYPTO.md, "Ratchet"). Twin of crypto/src/e2e/session.cpp.
// A Session belongs to one conversation. decrypt() works on a copy of the
// state and keeps it only on success: a failing frame changes nothing.
import * as C from './constants.js';
import { E2eError, fail } from './errors.js';
import { decodeEncrypted } from './frames.js';
import { bucketFor, pad, unpad } from './padding.js';
import { draw } from './rng.js';
import { concat, dh, dhPublic, equal, hash, kdf, open, seal, utf8, wipe } from './sodium.js';
import { Reader, Writer } from './wire.js';

const U32_MAX = 0xffffffff;

/**
 * @typedef {object} ReceivedMessage
 * @property {Uint8Array} payload
 * @property {number} seq        the sender's message number, 0 first
 * @property {boolean} late      it fills an earlier gap
 * @property {number} gapBefore  this many earlier messages are now missing
 * @property {number[]} expired  earlier missing messages given up for lost
 */

// KDF_RK_HE and KDF_CK of the specification.
function kdfRk(rk, dhOut) {
  const prk = hash([dhOut], rk);
  const out = { root: kdf(prk, 1, C.CTX_ROOT), chain: kdf(prk, 2, C.CTX_ROOT), nextHeader: kdf(prk, 3, C.CTX_ROOT) };
  wipe(prk);
  return out;
}

function nextMessageKey(st, which) {
  const ck = st[which];
  const mk = kdf(ck, 1, C.CTX_CHAIN);
  st[which] = kdf(ck, 2, C.CTX_CHAIN);
  wipe(ck);
  return mk;
}

const adFor = (st, frame, end) => concat(st.th, frame.subarray(0, end));

function openHeader(hk, f, ad) {
  const plain = open(hk, f.headerNonce, f.encHeader, ad);
  if (!plain || plain.length !== C.HEADER_BYTES) return null;
  const r = new Reader(plain);
  return { dh: r.take(32), pn: r.u32(), n: r.u32() };
}

function skipMessageKeys(st, until) {
  if (until <= st.nr) return;
  if (until - st.nr > C.MAX_SKIP) fail('too_many_skipped');
  if (!st.ckr) return;
  if (st.skipped.length + (until - st.nr) > C.MAX_SKIPPED_KEYS) fail('skipped_store_full');
  while (st.nr < until) {
    st.skipped.push({ headerKey: st.hkr.slice(), n: st.nr, messageKey: nextMessageKey(st, 'ckr'), storedAt: st.received });
    st.nr += 1;
  }
}

function trackSequence(st, m) {
  if (m.seq >= st.recvNext) {
    const gap = m.seq - st.recvNext;
    m.gapBefore = gap;
    const keep = Math.min(gap, C.MAX_SKIPPED_KEYS);
    for (let s = m.seq - keep; s < m.seq; s++) st.missing.push({ seq: s, since: st.received });
    st.recvNext = m.seq + 1;
    while (st.missing.length > C.MAX_SKIPPED_KEYS) m.expired.push(st.missing.shift().seq);
  } else {
    m.late = true;
    const i = st.missing.findIndex((x) => x.seq === m.seq);
    if (i >= 0) st.missing.splice(i, 1);
  }
}

function expireOld(st, m) {
  st.skipped = st.skipped.filter((s) => {
    const keep = st.received - s.storedAt <= C.SKIPPED_KEY_MAX_AGE;
    if (!keep) {
      wipe(s.messageKey);
      wipe(s.headerKey);
    }
    return keep;
  });
  st.missing = st.missing.filter((x) => {
    const keep = st.received - x.since <= C.SKIPPED_KEY_MAX_AGE;
    if (!keep) m.expired.push(x.seq);
    return keep;
  });
}

function finishBody(st, mk, f, frame) {
  const padded = open(mk, f.bodyNonce, f.ciphertext, adFor(st, frame, f.bodyAdEnd));
  wipe(mk);
  if (!padded) fail('body_auth_failed');
  const inner = unpad(padded);
  wipe(padded);
  if (inner.length < C.SEQ_BYTES) fail('bad_length');
  const seq = new Reader(inner).u32();
  if (seq === U32_MAX) fail('bad_field');
  return { payload: inner.slice(C.SEQ_BYTES), seq, late: false, gapBefore: 0, expired: [] };
}

function accept(st, m) {
  st.received += 1;
  trackSequence(st, m);
  expireOld(st, m);
  return m;
}

/** Fresh ratchet key pair from `rng` (32 bytes). */
function newRatchetKey(rng) {
  const secret = draw(rng, 32);
  return { secret, pub: dhPublic(secret) };
}

/** The GP ("Alice"): seed from the handshake, e_L as Bob's ratchet key. */
export function initAlice(seed, listenerRatchet, rng) {
  const k = newRatchetKey(rng);
  const shared = dh(k.secret, listenerRatchet);
  if (!shared) fail('weak_key');
  const step = kdfRk(seed.root, shared);
  return baseState(seed, {
    dhsSecret: k.secret, dhsPublic: k.pub, dhr: listenerRatchet, rk: step.root,
    cks: step.chain, nhks: step.nextHeader, hks: seed.headerA, nhkr: seed.nextHeaderB,
  });
}

/** The listener ("Bob"): its handshake ephemeral is its first ratchet key. */
export function initBob(seed, ephemeralSecret, ephemeralPublic) {
  return baseState(seed, {
    dhsSecret: ephemeralSecret.slice(), dhsPublic: ephemeralPublic, rk: seed.root,
    nhks: seed.nextHeaderB, nhkr: seed.headerA,
  });
}

function baseState(seed, fields) {
  return {
    sid: seed.sid, th: seed.th, dhsSecret: null, dhsPublic: null, dhr: null, rk: null,
    cks: null, ckr: null, hks: null, hkr: null, nhks: null, nhkr: null,
    ns: 0, nr: 0, pn: 0, skipped: [], received: 0, sendSeq: 0, recvNext: 0, missing: [], closed: false,
    ...fields,
  };
}

/** Builds a confirm (with `gpEphemeral`) or message frame. */
export function encryptFrame(st, type, gpEphemeral, payload, rng) {
  if (st.closed) fail('session_closed');
  if (!st.cks || !st.hks) fail('unexpected_frame');
  if (st.ns === U32_MAX || st.sendSeq === U32_MAX - 1) fail('counter_exhausted');
  const overhead = type === C.FRAME_CONFIRM ? C.CONFIRM_OVERHEAD : C.MESSAGE_OVERHEAD;
  const bucket = payload.length > C.MAX_PAYLOAD_BYTES ? 0 : bucketFor(C.SEQ_BYTES + payload.length, overhead);
  if (bucket === 0) fail('message_too_large');

  const prefix = new Writer().u8(C.PROTOCOL_VERSION).u8(type).put(st.sid);
  if (type === C.FRAME_CONFIRM) prefix.put(gpEphemeral);
  const head = prefix.bytes();
  const header = new Writer().put(st.dhsPublic).u32(st.pn).u32(st.ns).bytes();
  const hnonce = draw(rng, C.NONCE_BYTES);
  const encHeader = seal(st.hks, hnonce, header, concat(st.th, head));
  const bnonce = draw(rng, C.NONCE_BYTES);
  const beforeBody = concat(head, hnonce, encHeader, bnonce);

  const inner = concat(new Writer().u32(st.sendSeq).bytes(), payload);
  const padded = pad(inner, bucket - overhead);
  wipe(inner);
  const mk = nextMessageKey(st, 'cks');
  const ct = seal(mk, bnonce, padded, concat(st.th, beforeBody));
  wipe(mk);
  wipe(padded);
  st.ns += 1;
  st.sendSeq += 1;
  return concat(beforeBody, ct);
}

/** Decrypts into `st` (a working copy). See session.cpp for the order. */
export function decryptFrame(st, f, frame, rng) {
  if (st.closed) fail('session_closed');
  if (!equal(f.sid, st.sid)) fail('sid_mismatch');
  const headerAd = adFor(st, frame, f.headerAdEnd);

  let openedByOldKey = false;
  for (let i = 0; i < st.skipped.length; i++) {
    const s = st.skipped[i];
    const h = openHeader(s.headerKey, f, headerAd);
    if (!h) continue;
    openedByOldKey = true;
    if (h.n !== s.n) continue;
    const m = finishBody(st, s.messageKey.slice(), f, frame);
    st.skipped.splice(i, 1);
    return accept(st, m);
  }

  let h = st.hkr ? openHeader(st.hkr, f, headerAd) : null;
  if (h) {
    if (h.n < st.nr) fail('duplicate_message');
    skipMessageKeys(st, h.n);
    if (st.nr === U32_MAX) fail('counter_exhausted');
    const mk = nextMessageKey(st, 'ckr');
    st.nr += 1;
    return accept(st, finishBody(st, mk, f, frame));
  }
  h = openHeader(st.nhkr, f, headerAd);
  if (!h) fail(openedByOldKey ? 'duplicate_message' : 'header_auth_failed');

  skipMessageKeys(st, h.pn);
  st.pn = st.ns;
  st.ns = 0;
  st.nr = 0;
  st.hks = st.nhks;
  st.hkr = st.nhkr;
  st.dhr = h.dh;
  const shared = dh(st.dhsSecret, st.dhr);
  if (!shared) fail('weak_key');
  const recv = kdfRk(st.rk, shared);
  st.rk = recv.root;
  st.ckr = recv.chain;
  st.nhkr = recv.nextHeader;
  skipMessageKeys(st, h.n);
  const mk = nextMessageKey(st, 'ckr');
  st.nr += 1;
  const m = finishBody(st, mk, f, frame);

  // Sending half only once the frame is genuine: a fresh ratchet key.
  const k = newRatchetKey(rng);
  st.dhsSecret = k.secret;
  st.dhsPublic = k.pub;
  const shared2 = dh(st.dhsSecret, st.dhr);
  if (!shared2) fail('weak_key');
  const send = kdfRk(st.rk, shared2);
  st.rk = send.root;
  st.cks = send.chain;
  st.nhks = send.nextHeader;
  return accept(st, m);
}

const SECRET_FIELDS = ['dhsSecret', 'rk', 'cks', 'ckr', 'hks', 'hkr', 'nhks', 'nhkr'];

/** Overwrites every key a state holds. */
export function wipeState(st) {
  for (const k of SECRET_FIELDS) wipe(st[k]);
  for (const s of st.skipped) {
    wipe(s.headerKey);
    wipe(s.messageKey);
  }
}

/** An established conversation: made by the handshake (handshake.js). */
export class Session {
  constructor(state) {
    /** @private */
    this.st = state;
  }

  /**
   * Encrypts one payload (0..MAX_PAYLOAD_BYTES) into a bucket-padded frame.
   * @param {Uint8Array} payload @param {{fill(b: Uint8Array): void}} rng
   * @returns {Uint8Array}
   */
  encrypt(payload, rng) {
    return encryptFrame(this.st, C.FRAME_MESSAGE, null, payload, rng);
  }

  /**
   * Decrypts one frame from the peer; throws E2eError and changes nothing on failure.
   * @param {Uint8Array} frame @param {{fill(b: Uint8Array): void}} rng
   * @returns {ReceivedMessage}
   */
  decrypt(frame, rng) {
    if (this.st.closed) fail('session_closed');
    const f = decodeEncrypted(frame, C.FRAME_MESSAGE);
    const work = structuredClone(this.st);
    try {
      const m = decryptFrame(work, f, frame, rng);
      wipeState(this.st);
      this.st = work;
      return m;
    } catch (e) {
      wipeState(work);
      throw e;
    }
  }

  /** The short code both people compare, "dddd dddd". */
  safetyCode() {
    return safetyCodeFor(this.st.th);
  }

  get transcriptHash() {
    return this.st.th.slice();
  }

  /** The peer's message numbers known to be missing, ascending. */
  missing() {
    return this.st.missing.map((m) => m.seq).sort((a, b) => a - b);
  }

  get skippedKeyCount() {
    return this.st.skipped.length;
  }

  /** A full copy, secrets included: for tests that model a compromise. */
  clone() {
    return new Session(structuredClone(this.st));
  }

  /** Wipes every key; later calls throw session_closed. */
  close() {
    wipeState(this.st);
    this.st = { closed: true, skipped: [] };
  }

  get closed() {
    return this.st.closed;
  }
}

/** The safety code of a transcript hash (docs/CRYPTO.md, "Safety code"). */
export function safetyCodeFor(th) {
  const h = hash([utf8(C.LABEL_SAFETY), th]);
  const v = new DataView(h.buffer, h.byteOffset, 8).getBigUint64(0) % 100000000n;
  const s = v.toString().padStart(8, '0');
  return `${s.slice(0, 4)} ${s.slice(4)}`;
}

export { E2eError };
