// PSC-1's three-message handshake (docs/CRYPTO.md, "Handshake"). Twin of
// crypto/src/e2e/handshake.cpp.
//   GP -> L   hello    sid, commit = H(sid, e_G)
//   L -> GP   response sid, e_L, certificate, sig_IK(hello, response)
//   GP -> L   confirm  sid, e_G, first ratchet message
import * as C from './constants.js';
import { encodeEnrolmentRequest, signEnrolmentRequest, validHandle, verifyListenerCertificate } from './certificate.js';
import { fail } from './errors.js';
import {
  decodeEncrypted, decodeHello, decodeResponse, encodeHello, encodeResponse, encodeResponseUnsigned,
} from './frames.js';
import { draw } from './rng.js';
import { Session, decryptFrame, encryptFrame, initAlice, initBob, wipeState } from './session.js';
import { dhWithSignedKey, signAsIdentity } from './keystore.js';
import { concat, dh, dhPublic, equal, hash, kdf, lib, utf8, verify, wipe } from './sodium.js';

const commitment = (sid, gpEphemeral) => hash([utf8(C.LABEL_COMMIT), sid, gpEphemeral]);
const transcript = (hello, response, gpEphemeral) => hash([utf8(C.LABEL_TRANSCRIPT), hello, response, gpEphemeral]);

function derive(sid, th, dh1, dh2) {
  const prk = hash([dh1, dh2, th], utf8(C.KEY_HANDSHAKE));
  const seed = {
    sid, th,
    root: kdf(prk, 1, C.CTX_HANDSHAKE),
    headerA: kdf(prk, 2, C.CTX_HANDSHAKE),
    nextHeaderB: kdf(prk, 3, C.CTX_HANDSHAKE),
  };
  wipe(prk);
  return seed;
}

/**
 * A listener identity as raw bytes: what tests, the vectors and the C++ twin
 * use. In the browser the listener's keys are a DeviceIdentity instead
 * (keystore.js: non-extractable WebCrypto keys); every listener function
 * below takes either.
 * @typedef {object} ListenerIdentity
 * @property {Uint8Array} identitySecret  Ed25519 secret key (64 bytes)
 * @property {Uint8Array} identityPublic
 * @property {Uint8Array} signedSecret    X25519 secret key
 * @property {Uint8Array} signedPublic
 * @property {Uint8Array|null} certificate  encoded, once the organisation has signed it
 */

/**
 * New raw device keys: 32 bytes of Ed25519 seed, then 32 of X25519 secret.
 * For tests and tools; a browser creates a DeviceIdentity (keystore.js).
 * @returns {ListenerIdentity}
 */
export function generateListenerIdentity(rng) {
  const seed = draw(rng, 32);
  const kp = lib().crypto_sign_seed_keypair(seed);
  wipe(seed);
  const signedSecret = draw(rng, 32);
  return {
    identitySecret: kp.privateKey, identityPublic: kp.publicKey,
    signedSecret, signedPublic: dhPublic(signedSecret), certificate: null,
  };
}

/** The encoded, self-signed enrolment request for `handle` (raw identity). */
export function makeEnrolmentRequest(id, handle) {
  return encodeEnrolmentRequest(signEnrolmentRequest(
    { identityKey: id.identityPublic, signedKey: id.signedPublic, handle }, id.identitySecret));
}

/**
 * The same request, signed wherever IK is held (a DeviceIdentity signs
 * through WebCrypto). Byte-identical to makeEnrolmentRequest for the same key.
 * @param {ListenerIdentity|import('./keystore.js').DeviceIdentity} id @param {string} handle
 * @returns {Promise<Uint8Array>}
 */
export async function makeDeviceEnrolmentRequest(id, handle) {
  if (!validHandle(handle)) fail('bad_field');
  const r = { identityKey: id.identityPublic, signedKey: id.signedPublic, handle };
  const tbs = encodeEnrolmentRequest({ ...r, signature: new Uint8Array(C.SIGNATURE_BYTES) }).subarray(0, -C.SIGNATURE_BYTES);
  return encodeEnrolmentRequest({ ...r, signature: await signAsIdentity(id, C.LABEL_ENROLMENT, tbs) });
}

/** Session ids a listener has answered (bounded, oldest forgotten first). */
export class SidCache {
  constructor(capacity = C.SID_CACHE_ENTRIES) {
    this.capacity = capacity;
    /** @type {Set<string>} */
    this.seen = new Set();
  }
  /** false if `sid` was seen before; otherwise remembers it. */
  insert(sid) {
    const k = lib().to_hex(sid);
    if (this.seen.has(k)) return false;
    this.seen.add(k);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value);
    return true;
  }
}

function drawEphemeral(rng) {
  const secret = draw(rng, 32);
  return { secret, pub: dhPublic(secret) };
}

