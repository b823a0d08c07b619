// The framing every signed structure shares (certificates, revocation lists,
// delegations, enrolment requests, the directory): version and type header,
// handles, the signature at the end. Its own module so that certificate.js
// and directory.js both use it without importing each other.
import * as C from './constants.js';
import { fail } from './errors.js';

const HANDLE_RE = /^[A-Za-z0-9._-]{1,64}$/;
/** @param {string} h */
export const validHandle = (h) => typeof h === 'string' && HANDLE_RE.test(h);
export const withSig = (tbs, sig) => {
  const out = new Uint8Array(tbs.length + sig.length);
  out.set(tbs);
  out.set(sig, tbs.length);
  return out;
};

export function readHeader(r, type) {
  const v = r.u8();
  const t = r.u8();
  if (v !== C.PROTOCOL_VERSION) fail('bad_version');
  if (t !== type) fail('bad_type');
}

export function readHandle(r) {
  const len = r.u8();
  if (len === 0 || len > C.MAX_HANDLE_BYTES) fail('bad_length');
  const raw = r.take(len);
  const h = String.fromCharCode(...raw);
  if (!validHandle(h)) fail('bad_field');
  return h;
}

export function readSignatureEnd(r) {
  const sig = r.take(C.SIGNATURE_BYTES);
  if (r.remaining !== 0) fail('trailing_bytes');
  return sig;
}
