// Altered messages: every single-bit flip (at positions chosen by a fixed
// seed) and every truncation of a real application message and a real
// commit is refused with a reason, and none of them changes the member's
// state — the unaltered message is still read afterwards.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadGroups, makeGroup, makeWorld, rosterKey, text, utf8 } from './fixture.mjs';

let G;
before(async () => {
  G = await loadGroups(fileURLToPath(import.meta.url));
});

/** xorshift32: the same positions on every run. */
function positions(seed, count, length) {
  let x = seed;
  const out = [];
  for (let i = 0; i < count; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out.push(x % (length * 8));
  }
  return out;
}

async function refusesAlterations(member, bytes, seed) {
  const before = `${member.epoch}|${rosterKey(member)}`;
  const reasons = new Set();
  const variants = positions(seed, 150, bytes.length).map((bit) => {
    const v = Uint8Array.from(bytes);
    v[bit >> 3] ^= 1 << (bit & 7);
    return v;
  });
  for (const cut of [1, 2, 8, 40, bytes.length >> 1, bytes.length - 1]) variants.push(bytes.slice(0, cut));
  for (const v of variants) {
    const events = await member.processIncoming(v);
    assert.equal(events.length, 1);
    assert.equal(events[0].kind, 'rejected', `an altered message was accepted: ${JSON.stringify(events[0])}`);
    assert.ok(G.GROUP_ERROR_CODES.includes(events[0].reason));
    reasons.add(events[0].reason);
  }
  assert.equal(`${member.epoch}|${rosterKey(member)}`, before);
  return reasons;
}

test('altered application messages are all refused and change nothing', async () => {
  const w = makeWorld(G);
  const { f, members } = await makeGroup(G, w, 2);
  const m = await f.encrypt(utf8('the real one'));
  const reasons = await refusesAlterations(members[0], m, 0x9e3779b9);
  assert.ok(reasons.has('undecryptable') && reasons.has('malformed'), [...reasons].join(' '));
  assert.equal(text((await members[0].processIncoming(m))[0].body), 'the real one');
});

test('altered commits are all refused and change nothing', async () => {
  const w = makeWorld(G);
  const { f, members } = await makeGroup(G, w, 3);
  const change = await f.remove([3]);
  await f.commitAccepted();
  await refusesAlterations(members[0], change.commit, 0x85ebca6b);
  assert.deepEqual((await members[0].processIncoming(change.commit)).map((e) => e.kind), ['member-left']);
  assert.equal(rosterKey(members[0]), rosterKey(f));
});
