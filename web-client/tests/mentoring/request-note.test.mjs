// The GP's encrypted note to a mentor (src/mentoring/request-note.ts): sealed
// in the GP's browser from the relationship key to the mentor's certified
// signed key S, opened on the mentor's device through WebCrypto (S
// non-extractable) and by the GP on any device that restores the key. The
// attacks are performed: a server substituting its own key or certificate
// (another root, a revoked one), another mentor, another relationship key,
// the server's token in place of the key, and changed bytes.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { load, loadCrypto } from './bundle.mjs';

const require = createRequire(import.meta.url);
const sodium = require('libsodium-wrappers');
const R = await load('request-note');
const K = await load('relationship-key');
await K.ready();
await R.ready();
await sodium.ready;
const P = await loadCrypto();

const T0 = 1700000000;
const DAY = 86400;
let nextSerial = 100;

/** An organisation whose root certifies mentors; `trust` is a GP's trust state (with `now`). */
function makeOrg(seed = 7, revoked = []) {
  const rng = new P.DeterministicRng(new Uint8Array(32).fill(seed));
  const root = P.org.generateRootKey(rng);
  const certs = [];
  const org = {
    root, rng,
    /** A certificate for a mentor whose signed public key is `signedPublic`. */
    certify(signedPublic, handle = `mentor${nextSerial}`, serial = nextSerial++) {
      const id = { ...P.generateListenerIdentity(rng), signedPublic };
      const cert = P.org.certify(root, P.makeEnrolmentRequest(id, handle), P.ROLE_LISTENER, serial, T0 - DAY, 30 * DAY);
      certs.push(cert);
      return cert;
    },
    trust: () => P.org.makeTrust(root, rng, certs, revoked, T0 - DAY, 2 * DAY, T0),
  };
  return org;
}

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
  const org = makeOrg();
  const cert = org.certify(mentor.signedPublic);
  const rawMentor = sodium.crypto_box_keypair();
  const rawCert = org.certify(rawMentor.publicKey);
  const trust = org.trust();
  const key = K.generateRelationshipKey();
  const sealed = R.sealRequestNote(key, cert, trust, NOTE);
  assert.equal(sealed[0], 1);
  assert.ok(!Buffer.from(sealed).toString('latin1').includes('CANARY'));
  assert.equal(await R.openRequestNoteAsMentor(sealed, mentor), NOTE);
  // Another device of the GP: only the 24 words were carried over.
  const restored = K.fromPassphrase(K.toPassphrase(key));
  assert.equal(R.openRequestNoteAsGp(sealed, restored, mentor.signedPublic), NOTE);
  // The GP's public half N is the same for every note of the relationship to one mentor,
  // different for another mentor asked with the same key, and across relationships.
  const again = R.sealRequestNote(key, cert, trust, 'second');
  assert.deepEqual(again.subarray(1, 33), sealed.subarray(1, 33));
  assert.notDeepEqual(R.sealRequestNote(K.generateRelationshipKey(), cert, trust, 'x').subarray(1, 33), sealed.subarray(1, 33));
  // Raw S (as the native test client holds it) gives the same result.
  const s2 = R.sealRequestNote(key, rawCert, trust, NOTE);
  assert.notDeepEqual(s2.subarray(1, 33), sealed.subarray(1, 33), 'another mentor, same relationship key: another N');
  assert.equal(await R.openRequestNoteAsMentor(s2, { signedSecret: rawMentor.privateKey, signedPublic: rawMentor.publicKey }), NOTE);
  assert.equal(R.openRequestNoteAsGp(s2, restored, rawMentor.publicKey), NOTE);
});