/** The GP's side. Keys live only in memory. */
export class GpHandshake {
  /** Draws the session id (16 bytes) then e_G (32 bytes). */
  constructor(rng) {
    this.sid = draw(rng, C.SID_BYTES);
    this.eph = drawEphemeral(rng);
    this.hello = encodeHello({ sid: this.sid, commitment: commitment(this.sid, this.eph.pub) });
    this.done = false;
  }

  /**
   * Verifies the listener's response and returns the session, the confirm
   * frame carrying `firstPayload`, and the listener's certificate. Throws
   * E2eError (and stays usable) on any failure.
   * @param {Uint8Array} response @param {import('./certificate.js').TrustAnchor} trust
   * @param {Uint8Array} firstPayload @param {{fill(b: Uint8Array): void}} rng
   */
  onResponse(response, trust, firstPayload, rng) {
    if (this.done) fail('unexpected_frame');
    const f = decodeResponse(response);
    if (!equal(f.sid, this.sid)) fail('sid_mismatch');
    const cert = verifyListenerCertificate(f.certificate, trust);
    if (!verify(C.LABEL_RESPONSE, concat(this.hello, encodeResponseUnsigned(f)), f.signature, cert.identityKey)) {
      fail('bad_signature');
    }
    const dh1 = dh(this.eph.secret, f.ephemeral);
    const dh2 = dh(this.eph.secret, cert.signedKey);
    if (!dh1 || !dh2) fail('weak_key');
    const th = transcript(this.hello, response, this.eph.pub);
    const st = initAlice(derive(this.sid, th, dh1, dh2), f.ephemeral, rng);
    wipe(dh1);
    wipe(dh2);
    let confirm;
    try {
      confirm = encryptFrame(st, C.FRAME_CONFIRM, this.eph.pub, firstPayload, rng);
    } catch (e) {
      wipeState(st);
      throw e;
    }
    this.done = true;
    wipe(this.eph.secret);
    return { session: new Session(st), confirm, listener: cert };
  }
}

/**
 * The listener's side of one handshake. Made by the asynchronous
 * ListenerHandshake.respond(), because a DeviceIdentity signs and derives
 * through crypto.subtle.
 */
export class ListenerHandshake {
  /**
   * Answers a hello: refuses a replayed sid, draws e_L (32 bytes), signs.
   * @param {ListenerIdentity|import('./keystore.js').DeviceIdentity} id
   * @param {Uint8Array} hello @param {SidCache} seen
   * @returns {Promise<ListenerHandshake>}
   */
  static async respond(id, hello, seen, rng) {
    const h = decodeHello(hello);
    if (!seen.insert(h.sid)) fail('replayed_handshake');
    const eph = drawEphemeral(rng);
    const r = { sid: h.sid, ephemeral: eph.pub, certificate: id.certificate };
    const helloCopy = Uint8Array.from(hello);
    const signature = await signAsIdentity(id, C.LABEL_RESPONSE, concat(helloCopy, encodeResponseUnsigned(r)));
    return new ListenerHandshake(id, h, helloCopy, eph, encodeResponse({ ...r, signature }));
  }

  /** @private use respond() */
  constructor(id, h, hello, eph, response) {
    this.sid = h.sid;
    this.commitment = h.commitment;
    this.hello = hello;
    /** The identity, only until the confirm: it holds S. */
    this.id = id;
    this.eph = eph;
    this.response = response;
    this.done = false;
  }

  /**
   * Checks the commitment, derives the keys, decrypts the GP's first message.
   * Throws E2eError and changes nothing on failure.
   * @returns {Promise<{session: Session, first: import('./session.js').ReceivedMessage}>}
   */
  async onConfirm(confirm, rng) {
    if (this.done) fail('unexpected_frame');
    const f = decodeEncrypted(confirm, C.FRAME_CONFIRM);
    if (!equal(f.sid, this.sid)) fail('sid_mismatch');
    if (!equal(commitment(this.sid, f.gpEphemeral), this.commitment)) fail('commitment_mismatch');
    const dh2 = await dhWithSignedKey(this.id, f.gpEphemeral);
    // A second confirm handled while this one waited must not make a second session.
    if (this.done) fail('unexpected_frame');
    const dh1 = dh(this.eph.secret, f.gpEphemeral);
    if (!dh1 || !dh2) fail('weak_key');
    const th = transcript(this.hello, this.response, f.gpEphemeral);
    const st = initBob(derive(this.sid, th, dh1, dh2), this.eph.secret, this.eph.pub);
    wipe(dh1);
    wipe(dh2);
    let first;
    try {
      first = decryptFrame(st, f, confirm, rng);
    } catch (e) {
      wipeState(st);
      throw e;
    }
    this.done = true;
    wipe(this.eph.secret);  // now lives only in the ratchet until its next step
    this.id = null;
    return { session: new Session(st), first };
  }
}
