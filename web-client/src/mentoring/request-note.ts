// The GP's short, optional note to a mentor with a mentoring request (issue
// 15), end-to-end encrypted: the server relays and keeps only ciphertext.
// The GP's side is an X25519 key derived from the relationship key
// (relationship-key.ts noteSecret, crypto_kdf subkey 2) and the mentor's key,
// so the GP can read their own note again on any device that restores the
// key, and two mentors asked with one relationship key see different N; the
// mentor's side is their certified signed key S (a non-extractable WebCrypto
// key on their device, the same S their certificate vouches for in PSC-1).
// S is taken only from a certificate checked against the GP's trust state,
// never as bare bytes, so a server cannot substitute its own key.
//
//   n      = BLAKE2b-256(key = noteSecret(K), "PLM1/request-note/n" || S_pub)
//   shared = X25519(n, S)           (either side: X25519(s, N))
//   key    = BLAKE2b-256(key = shared, "PLM1/request-note" || N || S_pub)
//   sealed = 0x01 || N || nonce(24) || XChaCha20-Poly1305(key, nonce, pad(note), ad)
//   ad     = "PLM1/request-note" || 0x01 || N || S_pub
//
// The note is padded to a multiple of 512 bytes so its length says little.
// The mentor learns nothing about the GP from N: it is fresh per relationship
// and mentor. The note is confidential but not sender-authenticated: anyone
// who knows S_pub can write one.
import { verifyListenerCertificate } from '../crypto/certificate.js';
import type { TrustAnchor } from '../crypto/certificate.js';
import { E2eError } from '../crypto/errors.js';
import { pad, unpad } from '../crypto/padding.js';
import { concat, dh, dhPublic, hash, lib, open, seal, utf8, wipe } from '../crypto/sodium.js';
import { noteSecret } from './relationship-key';

export { ready } from './relationship-key';

export const REQUEST_NOTE_LABEL = 'PLM1/request-note';
export const VERSION = 1;
export const MAX_NOTE_CHARS = 2000;
const BLOCK = 512;
const HEADER = 1 + 32 + 24;

export class RequestNoteError extends Error {
  constructor(readonly code: 'too_long' | 'bad_key' | 'bad_certificate' | 'cannot_open', message: string) {
    super(message);
    this.name = 'RequestNoteError';
  }
}

/** What the mentor's device needs: S as a CryptoKey (or raw bytes in tests) and its public half. */
export interface MentorSignedKey {
  signedKey?: CryptoKey;
  signedSecret?: Uint8Array;
  signedPublic: Uint8Array;
}

function keyFrom(shared: Uint8Array, gpPublic: Uint8Array, mentorPublic: Uint8Array): Uint8Array {
  const k = hash([utf8(REQUEST_NOTE_LABEL), gpPublic, mentorPublic], shared) as Uint8Array;
  wipe(shared);
  return k;
}

const ad = (gpPublic: Uint8Array, mentorPublic: Uint8Array) =>
  concat(utf8(REQUEST_NOTE_LABEL), Uint8Array.of(VERSION), gpPublic, mentorPublic) as Uint8Array;

function checkPublic(p: Uint8Array): void {
  if (!(p instanceof Uint8Array) || p.length !== 32) throw new RequestNoteError('bad_key', 'A public key is 32 bytes.');
}

/** The GP's X25519 secret for notes to the mentor whose signed key is `mentorPublic`. The caller wipes it. */
function gpSecret(relationshipKey: Uint8Array, mentorPublic: Uint8Array): Uint8Array {
  const base = noteSecret(relationshipKey);
  const n = hash([utf8(`${REQUEST_NOTE_LABEL}/n`), mentorPublic], base) as Uint8Array;
  wipe(base);
  return n;
}

/**
 * The mentor's signed key S from their certificate, checked as a GP checks a
 * listener (pinned root, validity, revocation list, directory, role) against
 * `trust` (with `now`). Refused: 'bad_certificate' (the message names the
 * PSC-1 code, e.g. cert_revoked).
 */
export function mentorSignedKey(mentorCertificate: Uint8Array, trust: TrustAnchor): Uint8Array {
  try {
    return verifyListenerCertificate(mentorCertificate, trust).signedKey;
  } catch (e) {
    if (e instanceof E2eError) {
      throw new RequestNoteError('bad_certificate', `The mentor's certificate is not valid here (${(e as E2eError & { code: string }).code}).`);
    }
    throw e;
  }
}

/**
 * The GP's note for the mentor whose certificate is `mentorCertificate`,
 * verified against the GP's `trust` state first (mentorSignedKey); the note is
 * sealed to the signed key that certificate vouches for. Call ready() first.
 */
