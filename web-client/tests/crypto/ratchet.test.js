// The ratchet in the browser implementation: ordering, gaps, replays,
// tampering, limits, forward secrecy, healing, and that failures change nothing.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { FRAME_BUCKETS, MAX_PAYLOAD_BYTES, MAX_SKIP, SKIPPED_KEY_MAX_AGE } from '../../src/crypto/constants.js';
import { DeterministicRng } from '../../src/crypto/rng.js';
import { code, connect, makeOrg, ready, seed, text, utf8 } from './fixture.js';

before(ready);

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

test('forward secrecy: a later state cannot decrypt earlier messages', async () => {
  const p = await pair();
  const early = p.gpSays('early secret');
  assert.equal(p.listenerReads(early), 'early secret');
  const stolen = p.listener.clone();
  assert.throws(() => stolen.decrypt(early, p.l));
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
