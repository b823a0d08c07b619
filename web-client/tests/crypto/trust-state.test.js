// The trust set-up around a listener's certificate in the browser
// implementation (docs/CRYPTO.md §3.4–3.5; issue 12 findings 1 and 2):
// revocation lists signed only by the root's delegated revocation key, valid
// at most 48 hours, and the root-signed directory of each handle's one
// current certificate. Each test makes the attack and shows it refused.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as C from '../../src/crypto/constants.js';
import {
  decodeRevocationList, encodeRevocationList, revocationListSignedBytes, verifyListenerCertificate, verifyTrustState,
} from '../../src/crypto/certificate.js';
import { decodeDirectory, encodeDirectory, findEntry, signDirectory } from '../../src/crypto/directory.js';
import { generateListenerIdentity } from '../../src/crypto/handshake.js';
import * as org from '../../src/crypto/org.js';
import { DeterministicRng } from '../../src/crypto/rng.js';
import { lib } from '../../src/crypto/sodium.js';
import { DAY, T0, code, makeOrg, ready, seed } from './fixture.js';

before(ready);

/** Signs a list's fields with any libsodium secret, as a faulty or hostile signer would. */
const signRaw = (l, secret) => encodeRevocationList({ ...l, signature: lib().crypto_sign_detached(revocationListSignedBytes(l), secret) });

test('every single bit flipped in a revocation list, its delegation or the directory is refused', () => {
  const o = makeOrg();
  const cert = o.listener.certificate;
  assert.equal(verifyListenerCertificate(cert, o.trust).serial, 42n);
  for (const part of ['revocationList', 'revocationDelegation', 'directory']) {
    const original = o.trust[part];
    for (let i = 0; i < original.length * 8; i++) {
      const bad = Uint8Array.from(original);
      bad[i >> 3] ^= 1 << (i & 7);
      assert.throws(() => verifyListenerCertificate(cert, { ...o.trust, [part]: bad }), `${part} bit ${i}`);
    }
  }
});

test('a revocation list not signed by the root\'s delegated revocation key is refused', () => {
  const o = makeOrg();
  const cert = o.listener.certificate;
  const fields = { ...decodeRevocationList(o.trust.revocationList), serials: [] };
  // Signed by the root itself, the key that never signs lists.
  assert.throws(() => verifyListenerCertificate(cert, { ...o.trust, revocationList: signRaw(fields, o.root.secret) }), code('bad_signature'));
  // Signed by the server's own key, with a "delegation" from a root nobody pins.
  const r = new DeterministicRng(seed(77));
  const serverKey = org.generateRevocationKey(r);
  const fakeRoot = org.generateRootKey(r);
  const byServer = signRaw(fields, serverKey.secret);
  assert.throws(() => verifyListenerCertificate(cert, { ...o.trust, revocationList: byServer }), code('bad_signature'));
  const fakeDelegation = org.delegateRevocation(fakeRoot, serverKey.publicKey, T0 - DAY, 30 * DAY);
  assert.throws(() => verifyListenerCertificate(cert, { ...o.trust, revocationList: byServer, revocationDelegation: fakeDelegation }), code('bad_signature'));
  // A delegated key outside its delegation.
  const expired = org.delegateRevocation(o.root, serverKey.publicKey, T0 - 10 * DAY, 9 * DAY);
  assert.throws(() => verifyListenerCertificate(cert, { ...o.trust, revocationList: byServer, revocationDelegation: expired }), code('delegation_invalid'));
});

test('a list is valid for at most 48 hours: a long one, a day-old stale one and one below the floor are refused', () => {
  const o = makeOrg();
  const cert = o.listener.certificate;
  const r = new DeterministicRng(seed(80));
  const rev = org.generateRevocationKey(r);
  const revocationDelegation = org.delegateRevocation(o.root, rev.publicKey, T0 - DAY, 300 * DAY);
  const l = decodeRevocationList(o.trust.revocationList);
  const long = signRaw({ ...l, nextUpdate: l.issuedAt + 30n * 86400n }, rev.secret);
  assert.throws(() => verifyListenerCertificate(cert, { ...o.trust, revocationDelegation, revocationList: long }), code('crl_validity_too_long'));
  assert.throws(() => org.nextRevocationList({
    root: o.root.publicKey, delegation: revocationDelegation, directory: o.trust.directory, now: T0, validity: 48 * 3600 + 1,
  }), code('crl_validity_too_long'));
  // A fresh tab handed the list from the day before yesterday.
  assert.throws(() => verifyListenerCertificate(cert, o.trustWith([cert], [], T0 - 2 * DAY, 2 * DAY)), code('crl_stale'));
  // The release's floor.
  assert.throws(() => verifyListenerCertificate(cert, { ...o.trust, minCrlNumber: 2n }), code('crl_rollback'));
});

