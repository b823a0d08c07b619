// The ratchet in the browser implementation: ordering, gaps, replays,
// tampering, limits, forward secrecy, healing, and that failures change nothing.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  CTX_CHAIN, FRAME_BUCKETS, FRAME_MESSAGE, MAX_PAYLOAD_BYTES, MAX_SKIP, SKIPPED_KEY_MAX_AGE,
} from '../../src/crypto/constants.js';
import { decodeEncrypted } from '../../src/crypto/frames.js';
import { DeterministicRng } from '../../src/crypto/rng.js';
import { Session, encryptFrame, initAlice, initBob } from '../../src/crypto/session.js';
import { concat, kdf, lib, open, seal } from '../../src/crypto/sodium.js';
import { code, connect, makeOrg, ready, seed, text, utf8 } from './fixture.js';

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

async function pair() {
  const c = await connect(makeOrg());
  return {
    ...c,
    gpSays: (s) => c.gp.encrypt(utf8(s), c.g),
    listenerSays: (s) => c.listener.encrypt(utf8(s), c.l),
    listenerReads: (f) => text(c.listener.decrypt(f, c.l).payload),
    gpReads: (f) => text(c.gp.decrypt(f, c.g).payload),
  };
}

test('both directions work across many DH ratchet steps', async () => {
  const p = await pair();
  for (let round = 0; round < 15; round++) {
    for (let i = 0; i <= round % 3; i++) assert.equal(p.listenerReads(p.gpSays(`g${round}.${i}`)), `g${round}.${i}`);
    assert.equal(p.gpReads(p.listenerSays(`l${round}`)), `l${round}`);
  }
  assert.equal(p.gp.skippedKeyCount, 0);
});

test('frames have bucket sizes only', async () => {
  const p = await pair();
  for (const n of [0, 1, 881, 882, 5000, 60000]) {
    const f = p.gp.encrypt(new Uint8Array(n), p.g);
    assert.ok(FRAME_BUCKETS.includes(f.length), `${n} -> ${f.length}`);
    assert.equal(p.listener.decrypt(f, p.l).payload.length, n);
  }
  assert.throws(() => p.gp.encrypt(new Uint8Array(MAX_PAYLOAD_BYTES + 1), p.g), code('message_too_large'));
});

test('gaps, late arrivals and lost messages are reported', async () => {
  const p = await pair();
  const f = [1, 2, 3, 4, 5].map((i) => p.gpSays(`m${i}`));
  const m4 = p.listener.decrypt(f[3], p.l);
  assert.equal(m4.seq, 4);
  assert.equal(m4.gapBefore, 3);
  assert.deepEqual(p.listener.missing(), [1, 2, 3]);
  assert.equal(p.listener.decrypt(f[1], p.l).late, true);
  assert.equal(p.gpReads(p.listenerSays('ok')), 'ok');
  assert.equal(p.listenerReads(p.gpSays('new chain')), 'new chain');
  assert.equal(p.listenerReads(f[0]), 'm1');
  assert.equal(p.listenerReads(f[4]), 'm5');
  const expired = [];
  for (let i = 0; i <= SKIPPED_KEY_MAX_AGE; i++) expired.push(...p.listener.decrypt(p.gpSays('filler'), p.l).expired);
  assert.deepEqual(expired, [3]);
  assert.throws(() => p.listener.decrypt(f[2], p.l), code('header_auth_failed'));
});

test('replays and duplicates are refused without changing state', async () => {
  const p = await pair();
  const a = p.gpSays('a');
  const b = p.gpSays('b');
  assert.equal(p.listenerReads(b), 'b');
  assert.throws(() => p.listener.decrypt(b, p.l), code('duplicate_message'));
  assert.equal(p.listenerReads(a), 'a');
  assert.throws(() => p.listener.decrypt(a, p.l), code('duplicate_message'));
  assert.equal(p.listenerReads(p.gpSays('c')), 'c');
});

test('any single bit flipped anywhere in a frame fails and changes nothing', async () => {
  const p = await pair();
  const same = p.gpSays('same chain');
  assert.equal(p.gpReads(p.listenerSays('step')), 'step');
  const next = p.gpSays('new chain');
  for (const frame of [same, next]) {
    for (let i = 0; i < frame.length * 8; i++) {
      const bad = Uint8Array.from(frame);
      bad[i >> 3] ^= 1 << (i & 7);
      assert.throws(() => p.listener.decrypt(bad, p.l));
    }
  }
  assert.equal(p.listenerReads(next), 'new chain');
  assert.equal(p.listenerReads(same), 'same chain');
});

