// Keeping a listener's identity in the browser: its secrets are encrypted
// (AES-256-GCM) under a WebCrypto key created non-extractable, so script
// can use the key but never read it. Both the CryptoKey and the wrapped blob
// can be stored in IndexedDB (structured clone keeps the key non-extractable).
// This does not stop script injected into the page from using the key while
// the page is open; it stops the secrets being copied out of storage.
// GP keys are never stored.
import { concat, wipe } from './sodium.js';

const subtle = () => globalThis.crypto.subtle;

/** A new non-extractable AES-GCM wrapping key. */
export async function newWrappingKey() {
  return subtle().generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/**
 * Encrypts a listener identity's secrets (and keeps its public parts and
 * certificate alongside). Returns a structured-clonable object.
 * @param {CryptoKey} key @param {import('./handshake.js').ListenerIdentity} id
 */
export async function wrapIdentity(key, id) {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const secrets = concat(id.identitySecret, id.signedSecret);
  const sealed = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: id.identityPublic }, key, secrets));
  wipe(secrets);
  return {
    v: 1, iv, sealed,
    identityPublic: id.identityPublic, signedPublic: id.signedPublic, certificate: id.certificate,
  };
}

/** The identity back, or a thrown error if the blob or key is wrong. */
export async function unwrapIdentity(key, blob) {
  if (blob.v !== 1) throw new Error('unknown key blob version');
  const plain = new Uint8Array(await subtle().decrypt(
    { name: 'AES-GCM', iv: blob.iv, additionalData: blob.identityPublic }, key, blob.sealed));
  const id = {
    identitySecret: plain.slice(0, 64), signedSecret: plain.slice(64, 96),
    identityPublic: blob.identityPublic, signedPublic: blob.signedPublic, certificate: blob.certificate,
  };
  wipe(plain);
  return id;
}