export function sealRequestNote(relationshipKey: Uint8Array, mentorCertificate: Uint8Array, trust: TrustAnchor, note: string): Uint8Array {
  if (typeof note !== 'string' || note.length > MAX_NOTE_CHARS) {
    throw new RequestNoteError('too_long', `A note to the mentor is at most ${MAX_NOTE_CHARS} characters.`);
  }
  const mentorPublic = mentorSignedKey(mentorCertificate, trust);
  checkPublic(mentorPublic);
  const n = gpSecret(relationshipKey, mentorPublic);
  const gpPublic = dhPublic(n) as Uint8Array;
  const shared = dh(n, mentorPublic) as Uint8Array | null;
  wipe(n);
  if (!shared) throw new RequestNoteError('bad_key', 'The mentor\'s key is not a usable X25519 key.');
  const key = keyFrom(shared, gpPublic, mentorPublic);
  const text = utf8(note) as Uint8Array;
  const padded = pad(text, Math.ceil((text.length + 1) / BLOCK) * BLOCK) as Uint8Array;
  const nonce = lib().randombytes_buf(24) as Uint8Array;
  const ct = seal(key, nonce, padded, ad(gpPublic, mentorPublic)) as Uint8Array;
  wipe(key);
  wipe(padded);
  return concat(Uint8Array.of(VERSION), gpPublic, nonce, ct) as Uint8Array;
}

function parts(sealed: Uint8Array): { gpPublic: Uint8Array; nonce: Uint8Array; ct: Uint8Array } {
  const max = HEADER + Math.ceil((MAX_NOTE_CHARS * 3 + 1) / BLOCK) * BLOCK + 16;
  if (!(sealed instanceof Uint8Array) || sealed.length < HEADER + BLOCK + 16 || sealed.length > max || sealed[0] !== VERSION) {
    throw new RequestNoteError('cannot_open', 'This is not a note this version can read.');
  }
  return { gpPublic: sealed.subarray(1, 33), nonce: sealed.subarray(33, 57), ct: sealed.subarray(57) };
}

function finish(key: Uint8Array, p: ReturnType<typeof parts>, mentorPublic: Uint8Array): string {
  const plain = open(key, p.nonce, p.ct, ad(p.gpPublic, mentorPublic)) as Uint8Array | null;
  wipe(key);
  if (!plain) throw new RequestNoteError('cannot_open', 'This note does not open: it was changed, or is not for this key.');
  let text: Uint8Array;
  try {
    text = unpad(plain) as Uint8Array;
  } catch {
    throw new RequestNoteError('cannot_open', 'This note is damaged.');
  } finally {
    wipe(plain);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(text);
  } catch {
    // A TypeError from the decoder: authentic bytes that are not UTF-8.
    throw new RequestNoteError('cannot_open', 'This note is not readable text.');
  }
}

/** X25519 with the mentor's S: WebCrypto deriveBits (S never leaves WebCrypto) or, in tests, raw bytes. Null if all zero. */
async function mentorDh(mentor: MentorSignedKey, peer: Uint8Array): Promise<Uint8Array | null> {
  if (mentor.signedKey) {
    let out: Uint8Array;
    try {
      const pub = await globalThis.crypto.subtle.importKey('raw', Uint8Array.from(peer), { name: 'X25519' }, true, []);
      out = new Uint8Array(await globalThis.crypto.subtle.deriveBits({ name: 'X25519', public: pub }, mentor.signedKey, 256));
    } catch {
      return null; // WebCrypto refuses an all-zero result
    }
    return out.every((b) => b === 0) ? null : out;
  }
  if (mentor.signedSecret) return dh(mentor.signedSecret, peer) as Uint8Array | null;
  throw new RequestNoteError('bad_key', 'The mentor\'s signed key is needed.');
}

/** The note, on the mentor's device, with S (WebCrypto deriveBits, or raw bytes in tests). */
export async function openRequestNoteAsMentor(sealed: Uint8Array, mentor: MentorSignedKey): Promise<string> {
  checkPublic(mentor.signedPublic);
  const p = parts(sealed);
  const shared = await mentorDh(mentor, p.gpPublic);
  if (!shared) throw new RequestNoteError('cannot_open', 'This note does not open: its key is not usable.');
  return finish(keyFrom(shared, p.gpPublic, mentor.signedPublic), p, mentor.signedPublic);
}

/**
 * The note, on any of the GP's devices holding the relationship key. A bare
 * key is enough here: a wrong one only makes the note not open.
 */
export function openRequestNoteAsGp(sealed: Uint8Array, relationshipKey: Uint8Array, mentorPublic: Uint8Array): string {
  checkPublic(mentorPublic);
  const p = parts(sealed);
  const n = gpSecret(relationshipKey, mentorPublic);
  const mine = dhPublic(n) as Uint8Array;
  const shared = dh(n, mentorPublic) as Uint8Array | null;
  wipe(n);
  if (!shared || !lib().memcmp(mine, p.gpPublic)) {
    if (shared) wipe(shared);
    throw new RequestNoteError('cannot_open', 'This note was not written with this relationship key.');
  }
  return finish(keyFrom(shared, p.gpPublic, mentorPublic), p, mentorPublic);
}