test('a revoked listener is refused within 48 hours whatever list the server keeps serving', () => {
  const o = makeOrg();
  const cert = o.listener.certificate;
  const revokedAt = T0;
  const before = o.trustWith([cert], [], revokedAt - 1, 48 * 3600);
  // The window the design allows: until the last list signed before the revocation goes stale...
  assert.equal(verifyListenerCertificate(cert, { ...before, now: revokedAt + 48 * 3600 - 2 }).serial, 42n);
  // ...48 hours after the revocation at the latest.
  assert.throws(() => verifyListenerCertificate(cert, { ...before, now: revokedAt + 48 * 3600 - 1 }), code('crl_stale'));
  const after = o.trustWith([cert], [42], revokedAt + DAY, 48 * 3600);
  assert.throws(() => verifyListenerCertificate(cert, { ...after, now: revokedAt + 48 * 3600 }), code('cert_revoked'));
});

test('a signer never forgets a revocation, and refuses a forged previous list', () => {
  const o = makeOrg();
  const rev = org.generateRevocationKey(new DeterministicRng(seed(81)));
  const base = {
    root: o.root.publicKey, delegation: org.delegateRevocation(o.root, rev.publicKey, T0 - DAY, 300 * DAY),
    directory: o.trust.directory, now: T0,
  };
  const first = org.signNextRevocationList(rev, { ...base, addSerials: [7, 9] });
  const second = decodeRevocationList(org.signNextRevocationList(rev, { ...base, previous: [first], addSerials: [3] }));
  assert.equal(second.number, 2n);
  assert.deepEqual(second.serials, [3n, 7n, 9n]);
  const forged = signRaw({ ...decodeRevocationList(first), serials: [9n] }, o.root.secret);
  assert.throws(() => org.signNextRevocationList(rev, { ...base, previous: [forged] }), code('bad_signature'));
});

test('only the directory\'s one current certificate for a handle is accepted', () => {
  const o = makeOrg();
  const genuine = o.listener.certificate;
  const serverIdentity = generateListenerIdentity(o.random);
  const substituted = o.certify(serverIdentity, C.ROLE_LISTENER, 99, T0 - DAY, 30 * DAY);
  // A key substituted under the listener's handle is refused...
  assert.throws(() => verifyListenerCertificate(substituted, o.trust), code('not_in_directory'));
  // ...and if the root was tricked into listing it, the listener's own console sees another key.
  const tricked = o.trustWith([genuine, substituted]);
  const entry = findEntry(verifyTrustState(tricked).directory, 'dr.ames');
  assert.notDeepEqual(entry.identityKey, o.listener.identityPublic);
  assert.throws(() => verifyListenerCertificate(genuine, tricked), code('cert_revoked'));
  // One certificate per handle: a new device retires the old serial.
  const replacement = o.certify(generateListenerIdentity(o.random), C.ROLE_LISTENER, 43, T0 - DAY, 30 * DAY);
  const replaced = o.trustWith([genuine, replacement]);
  assert.deepEqual(decodeDirectory(replaced.directory).retired, [42n]);
  assert.equal(verifyListenerCertificate(replacement, replaced).serial, 43n);
  // An older directory than the list names is refused.
  const oldDirectory = org.updateDirectory(o.root, null, genuine, T0 - DAY);
  assert.throws(() => verifyListenerCertificate(replacement, { ...replaced, directory: oldDirectory }), code('directory_stale'));
  // A directory re-signed by anyone but the root is refused.
  const stranger = org.generateRootKey(new DeterministicRng(seed(82)));
  const forged = encodeDirectory(signDirectory(decodeDirectory(o.trust.directory), stranger.secret));
  assert.throws(() => verifyListenerCertificate(genuine, { ...o.trust, directory: forged }), code('bad_signature'));
});

test('key fingerprints are six groups of five digits and compare ignoring spaces and hyphens', () => {
  const o = makeOrg();
  const fp = org.keyFingerprint(o.listener.identityPublic);
  assert.match(fp, /^(\d{5} ){5}\d{5}$/);
  assert.ok(org.fingerprintMatches(fp.replace(/ /g, '-'), o.listener.identityPublic));
  assert.ok(!org.fingerprintMatches(fp, generateListenerIdentity(o.random).identityPublic));
  assert.ok(!org.fingerprintMatches(`${fp}x`, o.listener.identityPublic));
});
