// The handshake in the browser implementation: honest runs, key-substituting
// relays, a certified man in the middle, replays and low-order points.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { FRAME_CONFIRM, MAX_HANDLE_BYTES, RESPONSE_BYTES, ROLE_LISTENER } from '../../src/crypto/constants.js';
import { E2eError } from '../../src/crypto/errors.js';
import {
  decodeEncrypted, decodeHello, decodeResponse, encodeHello, encodeResponse, encodeResponseUnsigned,
} from '../../src/crypto/frames.js';
import { DeterministicRng } from '../../src/crypto/rng.js';
import { GpHandshake, ListenerHandshake, SidCache, generateListenerIdentity } from '../../src/crypto/handshake.js';
import { concat, dh, hash, lib, open, sign, utf8 } from '../../src/crypto/sodium.js';
import { code, connect, makeOrg, ready, seed, text } from './fixture.js';

before(ready);

const LOW_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

test('an honest handshake gives the same keys and safety code on both sides', async () => {
  const o = makeOrg();
  const c = await connect(o, 'hello from the GP');
  assert.equal(text(c.first.payload), 'hello from the GP');
  assert.equal(c.gp.safetyCode(), c.listener.safetyCode());
  assert.match(c.gp.safetyCode(), /^\d{4} \d{4}$/);
  assert.equal(c.cert.handle, 'dr.ames');
  assert.equal(text(c.gp.decrypt(c.listener.encrypt(utf8('listening'), c.l), c.g).payload), 'listening');
});

test('a relay that substitutes keys breaks the handshake', async () => {
  const o = makeOrg();
  const g = new DeterministicRng(seed(10));
  const l = new DeterministicRng(seed(11));
  const eve = new DeterministicRng(seed(66));
  const gp = new GpHandshake(g);
  const lh = await ListenerHandshake.respond(o.listener, gp.hello, new SidCache(), l);
  const resp = decodeResponse(lh.response);
  const swapped = encodeResponse({ ...resp, ephemeral: lib().crypto_scalarmult_base(lib().randombytes_buf(32)) });
  assert.throws(() => gp.onResponse(swapped, o.trust, new Uint8Array(0), g), code('bad_signature'));
  const mallory = generateListenerIdentity(eve);
  const cert = Uint8Array.from(resp.certificate);
  cert.set(mallory.identityPublic, 27);
  cert.set(mallory.signedPublic, 59);
  assert.throws(() => gp.onResponse(encodeResponse({ ...resp, certificate: cert }), o.trust, new Uint8Array(0), g), code('bad_signature'));
  // The real response still works: failures changed nothing.
  const est = gp.onResponse(lh.response, o.trust, utf8('hi'), g);
  const confirm = Uint8Array.from(est.confirm);
  confirm[20] ^= 1;
  await assert.rejects(lh.onConfirm(confirm, l), code('commitment_mismatch'));
  assert.equal(text((await lh.onConfirm(est.confirm, l)).first.payload), 'hi');
});

test('a man in the middle with a valid certificate shows up as different safety codes', async () => {
  const o = makeOrg();
  const g = new DeterministicRng(seed(10));
  const l = new DeterministicRng(seed(11));
  const m = new DeterministicRng(seed(12));
  const mallory = generateListenerIdentity(m);
  mallory.certificate = o.certify(mallory, ROLE_LISTENER, 77, o.trust.now - 86400, 30 * 86400);
  // The org was fooled into certifying Mallory's key as dr.ames: the GP's
  // directory names her (the real listener's console alarms on that).
  const fooled = o.trustWith([o.listener.certificate, mallory.certificate]);
  const gp = new GpHandshake(g);
  const mAsListener = await ListenerHandshake.respond(mallory, gp.hello, new SidCache(), m);
  const gpSide = gp.onResponse(mAsListener.response, fooled, utf8('hi'), g);
  await mAsListener.onConfirm(gpSide.confirm, m);
  const mAsGp = new GpHandshake(m);
  const lh = await ListenerHandshake.respond(o.listener, mAsGp.hello, new SidCache(), l);
  const mSide = mAsGp.onResponse(lh.response, o.trust, utf8('hi'), m);
  const lSide = await lh.onConfirm(mSide.confirm, l);
  assert.notEqual(gpSide.session.safetyCode(), lSide.session.safetyCode());
});

