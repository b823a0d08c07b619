// Listener certificates, revocation lists, revocation-key delegations and
// enrolment requests: encoding, strict decoding, signing, and the GP's checks
// of a trust state and of a listener's chain (docs/CRYPTO.md,
// "Certificates"). Twin of crypto/src/e2e/certificate.cpp; the directory is
// in directory.js, the framing both share in signed.js.
import * as C from './constants.js';
import { fail } from './errors.js';
import { decodeDirectory, directorySignatureOk } from './directory.js';
import { readHandle, readHeader, readSignatureEnd, validHandle, withSig } from './signed.js';
import { concat, equal, sign, verify, utf8 } from './sodium.js';
import { Reader, Writer } from './wire.js';

// The shared framing, still exported from here for existing importers.
export { readHandle, readHeader, readSignatureEnd, validHandle, withSig } from './signed.js';

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
 * @property {bigint} directoryNumber  the directory current when it was signed (0n = none)
 * @property {bigint[]} serials  strictly ascending
 * @property {Uint8Array} signature
 */

/**
 * @typedef {object} RevocationDelegation
 * @property {Uint8Array} revocationKey  Ed25519 public key
 * @property {bigint} notBefore
 * @property {bigint} notAfter
 * @property {Uint8Array} signature  by the root
 */

/**
 * @typedef {object} EnrolmentRequest
 * @property {Uint8Array} identityKey
 * @property {Uint8Array} signedKey
 * @property {string} handle
 * @property {Uint8Array} signature
 */

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
    .u64(l.number).u64(l.issuedAt).u64(l.nextUpdate).u64(l.directoryNumber).u32(l.serials.length);
  for (const s of l.serials) w.u64(s);
  return w.bytes();
}

function delegationTbs(d) {
  return new Writer()
    .u8(C.PROTOCOL_VERSION).u8(C.STRUCT_REVOCATION_DELEGATION)
    .put(d.revocationKey).u64(d.notBefore).u64(d.notAfter)
    .bytes();
}

function enrolmentTbs(r) {
  return new Writer()
    .u8(C.PROTOCOL_VERSION).u8(C.STRUCT_ENROLMENT)
    .put(r.identityKey).put(r.signedKey)
    .u8(r.handle.length).put(utf8(r.handle))
    .bytes();
}

/** @param {ListenerCertificate} c */
export const encodeCertificate = (c) => withSig(certTbs(c), c.signature);
/** @param {RevocationList} l */
export const encodeRevocationList = (l) => withSig(crlTbs(l), l.signature);
/** @param {EnrolmentRequest} r */
export const encodeEnrolmentRequest = (r) => withSig(enrolmentTbs(r), r.signature);
/** @param {RevocationDelegation} d */
export const encodeRevocationDelegation = (d) => withSig(delegationTbs(d), d.signature);

/**
 * What a revocation key signs for a list: label || fields. An
 * administrator's browser signs these bytes with its WebCrypto key.
 * @param {Omit<RevocationList,'signature'>} l
 */
export const revocationListSignedBytes = (l) => concat(utf8(C.LABEL_REVOCATION), crlTbs(l));

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
  const directoryNumber = r.u64();
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
  return { number, issuedAt, nextUpdate, directoryNumber, serials, signature };
}

