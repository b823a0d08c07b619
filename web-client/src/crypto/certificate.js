// Listener certificates, revocation lists and enrolment requests: encoding,
// strict decoding, signing and the GP's chain check (docs/CRYPTO.md,
// "Certificates"). Twin of crypto/src/e2e/certificate.cpp.
import * as C from './constants.js';
import { fail } from './errors.js';
import { sign, verify, utf8 } from './sodium.js';
import { Reader, Writer } from './wire.js';

/**
 * @typedef {object} ListenerCertificate
 * @property {number} role  1 listener, 2 supervisor
 * @property {bigint} serial
 * @property {bigint} notBefore  unix seconds, inclusive
 * @property {bigint} notAfter   unix seconds, exclusive
 * @property {Uint8Array} identityKey  Ed25519 public key
 * @property {Uint8Array} signedKey    X25519 public key
 * @property {string} handle
 * @property {Uint8Array} signature
 */

/**
 * @typedef {object} RevocationList
 * @property {bigint} number
 * @property {bigint} issuedAt
 * @property {bigint} nextUpdate
 * @property {bigint[]} serials  strictly ascending
 * @property {Uint8Array} signature
 */

/**
 * @typedef {object} EnrolmentRequest
 * @property {Uint8Array} identityKey
 * @property {Uint8Array} signedKey
 * @property {string} handle
 * @property {Uint8Array} signature
 */

const HANDLE_RE = /^[A-Za-z0-9._-]{1,64}$/;
/** @param {string} h */
export const validHandle = (h) => typeof h === 'string' && HANDLE_RE.test(h);
const validRole = (r) => r === C.ROLE_LISTENER || r === C.ROLE_SUPERVISOR;

function certTbs(c) {
  return new Writer()
    .u8(C.PROTOCOL_VERSION).u8(C.STRUCT_CERTIFICATE).u8(c.role)
    .u64(c.serial).u64(c.notBefore).u64(c.notAfter)
    .put(c.identityKey).put(c.signedKey)
    .u8(c.handle.length).put(utf8(c.handle))
    .bytes();
}

function crlTbs(l) {
  const w = new Writer()
    .u8(C.PROTOCOL_VERSION).u8(C.STRUCT_REVOCATION_LIST)
    .u64(l.number).u64(l.issuedAt).u64(l.nextUpdate).u32(l.serials.length);
  for (const s of l.serials) w.u64(s);
  return w.bytes();
}

function enrolmentTbs(r) {
  return new Writer()
    .u8(C.PROTOCOL_VERSION).u8(C.STRUCT_ENROLMENT)
    .put(r.identityKey).put(r.signedKey)
    .u8(r.handle.length).put(utf8(r.handle))
    .bytes();
}

const withSig = (tbs, sig) => {
  const out = new Uint8Array(tbs.length + sig.length);
  out.set(tbs);
  out.set(sig, tbs.length);
  return out;
};

/** @param {ListenerCertificate} c */
export const encodeCertificate = (c) => withSig(certTbs(c), c.signature);
/** @param {RevocationList} l */
export const encodeRevocationList = (l) => withSig(crlTbs(l), l.signature);
/** @param {EnrolmentRequest} r */
export const encodeEnrolmentRequest = (r) => withSig(enrolmentTbs(r), r.signature);

function readHeader(r, type) {
  const v = r.u8();
  const t = r.u8();
  if (v !== C.PROTOCOL_VERSION) fail('bad_version');
  if (t !== type) fail('bad_type');
}

function readHandle(r) {
  const len = r.u8();
  if (len === 0 || len > C.MAX_HANDLE_BYTES) fail('bad_length');
  const raw = r.take(len);
  const h = String.fromCharCode(...raw);
  if (!validHandle(h)) fail('bad_field');
  return h;
}

function readSignatureEnd(r) {
  const sig = r.take(C.SIGNATURE_BYTES);
  if (r.remaining !== 0) fail('trailing_bytes');
  return sig;
}

/** @param {Uint8Array} bytes @returns {ListenerCertificate} */
export function decodeCertificate(bytes) {
  if (bytes.length > C.MAX_CERT_BYTES) fail('bad_length');
  const r = new Reader(bytes);
  readHeader(r, C.STRUCT_CERTIFICATE);
  const role = r.u8();
  const serial = r.u64();
  const notBefore = r.u64();
  const notAfter = r.u64();
  const identityKey = r.take(32);
  const signedKey = r.take(32);
  if (!validRole(role)) fail('bad_field');
  const handle = readHandle(r);
  const signature = readSignatureEnd(r);
  if (serial === 0n || serial > C.MAX_SERIAL) fail('bad_field');
  return { role, serial, notBefore, notAfter, identityKey, signedKey, handle, signature };
}

