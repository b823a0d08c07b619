// The security claims of the group layer, each as the attack itself
// (docs/CRYPTO.md, "Groups"): a server (alone, or with one member's keys)
// tries to add a ghost member or push a commit the facilitator did not
// sign; a removed member tries to read on; old handshake messages are
// replayed or reordered; message sizes are compared. The attacker's moves
// are made with ts-mls directly on a member's own state, as a modified
// client would.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as mls from 'ts-mls';
import { addMembers, deliver, loadGroups, makeGroup, makeWorld, rosterKey, text, utf8 } from './fixture.mjs';

let G;
let cs;
before(async () => {
  G = await loadGroups(fileURLToPath(import.meta.url));
  cs = await mls.getCiphersuiteImpl(mls.getCiphersuiteFromName(G.CIPHERSUITE));
});

const enc = (m) => mls.encodeMlsMessage(m);
const decodedKeyPackage = (bytes) => mls.decodeMlsMessage(bytes, 0)[0].keyPackage;

/** Everyone's roster and epoch, to show an attack changed nothing. */
const snapshot = (sessions) => sessions.map((s) => `${s.epoch}|${rosterKey(s)}`);

/** Each session refuses `bytes` with `reason` and stays as it was. */
async function allRefuse(bytes, sessions, reason) {
  const before = snapshot(sessions);
  for (const events of await deliver(bytes, sessions)) {
    assert.equal(events.length, 1);
    assert.equal(events[0].kind, 'rejected');
    assert.equal(events[0].reason, reason, JSON.stringify(events[0]));
  }
  assert.deepEqual(snapshot(sessions), before);
}

/** The group still works: a facilitator message is read by all `members`. */
async function stillWorks(f, members) {
  const m = await f.encrypt(utf8('still private'));
  for (const events of await deliver(m, members)) assert.equal(text(events[0].body), 'still private');
}

/** A ghost's key package (a real one, as a server could make). */
const ghostKeyPackage = async (w, f) =>
  (await G.MemberCandidate.prepare({ groupId: f.groupId, trust: w.trust, clock: w.tick, expectedFacilitator: 'ann.facilitator' })).keyPackage;

test('(a) a member\'s commit adding a ghost is refused by every client, whose rosters do not change', async () => {
  const w = makeWorld(G);
  const { f, members } = await makeGroup(G, w, 3);
  const [mallory, ...honest] = members;
  const r = await mls.createCommit({ state: mallory.state, cipherSuite: cs }, {
    extraProposals: [{ proposalType: 'add', add: { keyPackage: decodedKeyPackage(await ghostKeyPackage(w, f)) } }],
    ratchetTreeExtension: true,
  });
  await allRefuse(enc(r.commit), [f, ...honest], 'not_facilitator');
  await stillWorks(f, members);
});

test('(a) the ghost cannot join through the Welcome of that commit: it was not signed by the facilitator', async () => {
  const w = makeWorld(G);
  const { f, members } = await makeGroup(G, w, 2);
  const ghost = await G.MemberCandidate.prepare({ groupId: f.groupId, trust: w.trust, clock: w.tick, expectedFacilitator: 'ann.facilitator' });
  const r = await mls.createCommit({ state: members[0].state, cipherSuite: cs }, {
    extraProposals: [{ proposalType: 'add', add: { keyPackage: decodedKeyPackage(ghost.keyPackage) } }],
    ratchetTreeExtension: true,
  });
  const welcome = enc({ version: 'mls10', wireformat: 'mls_welcome', welcome: r.welcome });
  await assert.rejects(ghost.join(welcome), (e) => e.code === 'not_facilitator' && /leaf 1/.test(e.detail));
});

