// A listener's identity wrapped by a non-extractable WebCrypto key.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { newWrappingKey, unwrapIdentity, wrapIdentity } from '../../src/crypto/keystore.js';
import { makeOrg, ready } from './fixture.js';

before(ready);

test('the wrapping key cannot be exported and the identity round-trips', async () => {
  const o = makeOrg();
  const key = await newWrappingKey();
  assert.equal(key.extractable, false);
  await assert.rejects(globalThis.crypto.subtle.exportKey('raw', key));
  const blob = await wrapIdentity(key, o.listener);
  const copy = structuredClone(blob);  // as IndexedDB stores it
  assert.ok(!Buffer.from(copy.sealed).includes(Buffer.from(o.listener.identitySecret.subarray(0, 32))));
  const back = await unwrapIdentity(key, copy);
  assert.deepEqual(back.identitySecret, o.listener.identitySecret);
  assert.deepEqual(back.signedSecret, o.listener.signedSecret);
  assert.deepEqual(back.certificate, o.listener.certificate);
});

test('a tampered blob or another key is refused', async () => {
  const o = makeOrg();
  const key = await newWrappingKey();
  const blob = await wrapIdentity(key, o.listener);
  const bad = { ...blob, sealed: Uint8Array.from(blob.sealed) };
  bad.sealed[0] ^= 1;
  await assert.rejects(unwrapIdentity(key, bad));
  await assert.rejects(unwrapIdentity(await newWrappingKey(), blob));
  const swapped = { ...blob, identityPublic: new Uint8Array(32) };
  await assert.rejects(unwrapIdentity(key, swapped));
});