test('skipped-key limits hold', async () => {
  const p = await pair();
  let last;
  for (let i = 0; i <= MAX_SKIP + 1; i++) last = p.gpSays('m');
  assert.throws(() => p.listener.decrypt(last, p.l), code('too_many_skipped'));
  assert.equal(p.listener.skippedKeyCount, 0);
  const q = await pair();
  for (let i = 0; i <= MAX_SKIP; i++) last = q.gpSays('m');
  q.listener.decrypt(last, q.l);
  assert.equal(q.listener.skippedKeyCount, MAX_SKIP);
});

test('the store of skipped keys is capped', async () => {
  const p = await pair();
  for (let chain = 0; chain < 6; chain++) {
    let last;
    for (let i = 0; i <= MAX_SKIP; i++) last = p.gpSays('m');
    if (chain < 5) {
      p.listener.decrypt(last, p.l);
      assert.equal(p.gpReads(p.listenerSays('step')), 'step');
    } else {
      assert.throws(() => p.listener.decrypt(last, p.l), code('skipped_store_full'));
      assert.equal(p.listener.skippedKeyCount, 500);
    }
  }
});

/**
 * An attacker who seized a ratchet state tries to open a recorded frame's
 * body with every 32-byte value the state holds, and with every message key its chains
 * lead to (KDF_CK only runs forward). Returns the plaintext, or null.
 */
function seizeAndOpen(st, frame) {
  const f = decodeEncrypted(frame, FRAME_MESSAGE);
  const ad = concat(st.th, frame.subarray(0, f.bodyAdEnd));
  // Every 32-byte value anywhere in the state, whatever its field's name.
  const keys = [];
  const walk = (v) => {
    if (v instanceof Uint8Array) {
      if (v.length === 32) keys.push(v);
    } else if (v && typeof v === 'object') {
      Object.values(v).forEach(walk);
    }
  };
  walk(st);
  for (const k of keys) {
    let chain = k;
    for (let step = 0; step <= MAX_SKIP; step++) {
      for (const mk of [chain, kdf(chain, 1, CTX_CHAIN)]) {
        const plain = open(mk, f.bodyNonce, f.ciphertext, ad);
        if (plain) return plain;
      }
      chain = kdf(chain, 2, CTX_CHAIN);
    }
  }
  return null;
}

test('forward secrecy: once a message is read, its key is gone from the state', async () => {
  const p = await pair();
  const early = p.gpSays('early secret');
  // Control: the state just before reading holds the way to the key, and
  // the attack finds it.
  const before = structuredClone(p.listener.st);
  assert.ok(seizeAndOpen(before, early), 'the attack works on a state that can still read the frame');
  assert.equal(p.listenerReads(early), 'early secret');
  // The device is seized now: nothing in its state opens the frame, whether
  // in the same chain, after more messages, or after DH steps.
  assert.equal(seizeAndOpen(p.listener.st, early), null);
  assert.equal(p.listenerReads(p.gpSays('more')), 'more');
  assert.equal(seizeAndOpen(p.listener.st, early), null);
  assert.equal(p.gpReads(p.listenerSays('reply')), 'reply');
  assert.equal(p.listenerReads(p.gpSays('new chain')), 'new chain');
  assert.equal(seizeAndOpen(p.listener.st, early), null);
  assert.equal(seizeAndOpen(p.gp.st, early), null, 'nor in the sender’s state');
  // A message skipped and then read loses its stored key too.
  const skipped = p.gpSays('late');
  assert.equal(p.listenerReads(p.gpSays('overtakes')), 'overtakes');
  assert.ok(seizeAndOpen(structuredClone(p.listener.st), skipped), 'control: the stored skipped key opens it');
  assert.equal(p.listenerReads(skipped), 'late');
  assert.equal(seizeAndOpen(p.listener.st, skipped), null);
});

/** A raw ratchet pair from a fixed seed, for frames the Session API cannot make. */
function rawPair() {
  const r = new DeterministicRng(seed(40));
  const key = () => { const b = new Uint8Array(32); r.fill(b); return b; };
  const sid = new Uint8Array(16);
  r.fill(sid);
  const hs = { sid, th: key(), root: key(), headerA: key(), nextHeaderB: key() };
  const bobSecret = key();
  const bobPublic = lib().crypto_scalarmult_base(bobSecret);
  const alice = initAlice({ ...hs }, bobPublic, r);
  const bob = new Session(initBob({ ...hs }, bobSecret, bobPublic));
  return { r, alice, bob };
}