test('(a) an external commit or an external proposal adding a member is refused by every client', async () => {
  const w = makeWorld(G);
  const { f, members } = await makeGroup(G, w, 2);
  // Suppose the server obtained a GroupInfo with the external public key.
  const info = await mls.createGroupInfoWithExternalPubAndRatchetTree(f.state, [], cs);
  const ghost = await mls.generateKeyPackage(G.makeMemberCredential(), mls.defaultCapabilities(), mls.defaultLifetime, [], cs);
  const external = await mls.joinGroupExternal(info, ghost.publicPackage, ghost.privatePackage, false, cs);
  const commit = enc({ version: 'mls10', wireformat: 'mls_public_message', publicMessage: external.publicMessage });
  await allRefuse(commit, [f, ...members], 'wrong_wire_format');
  const proposal = await mls.proposeAddExternal(info, ghost.publicPackage, ghost.privatePackage, cs);
  await allRefuse(enc(proposal), [f, ...members], 'wrong_wire_format');
  await stillWorks(f, members);
});

test('(a) an Add proposal from a member is refused, cannot be committed by reference by another member, and never reaches the facilitator\'s next commit', async () => {
  const w = makeWorld(G);
  const { f, members } = await makeGroup(G, w, 3);
  const [mallory, accomplice, honest] = members;
  const p = await mls.createProposal(mallory.state, false, { proposalType: 'add', add: { keyPackage: decodedKeyPackage(await ghostKeyPackage(w, f)) } }, cs);
  await allRefuse(enc(p.message), [f, accomplice, honest], 'proposal_not_allowed');
  // The accomplice's modified client keeps the proposal and commits it by
  // reference: the honest clients never stored it, so MLS cannot even resolve it.
  const [pm] = mls.decodeMlsMessage(enc(p.message), 0);
  const stored = await mls.processPrivateMessage(accomplice.state, pm.privateMessage, mls.emptyPskIndex, cs, mls.acceptAll);
  const byRef = await mls.createCommit({ state: stored.newState, cipherSuite: cs }, { ratchetTreeExtension: true });
  await allRefuse(enc(byRef.commit), [f, honest], 'invalid');
  // A client that had stored it (a bug) still refuses: the commit is not the facilitator's.
  honest.state = (await mls.processPrivateMessage(honest.state, pm.privateMessage, mls.emptyPskIndex, cs, mls.acceptAll)).newState;
  await allRefuse(enc(byRef.commit), [honest], 'not_facilitator');
  // The facilitator's own next change carries no ghost.
  const removal = await f.remove([3]);
  await f.commitAccepted();
  await deliver(removal.commit, [mallory, accomplice]);
  assert.equal(f.roster().length, 3);
  assert.equal(rosterKey(mallory), rosterKey(f));
});

test('(a) a commit from the facilitator that adds a member proposed by someone else is refused (the policy sees every proposal\'s sender)', async () => {
  // The facilitator's client never makes this; a modified one (or a bug) could.
  const w = makeWorld(G);
  const { f, members } = await makeGroup(G, w, 3);
  const p = await mls.createProposal(members[0].state, false, { proposalType: 'add', add: { keyPackage: decodedKeyPackage(await ghostKeyPackage(w, f)) } }, cs);
  const [pm] = mls.decodeMlsMessage(enc(p.message), 0);
  const stored = await mls.processPrivateMessage(f.state, pm.privateMessage, mls.emptyPskIndex, cs, mls.acceptAll);
  const byRef = await mls.createCommit({ state: stored.newState, cipherSuite: cs }, { ratchetTreeExtension: true });
  // Members never stored the proposal, so MLS cannot resolve the reference ...
  await allRefuse(enc(byRef.commit), members, 'invalid');
  // ... and a member that had stored it refuses the commit for its proposer:
  // the policy checks the sender of every proposal, not only the committer.
  const [other] = members.slice(1);
  other.state = (await mls.processPrivateMessage(other.state, pm.privateMessage, mls.emptyPskIndex, cs, mls.acceptAll)).newState;
  const events = await other.processIncoming(enc(byRef.commit));
  assert.deepEqual([events[0].reason, events[0].detail], ['not_facilitator', 'add proposed by 1']);
});

