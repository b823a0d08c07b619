// The organisation's root-key and revocation-key operations in JavaScript,
// for tests, the shared vectors and the administrator's dashboard (which
// builds the next revocation list with nextRevocationList and signs it with
// its WebCrypto key; the root key is only ever used by the C++ `peerline org`
// commands). Twin of crypto/src/e2e/org.cpp.
import * as C from './constants.js';
import {
  canonicalRevocationList, certificateSignatureOk, decodeCertificate, decodeEnrolmentRequest,
  decodeRevocationDelegation, decodeRevocationList, delegationSignatureOk, encodeCertificate,
  encodeRevocationDelegation, encodeRevocationList, enrolmentSignatureOk, revocationSignatureOk,
  signCertificate, signRevocationDelegation, signRevocationList,
} from './certificate.js';
import { decodeDirectory, directorySignatureOk, encodeDirectory, signDirectory } from './directory.js';
import { fail } from './errors.js';
import { draw } from './rng.js';
import { hash, lib, utf8, wipe } from './sodium.js';

/** A root key pair from 32 random bytes of seed. */
export function generateRootKey(rng) {
  const seed = draw(rng, 32);
  const kp = lib().crypto_sign_seed_keypair(seed);
  wipe(seed);
  return { secret: kp.privateKey, publicKey: kp.publicKey };
}

/** "xxxx xxxx ..." : first 16 bytes of BLAKE2b-256("PSC1/root-fingerprint" || pk), hex. */
export function fingerprint(root) {
  const hex = lib().to_hex(hash([utf8(C.LABEL_ROOT_FINGERPRINT), root]).subarray(0, 16));
  return hex.match(/.{4}/g).join(' ');
}

/** Certifies an encoded enrolment request; returns the encoded certificate. */
export function certify(root, enrolmentRequest, role, serial, notBefore, validity) {
  const req = decodeEnrolmentRequest(enrolmentRequest);
  if (!enrolmentSignatureOk(req)) fail('bad_signature');
  const v = BigInt(validity);
  if (v === 0n || v > C.MAX_CERT_VALIDITY_S) fail('cert_validity_too_long');
  const nb = BigInt(notBefore);
  return encodeCertificate(signCertificate({
    role, serial: BigInt(serial), notBefore: nb, notAfter: nb + v,
    identityKey: req.identityKey, signedKey: req.signedKey, handle: req.handle,
  }, root.secret));
}

/** A revocation key pair from 32 random bytes of seed (same derivation as the root's). */
export const generateRevocationKey = generateRootKey;

/**
 * What a listener reads out and `peerline org certify --expect-fingerprint`
 * takes: six groups of five digits from BLAKE2b-256("PSC1/key-fingerprint" ||
 * key), each group 5 bytes big-endian mod 100000.
 * @param {Uint8Array} identityKey @returns {string}
 */
export function keyFingerprint(identityKey) {
  const h = hash([utf8(C.LABEL_KEY_FINGERPRINT), identityKey]);
  const groups = [];
  for (let g = 0; g < 6; g++) {
    let v = 0n;
    for (let i = 0; i < 5; i++) v = (v << 8n) | BigInt(h[g * 5 + i]);
    groups.push(String(v % 100000n).padStart(5, '0'));
  }
  return groups.join(' ');
}

/** True if `typed` (digits, spaces, hyphens) is the key's fingerprint. */
export function fingerprintMatches(typed, identityKey) {
  if (!/^[0-9 -]*$/.test(typed)) return false;
  return typed.replace(/[ -]/g, '') === keyFingerprint(identityKey).replace(/ /g, '');
}

/** The next directory: `current` (or none) with the certificate's entry, retiring a replaced serial. */
export function updateDirectory(root, current, certificate, now) {
  const cert = decodeCertificate(certificate);
  if (!certificateSignatureOk(cert, root.publicKey)) fail('bad_signature');
  let d = { number: 0n, issuedAt: 0n, entries: [], retired: [] };
  if (current && current.length) {
    d = decodeDirectory(current);
    if (!directorySignatureOk(d, root.publicKey)) fail('bad_signature');
  }
  const entries = d.entries.filter((e) => e.handle !== cert.handle);
  const old = d.entries.find((e) => e.handle === cert.handle);
  const retired = old && old.serial !== cert.serial ? [...d.retired, old.serial] : d.retired;
  entries.push({
    handle: cert.handle, serial: cert.serial, notBefore: cert.notBefore, notAfter: cert.notAfter, identityKey: cert.identityKey,
  });
  return encodeDirectory(signDirectory({ number: d.number + 1n, issuedAt: BigInt(now), entries, retired }, root.secret));
}

