// The organisation's root-key operations in JavaScript, for tests and the
// shared vectors (administrators use the C++ `peerline org` commands; the
// browser only ever verifies). Twin of crypto/src/e2e/org.cpp.
import * as C from './constants.js';
import {
  decodeEnrolmentRequest, decodeRevocationList, encodeCertificate, encodeRevocationList,
  enrolmentSignatureOk, revocationSignatureOk, signCertificate, signRevocationList,
} from './certificate.js';
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

/** A new list: `current` (or none) plus `addSerials`, number + 1. */
export function revoke(root, current, addSerials, now, validity) {
  let number = 0n;
  let serials = [];
  if (current && current.length) {
    const old = decodeRevocationList(current);
    if (!revocationSignatureOk(old, root.publicKey)) fail('bad_signature');
    number = old.number;
    serials = old.serials;
  }
  const issuedAt = BigInt(now);
  return encodeRevocationList(signRevocationList({
    number: number + 1n, issuedAt, nextUpdate: issuedAt + BigInt(validity),
    serials: [...serials, ...addSerials.map(BigInt)],
  }, root.secret));
}
