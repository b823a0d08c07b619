// The group API the room uses, end to end in one process: create, key
// packages, add, Welcome, messages both ways, remove, roster and epoch
// from the MLS tree, and the events the room shows.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { addMembers, deliver, loadGroups, makeGroup, makeWorld, rosterKey, text, utf8 } from './fixture.mjs';

let G;
before(async () => {
  G = await loadGroups(fileURLToPath(import.meta.url));
});

test('a facilitator and three GPs: everyone sees the same roster and epoch, and reads every message', async () => {
  const w = makeWorld(G);
  const { f, members } = await makeGroup(G, w, 3);
  assert.equal(f.epoch, 1n);
  for (const m of members) {
    assert.equal(m.epoch, 1n);
    assert.equal(rosterKey(m), rosterKey(f));
  }
  const roster = f.roster();
  assert.equal(roster.length, 4);
  assert.deepEqual(roster[0], { leaf: 0, role: 'facilitator', id: 'ann.facilitator', self: true });
  assert.deepEqual(roster.slice(1).map((e) => e.role), ['member', 'member', 'member']);
  assert.equal(members[1].roster().find((e) => e.self).leaf, 2);

  const hello = await members[0].encrypt(utf8('hello from leaf 1'));
  const got = await deliver(hello, [f, members[1], members[2]]);
  for (const events of got) {
    assert.equal(events.length, 1);
    assert.equal(events[0].kind, 'message');
    assert.equal(text(events[0].body), 'hello from leaf 1');
    assert.equal(events[0].sender.leaf, 1);
    assert.equal(events[0].sender.role, 'member');
  }
  const fromF = await f.encrypt(utf8('welcome, everyone'));
  for (const events of await deliver(fromF, members)) {
    assert.equal(events[0].kind, 'message');
    assert.equal(events[0].sender.role, 'facilitator');
    assert.equal(events[0].sender.id, 'ann.facilitator');
  }
});

test('adding and removing members produces joined and left events for everyone, from the tree', async () => {
  const w = makeWorld(G);
  const { f, members } = await makeGroup(G, w, 2);
  const [a, b] = members;
  // A third GP joins: the two already in see one member-joined event.
  const c = await G.MemberCandidate.prepare({ groupId: f.groupId, trust: w.trust, clock: w.tick, expectedFacilitator: 'ann.facilitator' });
  const change = await f.add([c.keyPackage]);
  assert.equal(change.epoch, 1n);
  assert.ok(change.welcome);
  assert.deepEqual(f.pendingChange, change);
  assert.equal(f.epoch, 1n, 'the facilitator waits for the delivery service');
  const fEvents = await f.commitAccepted();
  assert.equal(f.epoch, 2n);
  assert.deepEqual(fEvents.map((e) => [e.kind, e.member.leaf]), [['member-joined', 3]]);
  for (const events of await deliver(change.commit, [a, b])) {
    assert.deepEqual(events.map((e) => [e.kind, e.member.leaf, e.epoch]), [['member-joined', 3, 2n]]);
  }
  const cs = await c.join(change.welcome);
  assert.equal(cs.epoch, 2n);
  assert.equal(rosterKey(cs), rosterKey(f));

  // The facilitator removes leaf 1 (a): b and c see member-left; a learns it was removed.
  const removal = await f.remove([1]);
  await f.commitAccepted();
  for (const events of await deliver(removal.commit, [b, cs])) {
    assert.deepEqual(events.map((e) => [e.kind, e.member.leaf]), [['member-left', 1]]);
  }
  const aEvents = await a.processIncoming(removal.commit);
  assert.deepEqual(aEvents.map((e) => e.kind), ['removed']);
  assert.equal(a.active, false);
  await assert.rejects(a.encrypt(utf8('still here?')), (e) => e.code === 'removed');
  assert.equal(f.roster().length, 3);
  assert.equal(rosterKey(b), rosterKey(f));
});

test('every GP gets a fresh anonymous credential and key package each time', async () => {
  const w = makeWorld(G);
  const f = await G.FacilitatorSession.create({ identity: w.facilitator, trust: w.trust, clock: w.tick });
  const one = await G.MemberCandidate.prepare({ groupId: f.groupId, trust: w.trust, clock: w.tick, expectedFacilitator: 'ann.facilitator' });
  const two = await G.MemberCandidate.prepare({ groupId: f.groupId, trust: w.trust, clock: w.tick, expectedFacilitator: 'ann.facilitator' });
  assert.notDeepEqual(one.keyPackage, two.keyPackage);
  await f.add([one.keyPackage, two.keyPackage]);
  await f.commitAccepted();
  const [, x, y] = f.roster();
  assert.notEqual(x.id, y.id);
  assert.match(x.id, /^[0-9a-f]{32}$/);
});

test('the facilitator makes one change at a time, never removes itself, and adds only key packages', async () => {
  const w = makeWorld(G);
  const { f } = await makeGroup(G, w, 2);
  await assert.rejects(f.remove([0]), (e) => e.code === 'not_allowed');
  await assert.rejects(f.remove([7]), (e) => e.code === 'invalid');
  await f.remove([1]);
  await assert.rejects(f.remove([2]), (e) => e.code === 'commit_pending');
  await f.commitAccepted();
  await assert.rejects(f.commitAccepted(), (e) => e.code === 'no_commit_pending');
  const c = await G.MemberCandidate.prepare({ groupId: f.groupId, trust: w.trust, clock: w.tick, expectedFacilitator: 'ann.facilitator' });
  await assert.rejects(f.add([c.keyPackage.slice(0, 40)]), (e) => e.code === 'malformed');
  await assert.rejects(f.add([await f.encrypt(utf8('x'))]), (e) => e.code === 'wrong_wire_format');
});

