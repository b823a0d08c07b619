// The GP's encrypted note to a mentor (src/mentoring/request-note.ts): sealed
// in the GP's browser from the relationship key to the mentor's certified
// signed key S, opened on the mentor's device through WebCrypto (S
// non-extractable) and by the GP on any device that restores the key. The
// attacks are performed: another mentor, another relationship key, the
// server's token in place of the key, and changed bytes.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { load } from './bundle.mjs';

const require = createRequire(import.meta.url);
const sodium = require('libsodium-wrappers');
const R = await load('request-note');
const K = await load('relationship-key');
await K.ready();
await R.ready();
await sodium.ready;

/** A mentor's device: S made inside WebCrypto, non-extractable, as src/crypto/keystore.js does. */
async function mentorDevice() {
  const pair = await crypto.subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
  const signedPublic = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { signedKey: pair.privateKey, signedPublic };
}

const NOTE = 'CANARY-91d2: I am thinking of leaving my partnership; could we talk about options?';
const refused = (code) => (e) => { assert.equal(e.name, 'RequestNoteError'); assert.equal(e.code, code, e.message); return true; };

test('the mentor opens the note with a key that never leaves WebCrypto; the GP reopens it from the passphrase', async () => {
  const mentor = await mentorDevice();
  assert.equal(mentor.signedKey.extractable, false);
  const key = K.generateRelationshipKey();
  const sealed = R.sealRequestNote(key, mentor.signedPublic, NOTE);
  assert.equal(sealed[0], 1);
  assert.ok(!Buffer.from(sealed).toString('latin1').includes('CANARY'));
  assert.equal(await R.openRequestNoteAsMentor(sealed, mentor), NOTE);
  // Another device of the GP: only the 24 words were carried over.
  const restored = K.fromPassphrase(K.toPassphrase(key));
  assert.equal(R.openRequestNoteAsGp(sealed, restored, mentor.signedPublic), NOTE);
  // The GP's public half is the same for every note of the relationship, and different across relationships.
  const again = R.sealRequestNote(key, mentor.signedPublic, 'second');
  assert.deepEqual(again.subarray(1, 33), sealed.subarray(1, 33));
  assert.notDeepEqual(R.sealRequestNote(K.generateRelationshipKey(), mentor.signedPublic, 'x').subarray(1, 33), sealed.subarray(1, 33));
  // Raw S (as the native test client holds it) gives the same result.
  const raw = sodium.crypto_box_keypair();
  const s2 = R.sealRequestNote(key, raw.publicKey, NOTE);
  assert.equal(await R.openRequestNoteAsMentor(s2, { signedSecret: raw.privateKey, signedPublic: raw.publicKey }), NOTE);
});

test('nobody else opens it: another mentor, another relationship, the server with the token, a changed byte', async () => {
  const mentor = await mentorDevice();
  const other = await mentorDevice();
  const key = K.generateRelationshipKey();
  const sealed = R.sealRequestNote(key, mentor.signedPublic, NOTE);
  await assert.rejects(R.openRequestNoteAsMentor(sealed, other), refused('cannot_open'));
  await assert.rejects(R.openRequestNoteAsMentor(sealed, { signedKey: other.signedKey, signedPublic: mentor.signedPublic }), refused('cannot_open'));
  assert.throws(() => R.openRequestNoteAsGp(sealed, K.generateRelationshipKey(), mentor.signedPublic), refused('cannot_open'));
  // The server holds the token (subkey 1); used as if it were the key, it opens nothing.
  const token = sodium.from_base64(K.relationshipToken(key), sodium.base64_variants.URLSAFE_NO_PADDING);
  assert.throws(() => R.openRequestNoteAsGp(sealed, token, mentor.signedPublic), refused('cannot_open'));
  for (const i of [1, 20, 40, 60, sealed.length - 1]) {
    const bad = Uint8Array.from(sealed);
    bad[i] ^= 1;
    await assert.rejects(R.openRequestNoteAsMentor(bad, mentor), refused('cannot_open'), `byte ${i}`);
  }
  const v2 = Uint8Array.from(sealed);
  v2[0] = 2;
  await assert.rejects(R.openRequestNoteAsMentor(v2, mentor), refused('cannot_open'));
  await assert.rejects(R.openRequestNoteAsMentor(sealed.subarray(0, 100), mentor), refused('cannot_open'));
  // A low-order "public key" for the mentor is refused before anything is sent.
  assert.throws(() => R.sealRequestNote(key, new Uint8Array(32), NOTE), refused('bad_key'));
});

test('notes are padded to 512-byte blocks and limited to 2000 characters', () => {
  const key = K.generateRelationshipKey();
  const pub = sodium.crypto_box_keypair().publicKey;
  const sizes = ['', 'Hello', 'x'.repeat(400)].map((t) => R.sealRequestNote(key, pub, t).length);
  assert.deepEqual(new Set(sizes).size, 1, `one size for short notes: ${sizes}`);
  assert.equal(sizes[0], 1 + 32 + 24 + 512 + 16);
  assert.equal(R.sealRequestNote(key, pub, 'x'.repeat(600)).length, 1 + 32 + 24 + 1024 + 16);
  assert.throws(() => R.sealRequestNote(key, pub, 'x'.repeat(2001)), refused('too_long'));
  assert.ok(R.sealRequestNote(key, pub, 'é'.repeat(2000)).length > 0, '2000 two-byte characters fit');
});