test('replayed handshake frames are refused', async () => {
  const o = makeOrg();
  const g = new DeterministicRng(seed(10));
  const l = new DeterministicRng(seed(11));
  const seen = new SidCache();
  const gp = new GpHandshake(g);
  const lh = await ListenerHandshake.respond(o.listener, gp.hello, seen, l);
  await assert.rejects(ListenerHandshake.respond(o.listener, gp.hello, seen, l), code('replayed_handshake'));
  assert.throws(() => new GpHandshake(g).onResponse(lh.response, o.trust, new Uint8Array(0), g), code('sid_mismatch'));
  const est = gp.onResponse(lh.response, o.trust, utf8('x'), g);
  assert.throws(() => gp.onResponse(lh.response, o.trust, new Uint8Array(0), g), code('unexpected_frame'));
  await lh.onConfirm(est.confirm, l);
  await assert.rejects(lh.onConfirm(est.confirm, l), code('unexpected_frame'));
});

test('low-order X25519 points abort the handshake', async () => {
  const o = makeOrg();
  const g = new DeterministicRng(seed(10));
  const l = new DeterministicRng(seed(11));
  for (const hex of LOW_ORDER) {
    const p = lib().from_hex(hex);
    // A listener signing a low-order ephemeral.
    const gp = new GpHandshake(g);
    const lh = await ListenerHandshake.respond(o.listener, gp.hello, new SidCache(), l);
    const r = { ...decodeResponse(lh.response), ephemeral: p };
    r.signature = sign('PSC1/response', concat(gp.hello, encodeResponseUnsigned(r)), o.listener.identitySecret);
    assert.throws(() => gp.onResponse(encodeResponse(r), o.trust, new Uint8Array(0), g), code('weak_key'), hex);
    // A GP committing to and revealing a low-order ephemeral.
    const sid = lib().randombytes_buf(16);
    const hello = encodeHello({ sid, commitment: hash([utf8('PSC1/commit'), sid, p]) });
    const lh2 = await ListenerHandshake.respond(o.listener, hello, new SidCache(), l);
    const confirm = new Uint8Array(1024);
    confirm.set([1, 3]);
    confirm.set(sid, 2);
    confirm.set(p, 18);
    await assert.rejects(lh2.onConfirm(confirm, l), code('weak_key'), hex);
  }
});

test('every bit of the response matters, and failures change nothing', async () => {
  const o = makeOrg();
  const g = new DeterministicRng(seed(10));
  const l = new DeterministicRng(seed(11));
  const gp = new GpHandshake(g);
  const lh = await ListenerHandshake.respond(o.listener, gp.hello, new SidCache(), l);
  for (let i = 0; i < lh.response.length * 8; i++) {
    const bad = Uint8Array.from(lh.response);
    bad[i >> 3] ^= 1 << (i & 7);
    assert.throws(() => gp.onResponse(bad, o.trust, new Uint8Array(0), g));
  }
  assert.ok(gp.onResponse(lh.response, o.trust, new Uint8Array(0), g).session);
});

test('every response has the same size, whatever the length of the handle', async () => {
  const o = makeOrg();
  const g = new DeterministicRng(seed(10));
  const l = new DeterministicRng(seed(11));
  for (const handle of ['a', 'dr.ames', 'x'.repeat(MAX_HANDLE_BYTES)]) {
    const id = generateListenerIdentity(l);
    id.certificate = o.certify(id, ROLE_LISTENER, 7, o.trust.now - 86400, 30 * 86400, handle);
    const gp = new GpHandshake(g);
    const lh = await ListenerHandshake.respond(id, gp.hello, new SidCache(), l);
    assert.equal(lh.response.length, RESPONSE_BYTES, handle);
    // The GP accepts a certificate only as its handle's current one in the directory.
    const trust = o.trustWith([id.certificate]);
    assert.equal(gp.onResponse(lh.response, trust, utf8('hi'), g).listener.handle, handle);
  }
  // The padding is part of the one encoding: a non-zero byte there is refused.
  const gp = new GpHandshake(g);
  const lh = await ListenerHandshake.respond(o.listener, gp.hello, new SidCache(), l);
  const bad = Uint8Array.from(lh.response);
  bad[RESPONSE_BYTES - 65] = 1;  // the last padding byte
  assert.throws(() => decodeResponse(bad), code('bad_padding'));
  assert.throws(() => decodeResponse(concat(lh.response, new Uint8Array(1))), code('bad_length'));
});

test('every bit of the confirm frame matters to the listener, and failures change nothing', async () => {
  const o = makeOrg();
  const g = new DeterministicRng(seed(10));
  const l = new DeterministicRng(seed(11));
  const gp = new GpHandshake(g);
  const lh = await ListenerHandshake.respond(o.listener, gp.hello, new SidCache(), l);
  const { confirm } = gp.onResponse(lh.response, o.trust, utf8('first words'), g);
  for (let i = 0; i < confirm.length * 8; i++) {
    const bad = Uint8Array.from(confirm);
    bad[i >> 3] ^= 1 << (i & 7);
    await assert.rejects(lh.onConfirm(bad, l), (e) => e instanceof E2eError, `bit ${i}`);
  }
  assert.equal(text((await lh.onConfirm(confirm, l)).first.payload), 'first words');
});