test('(b) a forwarded commit not signed by the facilitator (a member removing another) is refused; a tampered facilitator commit too', async () => {
  const w = makeWorld(G);
  const { f, members } = await makeGroup(G, w, 3);
  const [mallory, victim, other] = members;
  const r = await mls.createCommit({ state: mallory.state, cipherSuite: cs }, { extraProposals: [{ proposalType: 'remove', remove: { removed: 2 } }] });
  await allRefuse(enc(r.commit), [f, victim, other], 'not_facilitator');
  // An empty commit (a key update) from a member is refused as well: only the facilitator commits.
  const empty = await mls.createCommit({ state: other.state, cipherSuite: cs }, {});
  await allRefuse(enc(empty.commit), [f, mallory, victim], 'not_facilitator');
  // The facilitator's real commit with one byte changed in transit.
  const change = await f.remove([2]);
  const tampered = Uint8Array.from(change.commit);
  tampered[tampered.length - 5] ^= 1;
  await allRefuse(tampered, [mallory, victim, other], 'undecryptable');
  await f.commitAccepted();
  for (const events of await deliver(change.commit, [mallory, other])) assert.deepEqual(events.map((e) => e.kind), ['member-left']);
});

test('(c) a removed member cannot decrypt any application message sent after removal, whether or not it saw the removal', async () => {
  const w = makeWorld(G);
  const { f, members } = await makeGroup(G, w, 3);
  const [gone, stays, third] = members;
  const before = await f.encrypt(utf8('before removal'));
  assert.equal(text((await gone.processIncoming(before))[0].body), 'before removal');
  // `oldState` stands for a removed member whose copy of the state never saw the commit.
  const oldState = gone.state;
  const removal = await f.remove([gone.selfLeaf]);
  await f.commitAccepted();
  assert.deepEqual((await gone.processIncoming(removal.commit)).map((e) => e.kind), ['removed']);
  await stays.processIncoming(removal.commit);
  await third.processIncoming(removal.commit);
  const after = [await f.encrypt(utf8('secret 1')), await stays.encrypt(utf8('secret 2'))];
  // And a further epoch: another change after the removal.
  const more = await addMembers(G, w, f, [stays, third], 1);
  after.push(await f.encrypt(utf8('secret 3')), await more[2].encrypt(utf8('secret 4')));
  for (const m of after) {
    assert.equal((await gone.processIncoming(m))[0].reason, 'removed');
    const [pm] = mls.decodeMlsMessage(m, 0);
    // With the old state, straight through ts-mls: no keys for that epoch.
    await assert.rejects(mls.processPrivateMessage(oldState, pm.privateMessage, mls.emptyPskIndex, cs));
    // Even relabelled as the old epoch, its old keys do not open it.
    const relabelled = { ...pm.privateMessage, epoch: oldState.groupContext.epoch };
    await assert.rejects(mls.processPrivateMessage(oldState, relabelled, mls.emptyPskIndex, cs));
  }
  for (const m of after.slice(0, 2)) assert.equal((await third.processIncoming(m))[0].kind, 'message');
});

test('(c) a removed member cannot post: its message for the epoch before the removal is refused by those who stay', async () => {
  const w = makeWorld(G);
  const { f, members } = await makeGroup(G, w, 3);
  const [gone, stays, third] = members;
  const removal = await f.remove([gone.selfLeaf]);
  await f.commitAccepted();
  await stays.processIncoming(removal.commit);
  // A member who stays sent just before it saw the commit: still read (its leaf holds the same member).
  const late = await third.encrypt(utf8('sent late'));
  await third.processIncoming(removal.commit);
  // The removed member ignores the commit and posts with its pre-removal state
  // (leaf 1, the epoch before the removal, whose keys the others still keep).
  assert.equal(gone.epoch, f.epoch - 1n);
  const forged = await gone.encrypt(utf8('still here'));
  await allRefuse(forged, [f, stays], 'removed');
  for (const events of await deliver(late, [f, stays])) assert.equal(text(events[0].body), 'sent late');
  await stillWorks(f, [stays, third]);
});