test('the note is sealed only to a certified key: a substituted key, another root\'s certificate or a revoked one is refused', async () => {
  const mentor = await mentorDevice();
  const org = makeOrg();
  const cert = org.certify(mentor.signedPublic, 'mentor.revoked', 77);
  const server = sodium.crypto_box_keypair();
  const trust = org.trust();
  const key = K.generateRelationshipKey();
  // The server hands over its own raw key in place of the certificate.
  assert.throws(() => R.sealRequestNote(key, server.publicKey, trust, NOTE), refused('bad_certificate'));
  // The mentor's certificate with the server's key put in (the root's signature no longer matches).
  const swapped = Uint8Array.from(cert);
  swapped.set(server.publicKey, Buffer.from(cert).indexOf(Buffer.from(mentor.signedPublic)));
  assert.deepEqual(P.decodeCertificate(swapped).signedKey, server.publicKey);
  assert.throws(() => R.sealRequestNote(key, swapped, trust, NOTE), refused('bad_certificate'));
  // A certificate for the server's key from a root of its own.
  const rogue = makeOrg(9);
  const rogueCert = rogue.certify(server.publicKey, 'mentor.rogue');
  assert.throws(() => R.sealRequestNote(key, rogueCert, trust, NOTE), (e) => refused('bad_certificate')(e) && /bad_signature/.test(e.message));
  // The same mentor, revoked by the organisation.
  const revokedOrg = makeOrg(7, [77n]);
  const revokedCert = revokedOrg.certify(mentor.signedPublic, 'mentor.revoked', 77);
  assert.throws(() => R.sealRequestNote(key, revokedCert, revokedOrg.trust(), NOTE), (e) => refused('bad_certificate')(e) && /cert_revoked/.test(e.message));
  // Expired: the GP's clock past the certificate's end.
  assert.throws(() => R.sealRequestNote(key, cert, { ...trust, now: T0 + 40 * DAY }, NOTE), refused('bad_certificate'));
  // The genuine certificate works.
  assert.equal(await R.openRequestNoteAsMentor(R.sealRequestNote(key, cert, trust, NOTE), mentor), NOTE);
});

test('nobody else opens it: another mentor, another relationship, the server with the token, a changed byte', async () => {
  const mentor = await mentorDevice();
  const other = await mentorDevice();
  const org = makeOrg();
  const cert = org.certify(mentor.signedPublic);
  const key = K.generateRelationshipKey();
  const sealed = R.sealRequestNote(key, cert, org.trust(), NOTE);
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
  // A low-order "public key" for the mentor, even certified, is refused before anything is sent.
  const zero = org.certify(new Uint8Array(32));
  assert.throws(() => R.sealRequestNote(key, zero, org.trust(), NOTE), refused('bad_key'));
});

test('notes are padded to 512-byte blocks and limited to 2000 characters', () => {
  const key = K.generateRelationshipKey();
  const org = makeOrg();
  const cert = org.certify(sodium.crypto_box_keypair().publicKey);
  const trust = org.trust();
  const seal = (t) => R.sealRequestNote(key, cert, trust, t);
  const sizes = ['', 'Hello', 'x'.repeat(400)].map((t) => seal(t).length);
  assert.deepEqual(new Set(sizes).size, 1, `one size for short notes: ${sizes}`);
  assert.equal(sizes[0], 1 + 32 + 24 + 512 + 16);
  assert.equal(seal('x'.repeat(600)).length, 1 + 32 + 24 + 1024 + 16);
  assert.throws(() => seal('x'.repeat(2001)), refused('too_long'));
  assert.ok(seal('é'.repeat(2000)).length > 0, '2000 two-byte characters fit');
});

test('an authentic note whose text is not UTF-8 is refused as cannot_open, not a TypeError', async () => {
  // Anyone who knows S_pub can write a note (it is not sender-authenticated): here, bytes that are not UTF-8.
  const mentor = sodium.crypto_box_keypair();
  const gp = sodium.crypto_box_keypair();
  const label = sodium.from_string('PLM1/request-note');
  const shared = sodium.crypto_scalarmult(gp.privateKey, mentor.publicKey);
  const key = sodium.crypto_generichash(32, new Uint8Array([...label, ...gp.publicKey, ...mentor.publicKey]), shared);
  const ad = new Uint8Array([...label, 1, ...gp.publicKey, ...mentor.publicKey]);
  const padded = new Uint8Array(512);
  padded.set([0xff, 0xfe, 0x80]);
  const nonce = sodium.randombytes_buf(24);
  const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(padded, ad, null, nonce, key);
  const sealed = new Uint8Array([1, ...gp.publicKey, ...nonce, ...ct]);
  await assert.rejects(R.openRequestNoteAsMentor(sealed, { signedSecret: mentor.privateKey, signedPublic: mentor.publicKey }), refused('cannot_open'));
});
