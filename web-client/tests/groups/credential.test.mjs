// The facilitator's credential binding: an MLS basic credential carrying the
// org-signed certificate and a signature by the certified identity key over
// this group and the MLS signature key. Checked exactly as a GP checks a
// listener (root, validity, list, directory, role), then the binding; and
// the check runs inside MLS, so a Welcome whose facilitator fails it is
// refused.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as mls from 'ts-mls';
import { DAY, T0, loadGroups, makeWorld } from './fixture.mjs';

let G;
let cs;
before(async () => {
  G = await loadGroups(fileURLToPath(import.meta.url));
  cs = await mls.getCiphersuiteImpl(mls.getCiphersuiteFromName(G.CIPHERSUITE));
});

const groupId = new Uint8Array(16).fill(3);
const refused = (detail) => (e) => e.code === 'bad_credential' && (detail === undefined || e.detail === detail);

async function bound(identity, gid = groupId) {
  const keys = await cs.signature.keygen();
  return { keys, credential: await G.makeFacilitatorCredential(identity, gid, keys.publicKey) };
}

test('a facilitator credential verifies for its group and MLS key, and names the certified handle', async () => {
  const w = makeWorld(G);
  const { keys, credential } = await bound(w.facilitator);
  const cert = G.verifyFacilitatorCredential(credential, keys.publicKey, groupId, w.trust, T0);
  assert.equal(cert.handle, 'ann.facilitator');
  assert.equal(cert.serial, 42n);
});

test('a valid certificate bound to a different MLS key, or to another group, is refused', async () => {
  const w = makeWorld(G);
  const { credential } = await bound(w.facilitator);
  const other = await cs.signature.keygen();
  assert.throws(() => G.verifyFacilitatorCredential(credential, other.publicKey, groupId, w.trust, T0), refused('binding'));
  const { keys, credential: elsewhere } = await bound(w.facilitator, new Uint8Array(16).fill(4));
  assert.throws(() => G.verifyFacilitatorCredential(elsewhere, keys.publicKey, groupId, w.trust, T0), refused('binding'));
});

test('a certificate from another organisation, expired, not yet valid, revoked or not the directory\'s is refused', async () => {
  const w = makeWorld(G);
  // another organisation's root certifies someone with the same handle
  const foreignRoot = G.org.generateRootKey(new G.psc1.DeterministicRng(new Uint8Array(32).fill(99)));
  const impostor = G.psc1.generateListenerIdentity(new G.psc1.DeterministicRng(new Uint8Array(32).fill(98)));
  impostor.certificate = G.org.certify(foreignRoot, G.psc1.makeEnrolmentRequest(impostor, 'ann.facilitator'), G.psc1.ROLE_LISTENER, 42, T0 - DAY, 30 * DAY);
  let b = await bound(impostor);
  assert.throws(() => G.verifyFacilitatorCredential(b.credential, b.keys.publicKey, groupId, w.trust, T0), refused('bad_signature'));

  b = await bound(w.facilitator);
  assert.throws(() => G.verifyFacilitatorCredential(b.credential, b.keys.publicKey, groupId, w.trust, T0 + 29 * DAY + 1), refused('cert_expired'));
  assert.throws(() => G.verifyFacilitatorCredential(b.credential, b.keys.publicKey, groupId, w.trust, T0 - 2 * DAY), refused('cert_not_yet_valid'));

  const revoked = makeWorld(G, { revoked: [42] });
  assert.throws(() => G.verifyFacilitatorCredential(b.credential, b.keys.publicKey, groupId, revoked.trust, T0), refused('cert_revoked'));

  // the same identity key certified again under another serial: the directory lists 42 only
  const reissued = { ...w.facilitator, certificate: w.certify(w.facilitator, 'ann.facilitator', 43) };
  b = await bound(reissued);
  assert.throws(() => G.verifyFacilitatorCredential(b.credential, b.keys.publicKey, groupId, w.trust, T0), refused('not_in_directory'));

  // a stale revocation list (the clock past its next update) cannot vouch for anyone
  b = await bound(w.facilitator);
  assert.throws(() => G.verifyFacilitatorCredential(b.credential, b.keys.publicKey, groupId, w.trust, T0 + 2 * DAY), refused('crl_stale'));
});

test('a member credential is not a facilitator credential, and credentials decode strictly', async () => {
  const w = makeWorld(G);
  const m = G.makeMemberCredential();
  assert.equal(G.decodeGroupCredential(m).kind, 'member');
  const k = await cs.signature.keygen();
  assert.throws(() => G.verifyFacilitatorCredential(m, k.publicKey, groupId, w.trust, T0), refused('not_facilitator'));
  const { credential } = await bound(w.facilitator);
  const id = credential.identity;
  const bad = (identity) => () => G.decodeGroupCredential({ credentialType: 'basic', identity });
  assert.throws(bad(id.slice(0, id.length - 1)), refused('bad_length'));
  assert.throws(bad(Uint8Array.from([...id, 0])), refused('bad_length'));
  assert.throws(bad(Uint8Array.from([2, ...id.slice(1)])), refused('bad_version'));
  assert.throws(bad(Uint8Array.from([1, 0x22, ...id.slice(2)])), refused('bad_type'));
  assert.throws(bad(Uint8Array.from([...m.identity, 0])), refused('bad_length'));
  assert.throws(bad(new Uint8Array(0)), refused('bad_version'));
  assert.throws(() => G.decodeGroupCredential({ credentialType: 'x509', certificates: [] }), refused('not_basic'));
});

