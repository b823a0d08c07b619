// A listener's device keys held by WebCrypto (src/crypto/keystore.js):
// never extractable, and byte-identical in use to libsodium's raw keys, so
// the handshake's frames do not change. Real-Chromium twin:
// tests/browser/device-keys.test.mjs.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { DeterministicRng } from '../../src/crypto/rng.js';
import { generateListenerIdentity, makeDeviceEnrolmentRequest, makeEnrolmentRequest } from '../../src/crypto/handshake.js';
import {
  dhWithSignedKey, generateDeviceIdentity, importDeviceIdentity, signAsIdentity, unwrapLegacyIdentity,
} from '../../src/crypto/keystore.js';
import { concat, dh, lib, utf8 } from '../../src/crypto/sodium.js';
import { ready, seed } from './fixture.js';

before(ready);

const subtle = globalThis.crypto.subtle;
const LOW_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

/** Every way a script could try to get a key's bytes out of WebCrypto. */
async function assertUnreadable(key) {
  assert.equal(key.extractable, false);
  for (const format of ['pkcs8', 'jwk', 'raw', 'spki']) {
    await assert.rejects(subtle.exportKey(format, key), `exportKey(${format})`);
  }
  const kek = await subtle.generateKey({ name: 'AES-KW', length: 256 }, true, ['wrapKey']);
  await assert.rejects(subtle.wrapKey('pkcs8', key, kek, 'AES-KW'), 'wrapKey');
  const copy = structuredClone(key);  // as IndexedDB stores it
  assert.equal(copy.extractable, false);
  await assert.rejects(subtle.exportKey('pkcs8', copy));
}

test('a new device identity cannot be exported, wrapped or cloned out', async () => {
  const id = await generateDeviceIdentity();
  await assertUnreadable(id.identityKey);
  await assertUnreadable(id.signedKey);
  assert.equal(id.identityPublic.length, 32);
  assert.equal(id.signedPublic.length, 32);
  // It works: its signature verifies under its public key, with libsodium.
  const m = utf8('a message');
  const sig = await signAsIdentity(id, 'PSC1/response', m);
  assert.ok(lib().crypto_sign_verify_detached(sig, concat(utf8('PSC1/response'), m), id.identityPublic));
  const e = lib().crypto_scalarmult_base(seed(5));
  assert.deepEqual(await dhWithSignedKey(id, e), dh(seed(5), id.signedPublic));
  const req = await makeDeviceEnrolmentRequest(id, 'dr.ames');
  assert.equal(req.length, 67 + 7 + 64);
});

test('an imported identity signs and derives exactly as libsodium does, and its raw secrets are wiped', async () => {
  const raw = generateListenerIdentity(new DeterministicRng(seed(3)));
  const keep = { identitySecret: raw.identitySecret.slice(), signedSecret: raw.signedSecret.slice() };
  const id = await importDeviceIdentity({ ...raw, identitySecret: raw.identitySecret.slice(), signedSecret: raw.signedSecret.slice() });
  await assertUnreadable(id.identityKey);
  await assertUnreadable(id.signedKey);
  for (let i = 0; i < 8; i++) {
    const m = lib().randombytes_buf(i * 37);
    assert.deepEqual(await signAsIdentity(id, 'PSC1/response', m), await signAsIdentity(keep, 'PSC1/response', m));
    const peer = lib().crypto_scalarmult_base(lib().randombytes_buf(32));
    assert.deepEqual(await dhWithSignedKey(id, peer), dh(keep.signedSecret, peer));
  }
  for (const hex of LOW_ORDER) assert.equal(await dhWithSignedKey(id, lib().from_hex(hex)), null, hex);
  assert.deepEqual(await makeDeviceEnrolmentRequest(id, 'dr.ames'), makeEnrolmentRequest({ ...raw, ...keep }, 'dr.ames'));

  const given = { ...raw, identitySecret: keep.identitySecret.slice(), signedSecret: keep.signedSecret.slice() };
  await importDeviceIdentity(given);
  assert.ok(given.identitySecret.every((b) => b === 0), 'the Ed25519 secret was wiped');
  assert.ok(given.signedSecret.every((b) => b === 0), 'the X25519 secret was wiped');
});

test('an identity whose public keys do not match its secrets is refused on import', async () => {
  const raw = generateListenerIdentity(new DeterministicRng(seed(3)));
  await assert.rejects(importDeviceIdentity({ ...raw, identitySecret: raw.identitySecret.slice(), signedSecret: raw.signedSecret.slice(), identityPublic: new Uint8Array(32) }));
  await assert.rejects(importDeviceIdentity({ ...raw, identitySecret: raw.identitySecret.slice(), signedSecret: raw.signedSecret.slice(), signedPublic: new Uint8Array(32) }));
});

/** A record of the first format, as devices enrolled before WebCrypto keys hold. */
async function legacyBlob(raw) {
  const key = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: raw.identityPublic }, key,
    concat(raw.identitySecret, raw.signedSecret)));
  return { key, blob: { v: 1, iv, sealed, identityPublic: raw.identityPublic, signedPublic: raw.signedPublic, certificate: null } };
}

test('a first-format blob unwraps once for the migration; a tampered one is refused', async () => {
  const raw = generateListenerIdentity(new DeterministicRng(seed(4)));
  const { key, blob } = await legacyBlob(raw);
  const back = await unwrapLegacyIdentity(key, structuredClone(blob));
  assert.deepEqual(back.identitySecret, raw.identitySecret);
  assert.deepEqual(back.signedSecret, raw.signedSecret);
  const id = await importDeviceIdentity(back);
  assert.deepEqual(id.identityPublic, raw.identityPublic);
  const bad = { ...blob, sealed: Uint8Array.from(blob.sealed) };
  bad.sealed[0] ^= 1;
  await assert.rejects(unwrapLegacyIdentity(key, bad));
  await assert.rejects(unwrapLegacyIdentity(key, { ...blob, identityPublic: new Uint8Array(32) }));
  await assert.rejects(unwrapLegacyIdentity(key, { ...blob, v: 2 }));
});