test('a tampered hello never gives the GP a session', async () => {
  // The relay flips each bit of the GP's hello in turn. The listener either
  // refuses it or answers a hello the GP never sent; the GP refuses that
  // answer (its signature covers the hello, and the sid is the GP's own),
  // and the genuine exchange still works afterwards.
  const o = makeOrg();
  const g = new DeterministicRng(seed(10));
  const l = new DeterministicRng(seed(11));
  const gp = new GpHandshake(g);
  let answered = 0;
  for (let i = 0; i < gp.hello.length * 8; i++) {
    const bad = Uint8Array.from(gp.hello);
    bad[i >> 3] ^= 1 << (i & 7);
    let lh;
    try {
      lh = await ListenerHandshake.respond(o.listener, bad, new SidCache(), l);
    } catch (e) {
      assert.ok(e instanceof E2eError && ['bad_version', 'bad_type'].includes(e.code), `bit ${i}: ${e.code}`);
      continue;
    }
    answered += 1;
    const expected = i < 18 * 8 ? 'sid_mismatch' : 'bad_signature';
    assert.throws(() => gp.onResponse(lh.response, o.trust, utf8('hi'), g), code(expected), `bit ${i}`);
  }
  assert.equal(answered, 48 * 8, 'every bit of sid and commitment was answered, and refused by the GP');
  // A confirm for a commitment the listener never received is refused too.
  const lh = await ListenerHandshake.respond(o.listener, gp.hello, new SidCache(), l);
  const { confirm } = gp.onResponse(lh.response, o.trust, utf8('hi'), g);
  const other = new GpHandshake(g);
  const tampered = { ...decodeHello(other.hello), sid: decodeHello(gp.hello).sid };
  const lh2 = await ListenerHandshake.respond(o.listener, encodeHello(tampered), new SidCache(), l);
  await assert.rejects(lh2.onConfirm(confirm, l), code('commitment_mismatch'));
  assert.equal(text((await lh.onConfirm(confirm, l)).first.payload), 'hi');
});

test('forward secrecy of the handshake: IK and S stolen after the conversation do not open it', async () => {
  const o = makeOrg();
  const c = await connect(o, 'what I said first');
  const recorded = [c.gp.encrypt(utf8('later, from the GP'), c.g)];
  assert.equal(text(c.listener.decrypt(recorded[0], c.l).payload), 'later, from the GP');
  c.listener.close();
  c.gp.close();
  // The attacker now has the listener's long-term secrets (a seized device
  // or an old backup) and every frame the relay saw.
  const stolen = { ...o.listener, identitySecret: o.listener.identitySecret.slice(), signedSecret: o.listener.signedSecret.slice() };
  const f = decodeEncrypted(c.confirm, FRAME_CONFIRM);
  // What S alone gives: DH(S, e_G). dh1 = DH(e_L, e_G) needs an ephemeral
  // secret, and both were wiped when the handshake finished.
  const dh2 = dh(stolen.signedSecret, f.gpEphemeral);
  assert.ok(dh2);
  const th = hash([utf8('PSC1/transcript'), c.hello, c.response, f.gpEphemeral]);
  const ad = concat(th, c.confirm.subarray(0, f.headerAdEnd));
  // Every value the attacker holds, tried in dh1's place.
  const guesses = [dh2, new Uint8Array(32), stolen.signedSecret, stolen.identitySecret.subarray(0, 32),
    dh(stolen.signedSecret, decodeResponse(c.response).ephemeral)];
  for (const guess of guesses) {
    const prk = hash([guess, dh2, th], utf8('PSC1/handshake-key'));
    const headerA = lib().crypto_kdf_derive_from_key(32, 2, 'PSC1_hs_', prk);
    assert.equal(open(headerA, f.headerNonce, f.encHeader, ad), null);
  }
  // Running the listener's own code with the stolen keys on the recorded
  // hello gives a fresh e_L, so the recorded confirm does not decrypt.
  const replay = await ListenerHandshake.respond(stolen, c.hello, new SidCache(), new DeterministicRng(seed(99)));
  assert.notDeepEqual(replay.response, c.response);
  await assert.rejects(replay.onConfirm(c.confirm, new DeterministicRng(seed(99))), code('header_auth_failed'));
  // Control: were e_L recoverable (here by replaying the test's own
  // deterministic stream), these same steps would open the conversation.
  const again = await ListenerHandshake.respond(stolen, c.hello, new SidCache(), new DeterministicRng(seed(21)));
  assert.deepEqual(again.response, c.response);
  assert.equal(text((await again.onConfirm(c.confirm, new DeterministicRng(seed(21)))).first.payload), 'what I said first');
});