test('a ratchet key of low order in an authentic header is refused and changes nothing', async () => {
  // A peer (or anyone holding its header key) announces a low-order ratchet
  // key: the DH step would give all zeros. The header authenticates, so only
  // the DH check stops it.
  for (const hex of LOW_ORDER) {
    const { r, alice, bob } = rawPair();
    const forged = structuredClone(alice);
    forged.dhsPublic = lib().from_hex(hex);
    const bad = encryptFrame(forged, FRAME_MESSAGE, null, utf8('x'), r);
    assert.throws(() => bob.decrypt(bad, r), code('weak_key'), hex);
    const good = encryptFrame(alice, FRAME_MESSAGE, null, utf8('genuine'), r);
    assert.equal(text(bob.decrypt(good, r).payload), 'genuine');
  }
});

test('a body that authenticates but is badly padded is refused and changes nothing', async () => {
  for (const spoil of [
    (pt) => pt.fill(0),                         // no 0x80 marker at all
    (pt) => { pt[pt.length - 1] = 1; },          // a non-zero byte after the marker
    (pt) => { pt.fill(0); pt[0] = 0x7f; },       // only a wrong marker
  ]) {
    const { r, alice, bob } = rawPair();
    const mk = kdf(alice.cks, 1, CTX_CHAIN);     // the key this frame's body will use
    const frame = encryptFrame(structuredClone(alice), FRAME_MESSAGE, null, utf8('x'), r);
    const f = decodeEncrypted(frame, FRAME_MESSAGE);
    const ad = concat(alice.th, frame.subarray(0, f.bodyAdEnd));
    const pt = open(mk, f.bodyNonce, f.ciphertext, ad);
    spoil(pt);
    const bad = concat(frame.subarray(0, f.bodyAdEnd), seal(mk, f.bodyNonce, pt, ad));
    assert.equal(bad.length, frame.length);
    assert.throws(() => bob.decrypt(bad, r), code('bad_padding'));
    // Nothing moved: the genuine frame with the same number still reads.
    assert.equal(text(bob.decrypt(frame, r).payload), 'x');
  }
});

test('healing: one DH round trip locks out a passive attacker with an old state', async () => {
  const p = await pair();
  assert.equal(p.gpReads(p.listenerSays('before')), 'before');
  const eve = p.gp.clone();
  const eveRng = new DeterministicRng(seed(99));
  assert.equal(p.listenerReads(p.gpSays('m1')), 'm1');
  const r1 = p.listenerSays('r1');
  assert.equal(text(eve.decrypt(r1, eveRng).payload), 'r1');
  assert.equal(p.gpReads(r1), 'r1');
  assert.equal(p.listenerReads(p.gpSays('m2')), 'm2');
  const r2 = p.listenerSays('r2');
  assert.throws(() => eve.decrypt(r2, eveRng));
  assert.equal(p.gpReads(r2), 'r2');
});

test('a closed session refuses everything', async () => {
  const p = await pair();
  const f = p.gpSays('x');
  p.listener.close();
  assert.throws(() => p.listener.decrypt(f, p.l), code('session_closed'));
  assert.throws(() => p.listener.encrypt(utf8('y'), p.l), code('session_closed'));
});

test('random drops, duplicates and reordering never give a wrong or repeated plaintext', async () => {
  const p = await pair();
  let s = 42;
  const rnd = (n) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
  const wire = [];
  const delivered = new Set();
  let sent = 0;
  for (let step = 0; step < 800; step++) {
    if (rnd(10) < 4) {
      const fromGp = rnd(2) === 0;
      const t = `${fromGp ? 'g' : 'l'}${sent++}`;
      const f = fromGp ? p.gpSays(t) : p.listenerSays(t);
      if (rnd(10) !== 0) wire.push({ f, t, toListener: fromGp });
    } else if (wire.length) {
      const i = rnd(wire.length);
      const m = wire[i];
      if (rnd(4) !== 0) wire.splice(i, 1);
      try {
        const r = m.toListener ? p.listener.decrypt(m.f, p.l) : p.gp.decrypt(m.f, p.g);
        assert.equal(text(r.payload), m.t);
        assert.ok(!delivered.has(m.t), `delivered twice: ${m.t}`);
        delivered.add(m.t);
      } catch (e) {
        assert.ok(['duplicate_message', 'header_auth_failed', 'too_many_skipped', 'skipped_store_full'].includes(e.code), e.message);
      }
    }
  }
  assert.ok(delivered.size > 150);
  assert.equal(p.gpReads(p.listenerSays('still here')), 'still here');
});
