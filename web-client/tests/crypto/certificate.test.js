// Certificates and revocation in the browser implementation: everything a
// GP's client must refuse before any message is sent.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ROLE_LISTENER, ROLE_SUPERVISOR } from '../../src/crypto/constants.js';
import { decodeCertificate, decodeRevocationList, verifyListenerCertificate } from '../../src/crypto/certificate.js';
import { DeterministicRng } from '../../src/crypto/rng.js';
import * as org from '../../src/crypto/org.js';
import { makeEnrolmentRequest } from '../../src/crypto/handshake.js';
import { DAY, T0, code, makeOrg, ready, seed } from './fixture.js';

before(ready);

test('a certificate from the organisation verifies and names the listener', () => {
  const o = makeOrg();
  const c = verifyListenerCertificate(o.listener.certificate, o.trust);
  assert.equal(c.handle, 'dr.ames');
  assert.equal(c.serial, 42n);
  assert.equal(c.role, ROLE_LISTENER);
  assert.deepEqual(c.identityKey, o.listener.identityPublic);
  assert.match(org.fingerprint(o.root.publicKey), /^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
});

test('any single bit flipped in a certificate is refused', () => {
  const o = makeOrg();
  const cert = o.listener.certificate;
  for (let i = 0; i < cert.length * 8; i++) {
    const bad = Uint8Array.from(cert);
    bad[i >> 3] ^= 1 << (i & 7);
    assert.throws(() => verifyListenerCertificate(bad, o.trust), `bit ${i}`);
  }
});

test('expired, not yet valid, revoked, wrong-role and foreign certificates are refused', () => {
  const o = makeOrg();
  const cert = o.listener.certificate;
  assert.throws(() => verifyListenerCertificate(cert, { ...o.trust, now: T0 + 29 * DAY }), code('cert_expired'));
  assert.throws(() => verifyListenerCertificate(cert, { ...o.trust, now: T0 - DAY - 1 }), code('cert_not_yet_valid'));
  assert.throws(() => verifyListenerCertificate(cert, o.trustWith([cert], [42])), code('cert_revoked'));
  const sup = o.certify(o.listener, ROLE_SUPERVISOR, 43, T0 - DAY, 30 * DAY);
  const supTrust = o.trustWith([sup]);
  assert.throws(() => verifyListenerCertificate(sup, supTrust), code('cert_wrong_role'));
  assert.equal(verifyListenerCertificate(sup, { ...supTrust, allowedRoles: [ROLE_LISTENER, ROLE_SUPERVISOR] }).serial, 43n);
  const stranger = org.generateRootKey(new DeterministicRng(seed(9)));
  const forged = org.certify(stranger, makeEnrolmentRequest(o.listener, 'dr.ames'), ROLE_LISTENER, 42, T0 - DAY, 30 * DAY);
  assert.throws(() => verifyListenerCertificate(forged, o.trust), code('bad_signature'));
  assert.throws(() => o.certify(o.listener, ROLE_LISTENER, 5, T0, 30 * DAY + 1), code('cert_validity_too_long'));
});

test('a stale, forged, missing or rolled-back revocation list is refused', () => {
  const o = makeOrg();
  const cert = o.listener.certificate;
  assert.throws(() => verifyListenerCertificate(cert, { ...o.trust, now: T0 + DAY }), code('crl_stale'));
  const forged = Uint8Array.from(o.crl);
  forged[forged.length - 1] ^= 1;
  assert.throws(() => verifyListenerCertificate(cert, { ...o.trust, revocationList: forged }), code('bad_signature'));
  assert.throws(() => verifyListenerCertificate(cert, { ...o.trust, revocationList: new Uint8Array(0) }), code('truncated'));
  assert.throws(() => verifyListenerCertificate(cert, { ...o.trust, minCrlNumber: 2 }), code('crl_rollback'));
});

test('decoders are strict about length, version, type and order', () => {
  const o = makeOrg();
  const cert = o.listener.certificate;
  for (let n = 0; n < cert.length; n++) assert.throws(() => decodeCertificate(cert.subarray(0, n)));
  const longer = new Uint8Array(cert.length + 1);
  longer.set(cert);
  assert.throws(() => decodeCertificate(longer), code('trailing_bytes'));
  const crl = o.trustWith([cert], [3, 1, 2]).revocationList;
  assert.deepEqual(decodeRevocationList(crl).serials, [1n, 2n, 3n]);
  const unsorted = Uint8Array.from(crl);
  [unsorted[45], unsorted[53]] = [unsorted[53], unsorted[45]];
  assert.throws(() => decodeRevocationList(unsorted), code('bad_field'));
  const huge = Uint8Array.from(crl);
  huge[34] = 0xff;
  assert.throws(() => decodeRevocationList(huge), code('bad_length'));
});

test('the pinned root key text decodes to the key the C++ key file holds', async () => {
  const { rootPublicKeyFromText } = await import('../../src/crypto/trust.js');
  const { lib } = await import('../../src/crypto/sodium.js');
  const o = makeOrg();
  const text = lib().to_base64(o.root.publicKey, lib().base64_variants.URLSAFE_NO_PADDING);
  assert.equal(text.length, 43);
  assert.deepEqual(rootPublicKeyFromText(text), o.root.publicKey);
  assert.throws(() => rootPublicKeyFromText('not base64!'), code('bad_field'));
  assert.throws(() => rootPublicKeyFromText('AAAA'), code('bad_length'));
});