test('(d) a replayed or reordered handshake message for an old epoch is refused; a replayed application message too', async () => {
  const w = makeWorld(G);
  const { f, members } = await makeGroup(G, w, 3);
  const [a, b] = members;
  const first = await f.remove([3]);
  await f.commitAccepted();
  assert.equal((await a.processIncoming(first.commit))[0].kind, 'member-left');
  // replay: the same commit again
  await allRefuse(first.commit, [a, f], 'stale_epoch');
  // reorder: the next epoch's commit reaches b before the one it follows
  const second = await f.add([await ghostKeyPackage(w, f)]);
  await f.commitAccepted();
  assert.equal((await b.processIncoming(second.commit))[0].reason, 'future_epoch');
  assert.equal(b.epoch, 1n);
  assert.equal((await b.processIncoming(first.commit))[0].kind, 'member-left');
  assert.equal((await b.processIncoming(second.commit))[0].kind, 'member-joined');
  assert.equal((await a.processIncoming(second.commit))[0].kind, 'member-joined');
  // the old commit after both: still refused, for every one of them
  await allRefuse(first.commit, [a, b], 'stale_epoch');
  // An application message delivered twice is read once.
  const m = await a.encrypt(utf8('once'));
  assert.equal((await b.processIncoming(m))[0].kind, 'message');
  assert.equal((await b.processIncoming(m))[0].reason, 'replayed');
});

test('(d) the very first commit (the one that added everyone) replayed later is refused by all', async () => {
  const w = makeWorld(G);
  const f = await G.FacilitatorSession.create({ identity: w.facilitator, trust: w.trust, clock: w.tick });
  const a = await G.MemberCandidate.prepare({ groupId: f.groupId, trust: w.trust, clock: w.tick, expectedFacilitator: 'ann.facilitator' });
  const b = await G.MemberCandidate.prepare({ groupId: f.groupId, trust: w.trust, clock: w.tick, expectedFacilitator: 'ann.facilitator' });
  const change = await f.add([a.keyPackage, b.keyPackage]);
  await f.commitAccepted();
  const members = [await a.join(change.welcome), await b.join(change.welcome)];
  await allRefuse(change.commit, members, 'stale_epoch');
});

test('(e) application messages are padded to 256, 1024, 4096 or 16384 bytes, so their length says only which bucket', async () => {
  const w = makeWorld(G);
  const { f, members } = await makeGroup(G, w, 2);
  const sizeOf = async (n, who = members[0]) => (await who.encrypt(new Uint8Array(n).fill(0x41))).length;
  const buckets = [[0, 1, 17, 100, 200, 255], [256, 700, 1023], [1024, 3000, 4095], [4096, 10000, G.MAX_MESSAGE_BYTES]];
  const sizes = [];
  for (const [i, lengths] of buckets.entries()) {
    const seen = new Set();
    for (const n of lengths) seen.add(await sizeOf(n));
    assert.equal(seen.size, 1, `bucket ${G.PAD_BUCKETS[i]}: sizes ${[...seen]}`);
    const [size] = seen;
    // The MLS framing adds a fixed overhead (a few bytes more where TLS length prefixes grow).
    assert.ok(size > G.PAD_BUCKETS[i] && size - G.PAD_BUCKETS[i] < 200, `bucket ${G.PAD_BUCKETS[i]}: ${size}`);
    sizes.push(size);
  }
  assert.equal(new Set(sizes).size, 4);
  // Whoever sends, the size is the same (the sender is encrypted).
  assert.equal(await sizeOf(5, f), sizes[0]);
  assert.equal(await sizeOf(5, members[1]), sizes[0]);
  // Receivers refuse a payload that is not padded to a bucket.
  const raw = await mls.createApplicationMessage(members[0].state, utf8('not padded'), cs);
  const unpadded = enc({ version: 'mls10', wireformat: 'mls_private_message', privateMessage: raw.privateMessage });
  assert.equal((await f.processIncoming(unpadded))[0].reason, 'bad_padding');
});

test('messages for another group or from outside it are refused', async () => {
  const w = makeWorld(G);
  const one = await makeGroup(G, w, 1);
  const two = await makeGroup(G, w, 1);
  const m = await two.f.encrypt(utf8('for group two'));
  await allRefuse(m, [one.f, one.members[0]], 'wrong_group');
});
