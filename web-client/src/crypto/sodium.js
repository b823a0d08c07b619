// The libsodium-wrappers calls PSC-1 is built from, mirroring
// crypto/src/e2e/primitives.hpp. Call `ready()` once before anything else.
import libsodium from 'libsodium-wrappers';

/** @type {any} */
let sodium = null;

/** Loads libsodium (WebAssembly). Safe to call more than once. */
export async function ready() {
  await libsodium.ready;
  sodium = libsodium;
}

/** @returns {any} the initialised libsodium-wrappers object */
export function lib() {
  if (!sodium) throw new Error('PSC-1: call ready() first');
  return sodium;
}

const encoder = new TextEncoder();
/** @param {string} s @returns {Uint8Array} */
export const utf8 = (s) => encoder.encode(s);

/** @param {...Uint8Array} parts @returns {Uint8Array} */
export function concat(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * BLAKE2b-256 of the concatenation of `parts`, keyed with `key` (or unkeyed).
 * @param {Uint8Array[]} parts @param {Uint8Array|null} [key] @returns {Uint8Array}
 */
export function hash(parts, key = null) {
  return lib().crypto_generichash(32, concat(...parts), key);
}

/** crypto_kdf_derive_from_key(32, id, ctx, key). */
export function kdf(key, id, ctx) {
  return lib().crypto_kdf_derive_from_key(32, id, ctx, key);
}

/**
 * X25519; null when the result is all zero (low-order or invalid point).
 * @param {Uint8Array} secret @param {Uint8Array} pub @returns {Uint8Array|null}
 */
export function dh(secret, pub) {
  let out;
  try {
    out = lib().crypto_scalarmult(secret, pub);
  } catch {
    return null;  // libsodium reported an all-zero result
  }
  // Checked here too, so behaviour does not depend on the wrapper version.
  if (isZero(out)) return null;
  return out;
}

/** @param {Uint8Array} secret @returns {Uint8Array} */
export function dhPublic(secret) {
  return lib().crypto_scalarmult_base(secret);
}

/** Ed25519 detached signature over label || message. */
export function sign(label, message, secret) {
  return lib().crypto_sign_detached(concat(utf8(label), message), secret);
}

/** @returns {boolean} */
export function verify(label, message, signature, publicKey) {
  try {
    return lib().crypto_sign_verify_detached(signature, concat(utf8(label), message), publicKey);
  } catch {
    return false;
  }
}

/** XChaCha20-Poly1305-IETF encryption. */
export function seal(key, nonce, plain, ad) {
  return lib().crypto_aead_xchacha20poly1305_ietf_encrypt(plain, ad, null, nonce, key);
}

/** @returns {Uint8Array|null} the plaintext, or null if it does not authenticate */
export function open(key, nonce, cipher, ad) {
  if (cipher.length < 16) return null;
  try {
    return lib().crypto_aead_xchacha20poly1305_ietf_decrypt(null, cipher, ad, nonce, key);
  } catch {
    return null;
  }
}

/** Constant-time equality of two byte strings (false for different lengths). */
export function equal(a, b) {
  if (a.length !== b.length) return false;
  if (a.length === 0) return true;
  return lib().memcmp(a, b);
}

/** Overwrites a secret in place. */
export function wipe(buf) {
  if (buf) lib().memzero(buf);
}

function isZero(b) {
  let acc = 0;
  for (const x of b) acc |= x;
  return acc === 0;
}

export const toHex = (b) => lib().to_hex(b);
export const fromHex = (h) => lib().from_hex(h);