test('the binding made by a non-extractable WebCrypto identity key verifies the same way', async () => {
  const w = makeWorld(G);
  const raw = G.psc1.generateListenerIdentity(new G.psc1.DeterministicRng(new Uint8Array(32).fill(11)));
  raw.certificate = w.certify(raw, 'ann.facilitator', 42);
  const device = await G.psc1.importDeviceIdentity({ ...raw, identitySecret: Uint8Array.from(raw.identitySecret), signedSecret: Uint8Array.from(raw.signedSecret) });
  assert.ok(G.psc1.isDeviceIdentity(device));
  const { now: _n, ...t } = G.org.makeTrust(w.root, w.rng, [raw.certificate], [], T0 - DAY, 2 * DAY, T0);
  const { keys, credential } = await bound(device);
  assert.equal(G.verifyFacilitatorCredential(credential, keys.publicKey, groupId, t, T0).handle, 'ann.facilitator');
});

test('a facilitator whose certificate is expired or revoked cannot even create a group', async () => {
  const w = makeWorld(G);
  w.clock.now = T0 + 30 * DAY;
  await assert.rejects(G.FacilitatorSession.create({ identity: w.facilitator, trust: w.trust, clock: w.tick }), refused('cert_expired'));
  const r = makeWorld(G, { revoked: [42] });
  await assert.rejects(G.FacilitatorSession.create({ identity: r.facilitator, trust: r.trust, clock: r.tick }), refused('cert_revoked'));
});

test('a GP refuses to join when its own check of the facilitator fails: revoked by its newer list, or expired by its clock', async () => {
  const w = makeWorld(G);
  const f = await G.FacilitatorSession.create({ identity: w.facilitator, trust: w.trust, clock: w.tick });
  const revokedView = makeWorld(G, { revoked: [42] }).trust;
  const late = { now: T0 + 30 * DAY };
  const a = await G.MemberCandidate.prepare({ groupId: f.groupId, trust: revokedView, clock: w.tick, expectedFacilitator: 'ann.facilitator' });
  const b = await G.MemberCandidate.prepare({ groupId: f.groupId, trust: w.trust, clock: () => late.now, expectedFacilitator: 'ann.facilitator' });
  const c = await G.MemberCandidate.prepare({ groupId: f.groupId, trust: w.trust, clock: w.tick, expectedFacilitator: 'ann.facilitator' });
  const change = await f.add([a.keyPackage, b.keyPackage, c.keyPackage]);
  await f.commitAccepted();
  await assert.rejects(a.join(change.welcome), refused('cert_revoked'));
  await assert.rejects(b.join(change.welcome), refused('cert_expired'));
  assert.equal((await c.join(change.welcome)).roster().length, 4);
});

test('a "facilitator" whose MLS key is not the one its certificate\'s key signed is refused inside MLS', async () => {
  // Made with ts-mls directly, as a server holding a stolen certificate would:
  // the credential's binding names key K1, the leaf signs with K2.
  const w = makeWorld(G);
  const gid = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const k1 = await cs.signature.keygen();
  const k2 = await cs.signature.keygen();
  const credential = await G.makeFacilitatorCredential(w.facilitator, gid, k1.publicKey);
  const kp = await mls.generateKeyPackageWithKey(credential, mls.defaultCapabilities(), mls.defaultLifetime, [], k2, cs);
  let state = await mls.createGroup(gid, kp.publicPackage, kp.privatePackage, [], cs);
  const gp = await G.MemberCandidate.prepare({ groupId: gid, trust: w.trust, clock: w.tick, expectedFacilitator: 'ann.facilitator' });
  const [decoded] = mls.decodeMlsMessage(gp.keyPackage, 0);
  const r = await mls.createCommit({ state, cipherSuite: cs }, {
    extraProposals: [{ proposalType: 'add', add: { keyPackage: decoded.keyPackage } }], ratchetTreeExtension: true,
  });
  state = r.newState;
  const welcome = mls.encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: r.welcome });
  await assert.rejects(gp.join(welcome), refused('binding'));
});

test('the facilitator adds only member credentials: a key package claiming to be a facilitator is refused', async () => {
  const w = makeWorld(G);
  const f = await G.FacilitatorSession.create({ identity: w.facilitator, trust: w.trust, clock: w.tick });
  const { keys, credential } = await bound(w.facilitator, f.groupId);
  const kp = await mls.generateKeyPackageWithKey(credential, mls.defaultCapabilities(), mls.defaultLifetime, [], keys, cs);
  const bytes = mls.encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: kp.publicPackage });
  await assert.rejects(f.add([bytes]), refused('not a member credential'));
  assert.equal(f.pendingChange, undefined);
});