/** The root delegates list signing to `revocationPublic` for `validity` seconds from `notBefore`. */
export function delegateRevocation(root, revocationPublic, notBefore, validity) {
  const v = BigInt(validity);
  if (v === 0n || v > C.MAX_DELEGATION_VALIDITY_S) fail('bad_field');
  const nb = BigInt(notBefore);
  return encodeRevocationDelegation(signRevocationDelegation({ revocationKey: revocationPublic, notBefore: nb, notAfter: nb + v }, root.secret));
}

/**
 * The next list's fields, unsigned: every previous list's serials (each
 * must verify under the signing key or a key of `previousDelegations`, each
 * root-verified), the directory's retired serials and
 * `addSerials`; number one above the highest previous; names the directory,
 * which must be no older than any previous list names. Twin of
 * org::next_revocation_list.
 * @param {{root: Uint8Array, delegation: Uint8Array, previous?: Uint8Array[], previousDelegations?: Uint8Array[], directory: Uint8Array,
 *   addSerials?: (bigint|number|string)[], now: bigint|number, validity?: bigint|number}} inp
 */
export function nextRevocationList(inp) {
  const now = BigInt(inp.now);
  const delegation = decodeRevocationDelegation(inp.delegation);
  if (!delegationSignatureOk(delegation, inp.root)) fail('bad_signature');
  if (now < delegation.notBefore || now >= delegation.notAfter) fail('delegation_invalid');
  // No directory yet (nobody certified): the list names none (0).
  const none = !inp.directory || !inp.directory.length;
  const dir = none ? { number: 0n, retired: [] } : decodeDirectory(inp.directory);
  if (!none && !directorySignatureOk(dir, inp.root)) fail('bad_signature');
  const signers = [delegation.revocationKey];
  for (const d of inp.previousDelegations ?? []) {
    if (!d || !d.length) continue;
    const other = decodeRevocationDelegation(d);
    if (!delegationSignatureOk(other, inp.root)) fail('bad_signature');
    signers.push(other.revocationKey);
  }
  let number = 0n;
  let serials = [];
  for (const prev of inp.previous ?? []) {
    if (!prev || !prev.length) continue;
    const old = decodeRevocationList(prev);
    if (!signers.some((k) => revocationSignatureOk(old, k))) fail('bad_signature');
    if (old.directoryNumber > dir.number) fail('directory_stale');
    if (old.number > number) number = old.number;
    serials = serials.concat(old.serials);
  }
  const validity = BigInt(inp.validity ?? C.MAX_CRL_VALIDITY_S);
  if (validity === 0n || validity > C.MAX_CRL_VALIDITY_S) fail('crl_validity_too_long');
  return canonicalRevocationList({
    number: number + 1n, issuedAt: now, nextUpdate: now + validity, directoryNumber: dir.number,
    serials: [...serials, ...dir.retired, ...(inp.addSerials ?? []).map(BigInt)],
  });
}

/** nextRevocationList signed with a libsodium revocation key pair; returns the encoded list. */
export function signNextRevocationList(key, inp) {
  const delegation = decodeRevocationDelegation(inp.delegation);
  if (!equalBytes(delegation.revocationKey, key.publicKey)) fail('bad_signature');
  return encodeRevocationList(signRevocationList(nextRevocationList(inp), key.secret));
}

const equalBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * A whole trust state for tests (twin of org::make_trust): a revocation key
 * from `rng`, delegated from `issuedAt` for 366 days; a directory naming
 * `certificates` in order; a list signed at `issuedAt` revoking `revoked`.
 */
export function makeTrust(root, rng, certificates, revoked, issuedAt, validity, now) {
  const rev = generateRevocationKey(rng);
  const revocationDelegation = delegateRevocation(root, rev.publicKey, issuedAt, C.MAX_DELEGATION_VALIDITY_S);
  let directory = null;
  for (const c of certificates) directory = updateDirectory(root, directory, c, issuedAt);
  directory ??= encodeDirectory(signDirectory({ number: 1n, issuedAt: BigInt(issuedAt), entries: [], retired: [] }, root.secret));
  const revocationList = signNextRevocationList(rev, {
    root: root.publicKey, delegation: revocationDelegation, directory, addSerials: revoked, now: issuedAt, validity,
  });
  return { root: root.publicKey, revocationDelegation, directory, revocationList, now };
}
