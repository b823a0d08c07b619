// A bounded, deterministic fuzz of the JavaScript decoders of outside input
// (the four frames, and the listener's and GP's handshake steps and a
// session fed with them). Twin in spirit of tests/fuzz/e2e_decoders_fuzz.cpp,
// but small enough for every run of the normal test suite: a fixed seed and
// a fixed number of cases, so a failure reproduces exactly (the case number
// and its bytes are in the message).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as C from '../../src/crypto/constants.js';
import { E2eError } from '../../src/crypto/errors.js';
import {
  decodeEncrypted, decodeHello, decodeResponse, encodeHello, encodeResponse, peekFrameType,
} from '../../src/crypto/frames.js';
import { DeterministicRng } from '../../src/crypto/rng.js';
import { GpHandshake, ListenerHandshake, SidCache } from '../../src/crypto/handshake.js';
import { toHex } from '../../src/crypto/sodium.js';
import { connect, makeOrg, ready, seed, utf8 } from './fixture.js';

before(ready);

const SEED = 0x5eed1e55;
const CASES = 6000;

// mulberry32: small, fast, and the same sequence on every machine.
function prng(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** One mutation of `base`: bit flips, byte sets, cuts, insertions, splices, or noise. */
function mutate(next, base, corpus) {
  let b = Uint8Array.from(base);
  const rounds = 1 + (next() % 4);
  for (let i = 0; i < rounds; i++) {
    const pos = b.length ? next() % b.length : 0;
    switch (next() % 8) {
      case 0: if (b.length) b[pos] ^= 1 << (next() % 8); break;
      case 1: if (b.length) b[pos] = next() & 0xff; break;
      case 2: b = b.slice(0, pos); break;                                  // cut short
      case 3: { const extra = new Uint8Array(1 + (next() % 64)); extra.forEach((_, k) => { extra[k] = next() & 0xff; }); b = Uint8Array.from([...b.subarray(0, pos), ...extra, ...b.subarray(pos)]); break; }
      case 4: { const o = corpus[next() % corpus.length]; b = Uint8Array.from([...b.subarray(0, pos), ...o.subarray(pos)]); break; }  // splice another frame's tail
      case 5: if (b.length > 1) { b[0] = C.PROTOCOL_VERSION; b[1] = 1 + (next() % 4); } break;  // a plausible prefix
      case 6: { b = new Uint8Array(next() % 1100); b.forEach((_, k) => { b[k] = next() & 0xff; }); break; }  // noise
      default: if (b.length >= 52) { b[50] = next() & 0xff; b[51] = next() & 0xff; } break;  // the response's length field
    }
  }
  return b;
}

/** Runs `fn`; anything but success or an E2eError is a defect. */
function mustBeClean(what, i, input, fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof E2eError) return undefined;
    assert.fail(`case ${i}: ${what} threw ${e?.name}: ${e?.message} on ${toHex(input)}`);
  }
}

async function mustBeCleanAsync(what, i, input, fn) {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof E2eError) return undefined;
    assert.fail(`case ${i}: ${what} threw ${e?.name}: ${e?.message} on ${toHex(input)}`);
  }
}

test(`frame decoders: ${CASES} mutated frames (seed ${SEED}) only ever decode or refuse with an E2eError`, async () => {
  const o = makeOrg();
  const c = await connect(o, 'the first message');
  const message = c.gp.encrypt(utf8('a message frame'), c.g);
  const corpus = [c.hello, c.response, c.confirm, message];
  const next = prng(SEED);
  let accepted = 0;
  for (let i = 0; i < CASES; i++) {
    const input = mutate(next, corpus[i % corpus.length], corpus);
    const t = mustBeClean('peekFrameType', i, input, () => peekFrameType(input));
    if (t !== undefined) assert.ok(t >= C.FRAME_HELLO && t <= C.FRAME_MESSAGE);
    const h = mustBeClean('decodeHello', i, input, () => decodeHello(input));
    if (h) {
      // What decodes is the one encoding of what it decoded to.
      assert.deepEqual(encodeHello(h), input, `case ${i}: hello re-encodes`);
      accepted += 1;
    }
    const r = mustBeClean('decodeResponse', i, input, () => decodeResponse(input));
    if (r) {
      assert.equal(input.length, C.RESPONSE_BYTES, `case ${i}: one response size`);
      assert.deepEqual(encodeResponse(r), input, `case ${i}: response re-encodes`);
      accepted += 1;
    }
    for (const type of [C.FRAME_CONFIRM, C.FRAME_MESSAGE]) {
      const f = mustBeClean('decodeEncrypted', i, input, () => decodeEncrypted(input, type));
      if (f) {
        assert.ok(C.FRAME_BUCKETS.includes(input.length), `case ${i}: only bucket sizes decode`);
        assert.ok(f.bodyAdEnd <= input.length && f.headerAdEnd < f.bodyAdEnd);
        accepted += 1;
      }
    }
  }
  assert.ok(accepted > 0, 'some mutations kept a valid shape, so the checks after decoding ran');
});

test('handshake steps and a session fed mutated frames refuse cleanly and stay usable', async () => {
  const o = makeOrg();
  const next = prng(SEED ^ 0x1234);
  const g = new DeterministicRng(seed(30));
  const l = new DeterministicRng(seed(31));
  const gp = new GpHandshake(g);
  const lh = await ListenerHandshake.respond(o.listener, gp.hello, new SidCache(), l);
  const c = await connect(o, 'x');
  const message = c.gp.encrypt(utf8('genuine'), c.g);
  const probe = new GpHandshake(g);
  const probeAnswer = await ListenerHandshake.respond(o.listener, probe.hello, new SidCache(), l);
  const probeConfirm = probe.onResponse(probeAnswer.response, o.trust, utf8('probe'), g).confirm;
  const corpus = [gp.hello, lh.response, probeConfirm, message];
  for (let i = 0; i < 1500; i++) {
    const input = mutate(next, corpus[i % corpus.length], corpus);
    // A mutation that changed nothing is not an attack (and would be accepted).
    if (corpus.some((x) => x.length === input.length && x.every((v, k) => v === input[k]))) continue;
    await mustBeCleanAsync('ListenerHandshake.respond', i, input, () => ListenerHandshake.respond(o.listener, input, new SidCache(), l));
    mustBeClean('GpHandshake.onResponse', i, input, () => gp.onResponse(input, o.trust, utf8('hi'), g));
    await mustBeCleanAsync('ListenerHandshake.onConfirm', i, input, () => lh.onConfirm(input, l));
    const m = mustBeClean('Session.decrypt', i, input, () => c.listener.decrypt(input, c.l));
    assert.equal(m, undefined, `case ${i}: a mutated frame decrypted`);
  }
  // None of it moved anything: the genuine frames still work.
  assert.equal(new TextDecoder().decode(c.listener.decrypt(message, c.l).payload), 'genuine');
  const est = gp.onResponse(lh.response, o.trust, utf8('after the fuzz'), g);
  assert.equal(new TextDecoder().decode((await lh.onConfirm(est.confirm, l)).first.payload), 'after the fuzz');
});
