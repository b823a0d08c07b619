// A listener's device keys in the browser (docs/CRYPTO.md, "Keys in the
// browser"). The identity key IK (Ed25519) and the signed key S (X25519) are
// WebCrypto CryptoKeys created or imported with `extractable: false`: the
// handshake signs and derives through crypto.subtle, and no script, the
// page's own included, can read their bytes (exportKey and wrapKey refuse).
// IndexedDB stores the CryptoKey objects by structured clone, which keeps
// them non-extractable.
//
// WebCrypto's Ed25519 (RFC 8032, deterministic) and X25519 (RFC 7748) give
// the same bytes as libsodium's crypto_sign_detached and crypto_scalarmult for
// the same key, so the handshake's frames do not depend on where the key is
// held (web-client/tests/crypto/devicekeys.test.js and the vectors prove it).
//
// What this does not stop: script injected into the page can still *use* the
// keys while the page is open (sign a handshake of its choosing), but it
// cannot carry them away to use later or elsewhere.
//
// Also here, for the one-time migration of devices enrolled before this
// (devicekeys.ts): unwrapping the old AES-GCM blob that held the raw secrets.
import { concat, dh, dhPublic, equal, lib, utf8, wipe } from './sodium.js';

const subtle = () => globalThis.crypto.subtle;

// DER PKCS #8 prefixes of RFC 8410 for a 32-byte private key: Ed25519 holds
// the seed, X25519 the scalar (clamped at use, as libsodium does).
const PKCS8_ED25519 = Uint8Array.from([0x30, 0x2e, 2, 1, 0, 0x30, 5, 6, 3, 0x2b, 0x65, 0x70, 4, 0x22, 4, 0x20]);
const PKCS8_X25519 = Uint8Array.from([0x30, 0x2e, 2, 1, 0, 0x30, 5, 6, 3, 0x2b, 0x65, 0x6e, 4, 0x22, 4, 0x20]);

/**
 * @typedef {object} DeviceIdentity  a listener identity held by WebCrypto
 * @property {CryptoKey} identityKey  Ed25519 private, non-extractable, usage sign
 * @property {CryptoKey} signedKey    X25519 private, non-extractable, usage deriveBits
 * @property {Uint8Array} identityPublic
 * @property {Uint8Array} signedPublic
 * @property {Uint8Array|null} certificate
 */

/** A new device identity; its private halves are never extractable. */
export async function generateDeviceIdentity() {
  const ik = await subtle().generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  const sk = await subtle().generateKey({ name: 'X25519' }, false, ['deriveBits']);
  return {
    identityKey: ik.privateKey, signedKey: sk.privateKey,
    identityPublic: new Uint8Array(await subtle().exportKey('raw', ik.publicKey)),
    signedPublic: new Uint8Array(await subtle().exportKey('raw', sk.publicKey)),
    certificate: null,
  };
}

/**
 * Brings a raw identity (libsodium layout: 64-byte Ed25519 secret = seed ||
 * public, 32-byte X25519 secret) into WebCrypto as non-extractable keys, and
 * wipes the raw secrets. Used once per device by the migration, and by tests.
 * @param {import('./handshake.js').ListenerIdentity} id @returns {Promise<DeviceIdentity>}
 */
export async function importDeviceIdentity(id) {
  const ed = concat(PKCS8_ED25519, id.identitySecret.subarray(0, 32));
  const x = concat(PKCS8_X25519, id.signedSecret);
  try {
    // The public halves kept beside the secrets must be theirs: a record
    // whose secrets do not match would enrol or answer with the wrong key.
    const kp = lib().crypto_sign_seed_keypair(id.identitySecret.subarray(0, 32));
    wipe(kp.privateKey);
    if (!equal(kp.publicKey, id.identityPublic) || !equal(dhPublic(id.signedSecret), id.signedPublic)) {
      throw new Error('the stored public keys do not match the secrets');
    }
    const identityKey = await subtle().importKey('pkcs8', ed, { name: 'Ed25519' }, false, ['sign']);
    const signedKey = await subtle().importKey('pkcs8', x, { name: 'X25519' }, false, ['deriveBits']);
    return {
      identityKey, signedKey,
      identityPublic: Uint8Array.from(id.identityPublic), signedPublic: Uint8Array.from(id.signedPublic),
      certificate: id.certificate ? Uint8Array.from(id.certificate) : null,
    };
  } finally {
    wipe(ed);
    wipe(x);
    wipe(id.identitySecret);
    wipe(id.signedSecret);
  }
}

/** True if `id` holds its keys as WebCrypto CryptoKeys. */
export const isDeviceIdentity = (id) => typeof CryptoKey !== 'undefined' && id.identityKey instanceof CryptoKey;

/**
 * Ed25519 over label || message with the identity key, wherever it is held.
 * @param {import('./handshake.js').ListenerIdentity|DeviceIdentity} id
 * @returns {Promise<Uint8Array>} 64 bytes
 */
export async function signAsIdentity(id, label, message) {
  const m = concat(utf8(label), message);
  if (isDeviceIdentity(id)) return new Uint8Array(await subtle().sign({ name: 'Ed25519' }, id.identityKey, m));
  return lib().crypto_sign_detached(m, id.identitySecret);
}

/**
 * X25519 of the signed key S and `peer`; null for an all-zero result
 * (low-order or invalid point), exactly as sodium.js's dh().
 * @param {import('./handshake.js').ListenerIdentity|DeviceIdentity} id
 * @param {Uint8Array} peer 32 bytes @returns {Promise<Uint8Array|null>}
 */
export async function dhWithSignedKey(id, peer) {
  if (!isDeviceIdentity(id)) return dh(id.signedSecret, peer);
  let out;
  try {
    const pub = await subtle().importKey('raw', peer, { name: 'X25519' }, true, []);
    out = new Uint8Array(await subtle().deriveBits({ name: 'X25519', public: pub }, id.signedKey, 256));
  } catch {
    return null;  // WebCrypto refuses an all-zero result (OperationError)
  }
  if (out.every((b) => b === 0)) return null;
  return out;
}

// --- Migration from the first key format (v1) -------------------------------

/**
 * The raw identity of a v1 record: secrets sealed with AES-256-GCM under a
 * non-extractable wrapping key. Only the migration calls this, once; the
 * caller imports the result with importDeviceIdentity (which wipes it).
 * @returns {Promise<import('./handshake.js').ListenerIdentity>}
 */
export async function unwrapLegacyIdentity(key, blob) {
  if (blob.v !== 1) throw new Error('unknown key blob version');
  const plain = new Uint8Array(await subtle().decrypt(
    { name: 'AES-GCM', iv: blob.iv, additionalData: blob.identityPublic }, key, blob.sealed));
  if (plain.length !== 96) {
    wipe(plain);
    throw new Error('key blob of the wrong size');
  }
  const id = {
    identitySecret: plain.slice(0, 64), signedSecret: plain.slice(64, 96),
    identityPublic: blob.identityPublic, signedPublic: blob.signedPublic, certificate: blob.certificate,
  };
  wipe(plain);
  return id;
}