/** @param {Uint8Array} bytes @returns {RevocationDelegation} */
export function decodeRevocationDelegation(bytes) {
  if (bytes.length > C.DELEGATION_BYTES) fail('bad_length');
  const r = new Reader(bytes);
  readHeader(r, C.STRUCT_REVOCATION_DELEGATION);
  const revocationKey = r.take(32);
  const notBefore = r.u64();
  const notAfter = r.u64();
  const signature = readSignatureEnd(r);
  return { revocationKey, notBefore, notAfter, signature };
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
 * The list's fields in canonical form (serials sorted, unique), checked as
 * signing requires; throws otherwise.
 * @param {Omit<RevocationList,'signature'>} l @returns {Omit<RevocationList,'signature'>}
 */
export function canonicalRevocationList(l) {
  const serials = [...new Set(l.serials.map(BigInt))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (l.number === 0n || serials.length > C.MAX_REVOKED_SERIALS) fail('bad_field');
  if (serials.length && (serials[0] === 0n || serials[serials.length - 1] > C.MAX_SERIAL)) fail('bad_field');
  if (l.nextUpdate <= l.issuedAt || l.nextUpdate - l.issuedAt > C.MAX_CRL_VALIDITY_S) fail('crl_validity_too_long');
  return { ...l, directoryNumber: BigInt(l.directoryNumber ?? 0n), serials };
}

/**
 * Signs with the delegated revocation key's 64-byte libsodium secret (a CLI
 * or test; administrators' browsers sign revocationListSignedBytes with a
 * WebCrypto key instead).
 * @param {Omit<RevocationList,'signature'>} l @param {Uint8Array} revocationSecret
 * @returns {RevocationList}
 */
export function signRevocationList(l, revocationSecret) {
  const list = canonicalRevocationList(l);
  return { ...list, signature: sign(C.LABEL_REVOCATION, crlTbs(list), revocationSecret) };
}

/**
 * @param {Omit<RevocationDelegation,'signature'>} d @param {Uint8Array} rootSecret
 * @returns {RevocationDelegation}
 */
export function signRevocationDelegation(d, rootSecret) {
  if (d.notAfter <= d.notBefore || d.notAfter - d.notBefore > C.MAX_DELEGATION_VALIDITY_S) fail('bad_field');
  return { ...d, signature: sign(C.LABEL_DELEGATION, delegationTbs(d), rootSecret) };
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
export const revocationSignatureOk = (l, revocationKey) => verify(C.LABEL_REVOCATION, crlTbs(l), l.signature, revocationKey);
export const delegationSignatureOk = (d, root) => verify(C.LABEL_DELEGATION, delegationTbs(d), d.signature, root);
export const enrolmentSignatureOk = (r) => verify(C.LABEL_ENROLMENT, enrolmentTbs(r), r.signature, r.identityKey);

/**
 * @typedef {object} TrustAnchor
 * @property {Uint8Array} root  the pinned organisation public key
 * @property {Uint8Array} revocationList  the latest encoded list, signed by the delegated revocation key
 * @property {Uint8Array} revocationDelegation  the root's delegation to that key
 * @property {Uint8Array} directory  the root-signed directory
 * @property {bigint|number} now  unix seconds
 * @property {number[]} [allowedRoles]  default [listener]
 * @property {bigint|number} [minCrlNumber]  lowest list number accepted (the build's floor, or the highest seen)
 */

/**
 * The delegation, list and directory of a trust anchor, each checked against
 * the root, the clock and each other, in the order of verify_trust_state in
 * C++. Throws E2eError with the first failure.
 * @param {TrustAnchor} trust
 * @returns {{delegation: RevocationDelegation, list: RevocationList, directory: import('./directory.js').Directory}}
 */
export function verifyTrustState(trust) {
  const now = BigInt(trust.now);
  const delegation = decodeRevocationDelegation(trust.revocationDelegation ?? new Uint8Array(0));
  if (!delegationSignatureOk(delegation, trust.root)) fail('bad_signature');
  if (delegation.notAfter <= delegation.notBefore || delegation.notAfter - delegation.notBefore > C.MAX_DELEGATION_VALIDITY_S) {
    fail('delegation_invalid');
  }
  if (now < delegation.notBefore || now >= delegation.notAfter) fail('delegation_invalid');

  const list = decodeRevocationList(trust.revocationList ?? new Uint8Array(0));
  if (!revocationSignatureOk(list, delegation.revocationKey)) fail('bad_signature');
  if (list.nextUpdate <= list.issuedAt || list.nextUpdate - list.issuedAt > C.MAX_CRL_VALIDITY_S) fail('crl_validity_too_long');
  if (list.issuedAt < delegation.notBefore || list.issuedAt >= delegation.notAfter) fail('delegation_invalid');
  if (now >= list.nextUpdate) fail('crl_stale');
  if (list.number < BigInt(trust.minCrlNumber ?? 0)) fail('crl_rollback');

  const directory = decodeDirectory(trust.directory ?? new Uint8Array(0));
  if (!directorySignatureOk(directory, trust.root)) fail('bad_signature');
  if (directory.number < list.directoryNumber) fail('directory_stale');
  return { delegation, list, directory };
}

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
  const state = verifyTrustState(trust);
  if (state.list.serials.includes(c.serial)) fail('cert_revoked');
  const entry = state.directory.entries.find((e) => e.handle === c.handle);
  if (!entry || entry.serial !== c.serial || !equal(entry.identityKey, c.identityKey)) fail('not_in_directory');
  if (!(trust.allowedRoles ?? [C.ROLE_LISTENER]).includes(c.role)) fail('cert_wrong_role');
  return c;
}