/** @param {Uint8Array} bytes @returns {RevocationList} */
export function decodeRevocationList(bytes) {
  const r = new Reader(bytes);
  readHeader(r, C.STRUCT_REVOCATION_LIST);
  const number = r.u64();
  const issuedAt = r.u64();
  const nextUpdate = r.u64();
  const count = r.u32();
  if (count > C.MAX_REVOKED_SERIALS) fail('bad_length');
  const need = count * 8 + C.SIGNATURE_BYTES;
  if (r.remaining < need) fail('truncated');
  if (r.remaining > need) fail('trailing_bytes');
  const serials = [];
  for (let i = 0; i < count; i++) {
    const s = r.u64();
    if (s === 0n || s > C.MAX_SERIAL || (serials.length && s <= serials[serials.length - 1])) fail('bad_field');
    serials.push(s);
  }
  const signature = readSignatureEnd(r);
  if (number === 0n) fail('bad_field');
  return { number, issuedAt, nextUpdate, serials, signature };
}

/** @param {Uint8Array} bytes @returns {EnrolmentRequest} */
export function decodeEnrolmentRequest(bytes) {
  if (bytes.length > 2 + 64 + 1 + C.MAX_HANDLE_BYTES + C.SIGNATURE_BYTES) fail('bad_length');
  const r = new Reader(bytes);
  readHeader(r, C.STRUCT_ENROLMENT);
  const identityKey = r.take(32);
  const signedKey = r.take(32);
  const handle = readHandle(r);
  const signature = readSignatureEnd(r);
  return { identityKey, signedKey, handle, signature };
}

function checkPeriod(notBefore, notAfter, max) {
  if (notAfter <= notBefore || notAfter - notBefore > max) fail('cert_validity_too_long');
}

/**
 * Signs a certificate with the root's 64-byte Ed25519 secret key.
 * @param {Omit<ListenerCertificate,'signature'>} c @param {Uint8Array} rootSecret
 * @returns {ListenerCertificate}
 */
export function signCertificate(c, rootSecret) {
  if (!validRole(c.role) || c.serial === 0n || c.serial > C.MAX_SERIAL || !validHandle(c.handle)) fail('bad_field');
  checkPeriod(c.notBefore, c.notAfter, C.MAX_CERT_VALIDITY_S);
  return { ...c, signature: sign(C.LABEL_CERTIFICATE, certTbs(c), rootSecret) };
}

/**
 * @param {Omit<RevocationList,'signature'>} l @param {Uint8Array} rootSecret
 * @returns {RevocationList}
 */
export function signRevocationList(l, rootSecret) {
  const serials = [...new Set(l.serials.map(BigInt))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (l.number === 0n || serials.length > C.MAX_REVOKED_SERIALS) fail('bad_field');
  if (serials.length && (serials[0] === 0n || serials[serials.length - 1] > C.MAX_SERIAL)) fail('bad_field');
  if (l.nextUpdate <= l.issuedAt || l.nextUpdate - l.issuedAt > C.MAX_CRL_VALIDITY_S) fail('bad_field');
  const list = { ...l, serials };
  return { ...list, signature: sign(C.LABEL_REVOCATION, crlTbs(list), rootSecret) };
}

/**
 * @param {Omit<EnrolmentRequest,'signature'>} r @param {Uint8Array} identitySecret
 * @returns {EnrolmentRequest}
 */
export function signEnrolmentRequest(r, identitySecret) {
  if (!validHandle(r.handle)) fail('bad_field');
  return { ...r, signature: sign(C.LABEL_ENROLMENT, enrolmentTbs(r), identitySecret) };
}

export const certificateSignatureOk = (c, root) => verify(C.LABEL_CERTIFICATE, certTbs(c), c.signature, root);
export const revocationSignatureOk = (l, root) => verify(C.LABEL_REVOCATION, crlTbs(l), l.signature, root);
export const enrolmentSignatureOk = (r) => verify(C.LABEL_ENROLMENT, enrolmentTbs(r), r.signature, r.identityKey);

/**
 * @typedef {object} TrustAnchor
 * @property {Uint8Array} root  the pinned organisation public key
 * @property {Uint8Array} revocationList  the latest encoded list
 * @property {bigint|number} now  unix seconds
 * @property {number[]} [allowedRoles]  default [listener]
 * @property {bigint|number} [minCrlNumber]  highest list number already accepted
 */

/**
 * The GP's whole chain check; throws E2eError with the first failure, in the
 * order of docs/CRYPTO.md ("Verifying a listener").
 * @param {Uint8Array} certBytes @param {TrustAnchor} trust @returns {ListenerCertificate}
 */
export function verifyListenerCertificate(certBytes, trust) {
  const now = BigInt(trust.now);
  const c = decodeCertificate(certBytes);
  if (!certificateSignatureOk(c, trust.root)) fail('bad_signature');
  checkPeriod(c.notBefore, c.notAfter, C.MAX_CERT_VALIDITY_S);
  if (now < c.notBefore) fail('cert_not_yet_valid');
  if (now >= c.notAfter) fail('cert_expired');
  const l = decodeRevocationList(trust.revocationList ?? new Uint8Array(0));
  if (!revocationSignatureOk(l, trust.root)) fail('bad_signature');
  if (now >= l.nextUpdate) fail('crl_stale');
  if (l.number < BigInt(trust.minCrlNumber ?? 0)) fail('crl_rollback');
  if (l.serials.includes(c.serial)) fail('cert_revoked');
  if (!(trust.allowedRoles ?? [C.ROLE_LISTENER]).includes(c.role)) fail('cert_wrong_role');
  return c;
}