test('the group holds at most MAX_MEMBERS', async () => {
  const w = makeWorld(G);
  const f = await G.FacilitatorSession.create({ identity: w.facilitator, trust: w.trust, clock: w.tick });
  const many = [];
  for (let i = 0; i < G.MAX_MEMBERS; i++) {
    many.push((await G.MemberCandidate.prepare({ groupId: f.groupId, trust: w.trust, clock: w.tick, expectedFacilitator: 'ann.facilitator' })).keyPackage);
  }
  await assert.rejects(f.add(many), (e) => e.code === 'group_full');
  await f.add(many.slice(1));
  await f.commitAccepted();
  assert.equal(f.roster().length, G.MAX_MEMBERS);
});

test('a Welcome is joined once, only for the group the room named and the facilitator it shows', async () => {
  const w = makeWorld(G);
  const f = await G.FacilitatorSession.create({ identity: w.facilitator, trust: w.trust, clock: w.tick });
  const other = new Uint8Array(16).fill(9);
  const wrongGroup = await G.MemberCandidate.prepare({ groupId: other, trust: w.trust, clock: w.tick, expectedFacilitator: 'ann.facilitator' });
  const wrongName = await G.MemberCandidate.prepare({ groupId: f.groupId, trust: w.trust, clock: w.tick, expectedFacilitator: 'someone.else' });
  const right = await G.MemberCandidate.prepare({ groupId: f.groupId, trust: w.trust, clock: w.tick, expectedFacilitator: 'ann.facilitator' });
  const change = await f.add([wrongGroup.keyPackage, wrongName.keyPackage, right.keyPackage]);
  await f.commitAccepted();
  await assert.rejects(wrongGroup.join(change.welcome), (e) => e.code === 'wrong_group');
  await assert.rejects(wrongName.join(change.welcome), (e) => e.code === 'not_facilitator');
  const s = await right.join(change.welcome);
  assert.equal(s.roster().length, 4);
  await assert.rejects(right.join(change.welcome), (e) => e.code === 'invalid');
  // The facilitator's handle is required: without it any certified listener's Welcome would do.
  await assert.rejects(G.MemberCandidate.prepare({ groupId: f.groupId, trust: w.trust, clock: w.tick }), (e) => e.code === 'not_allowed');
});

test('incoming bytes are bounded and must be one whole MLS message', async () => {
  const w = makeWorld(G);
  const { f, members } = await makeGroup(G, w, 1);
  const m = members[0];
  const msg = await f.encrypt(utf8('x'));
  const reason = async (bytes) => (await m.processIncoming(bytes))[0].reason;
  assert.equal(await reason(new Uint8Array(G.MAX_INCOMING_BYTES + 1)), 'too_large');
  assert.equal(await reason(new Uint8Array([1, 2, 3])), 'malformed');
  const trailing = new Uint8Array(msg.length + 1);
  trailing.set(msg);
  assert.equal(await reason(trailing), 'malformed');
  assert.equal(await reason(msg.slice(0, msg.length - 1)), 'malformed');
  assert.equal(await reason(await G.MemberCandidate.prepare({ groupId: f.groupId, trust: w.trust, clock: w.tick, expectedFacilitator: 'ann.facilitator' }).then((c) => c.keyPackage)), 'wrong_wire_format');
  // and the real message still reads after all that
  assert.equal((await m.processIncoming(msg))[0].kind, 'message');
});

test('a message longer than the largest bucket is refused before encryption', async () => {
  const w = makeWorld(G);
  const { f } = await makeGroup(G, w, 1);
  await assert.rejects(f.encrypt(new Uint8Array(G.MAX_MESSAGE_BYTES + 1)), (e) => e.code === 'message_too_large');
  assert.ok(await f.encrypt(new Uint8Array(G.MAX_MESSAGE_BYTES)));
});

test('while a commit waits for the delivery service the old epoch still works, and nothing read meanwhile can be read again after', async () => {
  const w = makeWorld(G);
  const { f, members } = await makeGroup(G, w, 2);
  const [a, b] = members;
  const change = await f.remove([2]);
  const meanwhile = await a.encrypt(utf8('sent before the commit arrived'));
  assert.equal(text((await f.processIncoming(meanwhile))[0].body), 'sent before the commit arrived');
  const fromF = await f.encrypt(utf8('the facilitator still talks in epoch 1'));
  assert.equal(text((await a.processIncoming(fromF))[0].body), 'the facilitator still talks in epoch 1');
  const inFlight = await a.encrypt(utf8('in flight across the change'));
  // The service should answer the facilitator, not echo its commit; an echo changes nothing.
  assert.deepEqual(await f.processIncoming(change.commit), [{ kind: 'rejected', reason: 'own_commit' }]);
  assert.equal(f.epoch, 1n);
  await f.commitAccepted();
  await deliver(change.commit, [a, b]);
  assert.equal(f.epoch, 2n);
  // A late copy of the epoch-1 message already read: refused.
  assert.equal((await f.processIncoming(meanwhile))[0].reason, 'replayed');
  // An epoch-1 message not yet read arrives after the change: read once.
  assert.equal(text((await f.processIncoming(inFlight))[0].body), 'in flight across the change');
  assert.equal((await f.processIncoming(inFlight))[0].reason, 'replayed');
});
