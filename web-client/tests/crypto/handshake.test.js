// The handshake in the browser implementation: honest runs, key-substituting
// relays, a certified man in the middle, replays and low-order points.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ROLE_LISTENER } from '../../src/crypto/constants.js';
import { decodeResponse, encodeHello, encodeResponse, encodeResponseUnsigned } from '../../src/crypto/frames.js';
import { DeterministicRng } from '../../src/crypto/rng.js';
import { GpHandshake, ListenerHandshake, SidCache, generateListenerIdentity } from '../../src/crypto/handshake.js';
import { concat, hash, lib, sign, utf8 } from '../../src/crypto/sodium.js';
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

test('an honest handshake gives the same keys and safety code on both sides', () => {
  const o = makeOrg();
  const c = connect(o, 'hello from the GP');
  assert.equal(text(c.first.payload), 'hello from the GP');
  assert.equal(c.gp.safetyCode(), c.listener.safetyCode());
  assert.match(c.gp.safetyCode(), /^\d{4} \d{4}$/);
  assert.equal(c.cert.handle, 'dr.ames');
  assert.equal(text(c.gp.decrypt(c.listener.encrypt(utf8('listening'), c.l), c.g).payload), 'listening');
});

test('a relay that substitutes keys breaks the handshake', () => {
  const o = makeOrg();
  const g = new DeterministicRng(seed(10));
  const l = new DeterministicRng(seed(11));
  const eve = new DeterministicRng(seed(66));
  const gp = new GpHandshake(g);
  const lh = new ListenerHandshake(o.listener, gp.hello, new SidCache(), l);
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
  assert.throws(() => lh.onConfirm(confirm, l), code('commitment_mismatch'));
  assert.equal(text(lh.onConfirm(est.confirm, l).first.payload), 'hi');
});

test('a man in the middle with a valid certificate shows up as different safety codes', () => {
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
  const mAsListener = new ListenerHandshake(mallory, gp.hello, new SidCache(), m);
  const gpSide = gp.onResponse(mAsListener.response, fooled, utf8('hi'), g);
  mAsListener.onConfirm(gpSide.confirm, m);
  const mAsGp = new GpHandshake(m);
  const lh = new ListenerHandshake(o.listener, mAsGp.hello, new SidCache(), l);
  const mSide = mAsGp.onResponse(lh.response, o.trust, utf8('hi'), m);
  const lSide = lh.onConfirm(mSide.confirm, l);
  assert.notEqual(gpSide.session.safetyCode(), lSide.session.safetyCode());
});

test('replayed handshake frames are refused', () => {
  const o = makeOrg();
  const g = new DeterministicRng(seed(10));
  const l = new DeterministicRng(seed(11));
  const seen = new SidCache();
  const gp = new GpHandshake(g);
  const lh = new ListenerHandshake(o.listener, gp.hello, seen, l);
  assert.throws(() => new ListenerHandshake(o.listener, gp.hello, seen, l), code('replayed_handshake'));
  assert.throws(() => new GpHandshake(g).onResponse(lh.response, o.trust, new Uint8Array(0), g), code('sid_mismatch'));
  const est = gp.onResponse(lh.response, o.trust, utf8('x'), g);
  assert.throws(() => gp.onResponse(lh.response, o.trust, new Uint8Array(0), g), code('unexpected_frame'));
  lh.onConfirm(est.confirm, l);
  assert.throws(() => lh.onConfirm(est.confirm, l), code('unexpected_frame'));
});

test('low-order X25519 points abort the handshake', () => {
  const o = makeOrg();
  const g = new DeterministicRng(seed(10));
  const l = new DeterministicRng(seed(11));
  for (const hex of LOW_ORDER) {
    const p = lib().from_hex(hex);
    // A listener signing a low-order ephemeral.
    const gp = new GpHandshake(g);
    const lh = new ListenerHandshake(o.listener, gp.hello, new SidCache(), l);
    const r = { ...decodeResponse(lh.response), ephemeral: p };
    r.signature = sign('PSC1/response', concat(gp.hello, encodeResponseUnsigned(r)), o.listener.identitySecret);
    assert.throws(() => gp.onResponse(encodeResponse(r), o.trust, new Uint8Array(0), g), code('weak_key'), hex);
    // A GP committing to and revealing a low-order ephemeral.
    const sid = lib().randombytes_buf(16);
    const hello = encodeHello({ sid, commitment: hash([utf8('PSC1/commit'), sid, p]) });
    const lh2 = new ListenerHandshake(o.listener, hello, new SidCache(), l);
    const confirm = new Uint8Array(1024);
    confirm.set([1, 3]);
    confirm.set(sid, 2);
    confirm.set(p, 18);
    assert.throws(() => lh2.onConfirm(confirm, l), code('weak_key'), hex);
  }
});

test('every bit of the response matters, and failures change nothing', () => {
  const o = makeOrg();
  const g = new DeterministicRng(seed(10));
  const l = new DeterministicRng(seed(11));
  const gp = new GpHandshake(g);
  const lh = new ListenerHandshake(o.listener, gp.hello, new SidCache(), l);
  for (let i = 0; i < lh.response.length * 8; i++) {
    const bad = Uint8Array.from(lh.response);
    bad[i >> 3] ^= 1 << (i & 7);
    assert.throws(() => gp.onResponse(bad, o.trust, new Uint8Array(0), g));
  }
  assert.ok(gp.onResponse(lh.response, o.trust, new Uint8Array(0), g).session);
});
