// The one MLS ciphersuite Peerline groups use, and the group layer's limits
// (docs/CRYPTO.md, "Groups": why this suite, and what each limit bounds).
import { getCiphersuiteFromName, getCiphersuiteImpl } from 'ts-mls';
import type { CiphersuiteImpl, CiphersuiteName } from 'ts-mls';

// X25519, Ed25519, ChaCha20-Poly1305 and SHA-256: every primitive is in
// libsodium 1.0.18 (the server's and PSC-1's library), the signature key type
// is the one certificates already carry, and in the browser X25519, Ed25519
// and SHA-256 come from WebCrypto, ChaCha20-Poly1305 from @noble/ciphers.
export const CIPHERSUITE: CiphersuiteName = 'MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519';

/** Random bytes of a group id. */
export const GROUP_ID_BYTES = 16;
/** Leaves in a group: ten GPs, the facilitator, a co-facilitator and room to spare. */
export const MAX_MEMBERS = 16;
/** Largest message processIncoming or join reads (a Welcome for MAX_MEMBERS is far smaller). */
export const MAX_INCOMING_BYTES = 65536;
/** Application payloads are padded to one of these sizes before encryption. */
export const PAD_BUCKETS = Object.freeze([256, 1024, 4096, 16384]);
/** Largest application payload: the biggest bucket less the padding marker. */
export const MAX_MESSAGE_BYTES = PAD_BUCKETS[PAD_BUCKETS.length - 1] - 1;
/** How long a member's key package is valid, seconds (a session is about an hour). */
export const KEY_PACKAGE_LIFETIME_S = 24 * 3600;

let impl: Promise<CiphersuiteImpl> | null = null;

/** The ciphersuite's implementation, made once. */
export function ciphersuite(): Promise<CiphersuiteImpl> {
  impl ??= getCiphersuiteImpl(getCiphersuiteFromName(CIPHERSUITE));
  return impl;
}

/**
 * A key package's MLS lifetime: five minutes of clock skew back, then
 * KEY_PACKAGE_LIFETIME_S. From the device's wall clock, because ts-mls checks
 * it against Date.now() when the facilitator adds the key package.
 */
export function keyPackageLifetime() {
  const t = BigInt(Math.floor(Date.now() / 1000));
  return { notBefore: t - 300n, notAfter: t + BigInt(KEY_PACKAGE_LIFETIME_S) };
}
