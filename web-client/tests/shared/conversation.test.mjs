// Tests of src/shared/conversation.ts and appmsg.ts in Node: a GP and a
// listener Conversation wired to each other (what the relay does), with a
// real organisation made by src/crypto/org.js. The TypeScript is bundled by
// esbuild (Vite's own dependency) into test-output/ first.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const webClient = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let C; // the bundled modules (with their own copy of src/crypto, used through C.psc1)
let psc1;
let org;
const DAY = 86400;
const now = () => Math.floor(Date.now() / 1000);
const b64url = (b) => Buffer.from(b).toString('base64url');

before(async () => {
  const out = join(webClient, 'test-output', 'shared-bundle.mjs');
  mkdirSync(dirname(out), { recursive: true });
  await build({
    stdin: {
      contents: "export * as psc1 from './src/crypto/index.js'; export * from './src/shared/conversation.ts'; export * from './src/shared/appmsg.ts'; export * from './src/shared/ws.ts';",
      resolveDir: webClient, loader: 'ts',
    },
    bundle: true, format: 'esm', platform: 'neutral', outfile: out, external: ['libsodium-wrappers'], logLevel: 'error',
    mainFields: ['module', 'main'],
  });
  C = await import(pathToFileURL(out).href);
  psc1 = C.psc1;
  org = psc1.org;
  await psc1.ready();
});

/** The listener's keys are non-extractable WebCrypto keys, as in the browser. */
async function organisation({ role = 1, revoked = [] } = {}) {
  const rng = new psc1.SystemRng();
  const root = org.generateRootKey(rng);
  const identity = await psc1.generateDeviceIdentity();
  identity.certificate = org.certify(root, await psc1.makeDeviceEnrolmentRequest(identity, 'dr.ames'), role, 4242, now() - DAY, 7 * DAY);
  const t = org.makeTrust(root, rng, [identity.certificate], revoked.length ? revoked : [1], now() - 60, 2 * DAY, now());
  const state = {
    revocation_list: b64url(t.revocationList), revocation_delegation: b64url(t.revocationDelegation), directory: b64url(t.directory),
  };
  return { root, identity, crl: t.revocationList, state };
}

/**
 * A GP and a listener Conversation connected like the relay connects them.
 * `gpTrustRoot` lets a test pin a different root than the one that certified.
 */
function pair(o, { gpTrustRoot = o.root.publicKey, drop = () => false } = {}) {
  const events = { gp: [], listener: [] };
  const wire = { toListener: [], toGp: [] };
  let gp;
  let listener;
  const trust = { root: gpTrustRoot, revocationList: async () => o.state, minCrlNumber: 0n };
  // drop() returns 'lost' (sent, lost on the way), 'down' (connection down:
  // refused, the conversation keeps it) or false (delivered).
  gp = new C.Conversation('conv1', 1, 'gp', (ch, p) => {
    const d = drop('toListener', p);
    if (d === 'down') return false;
    wire.toListener.push(p);
    if (!d) listener.onRelay(p);
    return true;
  }, (e) => events.gp.push(e), { trust });
  listener = new C.Conversation('conv1', 7, 'listener', (ch, p) => {
    const d = drop('toGp', p);
    if (d === 'down') return false;
    wire.toGp.push(p);
    if (!d) gp.onRelay(p);
    return true;
  }, (e) => events.listener.push(e), { identity: o.identity, sids: new psc1.SidCache() });
  return { gp, listener, events, wire };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
};
const kinds = (evs) => evs.map((e) => e.kind);

test('GP and listener establish, show the same safety code and the certified handle', async () => {
  const p = pair(await organisation());
  p.gp.start();
  await settle();
  const g = p.events.gp.find((e) => e.kind === 'established');
  const l = p.events.listener.find((e) => e.kind === 'established');
  assert.ok(g && l);
  assert.equal(g.listenerHandle, 'dr.ames');
  assert.match(g.safetyCode, /^\d{4} \d{4}$/);
  assert.equal(g.safetyCode, l.safetyCode);
  assert.ok(p.gp.established && p.listener.established);
});

test('messages, acknowledgements, typing, signposting and end travel inside the encryption', async () => {
  const p = pair(await organisation());
  p.gp.start();
  await settle();
  const id = p.gp.sendText('hello from the GP');
  p.gp.sendTyping(true);
  const sid = p.listener.sendSignpost([{ name: 'Samaritans', contact: '116 123', hours: '24/7' }], 'for you');
  p.listener.sendEnd();
  await settle();
  assert.deepEqual(p.events.listener.find((e) => e.kind === 'message'), { kind: 'message', id, text: 'hello from the GP' });
  assert.ok(p.events.listener.some((e) => e.kind === 'typing' && e.on === true));
  assert.ok(p.events.gp.some((e) => e.kind === 'delivered' && e.id === id), 'the GP sees its message delivered');
  const sp = p.events.gp.find((e) => e.kind === 'signpost');
  assert.equal(sp.id, sid);
  assert.equal(sp.items[0].contact, '116 123');
  assert.ok(p.events.listener.some((e) => e.kind === 'delivered' && e.id === sid));
  assert.ok(p.events.gp.some((e) => e.kind === 'peer_end'));
  assert.deepEqual(p.gp.pending(), []);
  // Nothing readable crosses the wire.
  for (const f of [...p.wire.toListener, ...p.wire.toGp]) assert.ok(!Buffer.from(f).includes('hello from the GP'));
});

test('a certificate from another root is refused with the warning and the GP sends nothing after hello', async () => {
  const o = await organisation();
  const rogue = org.generateRootKey(new psc1.SystemRng());
  const p = pair(o, { gpTrustRoot: rogue.publicKey });
  p.gp.start();
  await settle();
  const r = p.events.gp.find((e) => e.kind === 'refused');
  assert.equal(r.code, 'bad_signature');
  assert.equal(r.warning, 'This listener could not be verified as a trained listener of the organisation. Do not continue.');
  assert.equal(p.wire.toListener.length, 1, 'only the hello was sent');
  assert.equal(p.gp.sendText('anything'), null);
  p.gp.resend();
  assert.equal(p.wire.toListener.length, 1, 'a refused conversation sends nothing, even after a reconnection');
  assert.ok(!p.events.listener.some((e) => e.kind === 'established'));
});

test('revoked certificates and supervisor certificates are refused with their own warnings', async () => {
  const revoked = pair(await organisation({ revoked: [4242] }));
  revoked.gp.start();
  await settle();
  assert.equal(revoked.events.gp.find((e) => e.kind === 'refused').code, 'cert_revoked');
  const sup = pair(await organisation({ role: psc1.ROLE_SUPERVISOR }));
  sup.gp.start();
  await settle();
  assert.equal(sup.events.gp.find((e) => e.kind === 'refused').code, 'cert_wrong_role');
});

test('a missing revocation list means the listener cannot be verified', async () => {
  const o = await organisation();
  const p = pair(o);
  p.gp.opts.trust.revocationList = async () => null;
  p.gp.start();
  await settle();
  const r = p.events.gp.find((e) => e.kind === 'refused');
  assert.equal(r.code, 'no_revocation_list');
  assert.match(r.warning, /withdrawn certificates could not be checked/);
});

test('frames lost in a drop are sent again; copies that did arrive are not shown twice', async () => {
  let dropping = false;
  const p = pair(await organisation(), { drop: () => dropping && 'lost' });
  p.gp.start();
  await settle();
  const a = p.gp.sendText('before');
  await settle();
  dropping = true;
  const b = p.gp.sendText('lost in the drop');
  await settle();
  assert.deepEqual(p.gp.pending(), [b]);
  dropping = false;
  p.gp.resend(); // after the reconnection: the confirm and 'b' again
  await settle();
  const texts = p.events.listener.filter((e) => e.kind === 'message').map((e) => e.text);
  assert.deepEqual(texts, ['before', 'lost in the drop']);
  assert.deepEqual(p.gp.pending(), []);
  p.gp.resend();
  await settle();
  assert.equal(p.events.listener.filter((e) => e.kind === 'message').length, 2, 'no duplicates');
  assert.ok(!p.events.listener.some((e) => e.kind === 'undecryptable'), 'duplicates are dropped quietly');
  assert.ok(a);
});

test('a hello sent again (after a drop during the handshake) gets the same response', async () => {
  let dropResponses = true;
  const p = pair(await organisation(), { drop: (dir) => dir === 'toGp' && dropResponses && 'lost' });
  p.gp.start();
  await settle();
  assert.equal(p.wire.toGp.length, 1);
  dropResponses = false;
  p.gp.resend();
  await settle();
  assert.deepEqual(p.wire.toGp[0], p.wire.toGp[1], 'the listener repeats its response');
  assert.ok(p.events.gp.some((e) => e.kind === 'established'));
  assert.ok(p.events.listener.some((e) => e.kind === 'established'));
});

test('frames refused while the connection is down go out in order on resend()', async () => {
  let down = false;
  const p = pair(await organisation(), { drop: () => down && 'down' });
  p.gp.start();
  await settle();
  down = true;
  p.gp.sendText('one');
  p.gp.sendTyping(true);
  p.gp.sendText('two');
  await settle();
  assert.equal(p.events.listener.filter((e) => e.kind === 'message').length, 0);
  down = false;
  p.gp.resend();
  await settle();
  assert.deepEqual(p.events.listener.filter((e) => e.kind === 'message').map((e) => e.text), ['one', 'two']);
  assert.ok(!p.events.listener.some((e) => e.kind === 'gap'), 'nothing missing');
  assert.deepEqual(p.gp.pending(), []);
});

test('close() wipes the session: nothing more is sent or accepted', async () => {
  const p = pair(await organisation());
  p.gp.start();
  await settle();
  p.gp.close();
  assert.equal(p.gp.sendText('after close'), null);
  p.listener.sendText('to a closed conversation');
  await settle();
  assert.ok(!p.events.gp.some((e) => e.kind === 'message'));
});

test('the inner message decoder accepts the documented kinds and ignores anything else', () => {
  const enc = (o) => new TextEncoder().encode(JSON.stringify(o));
  assert.deepEqual(C.decodeApp(enc({ v: 1, t: 'msg', id: '0123456789abcdef', text: 'hi' })), { v: 1, t: 'msg', id: '0123456789abcdef', text: 'hi' });
  assert.equal(C.decodeApp(enc({ v: 2, t: 'msg', id: '0123456789abcdef', text: 'hi' })), null);
  assert.equal(C.decodeApp(enc({ v: 1, t: 'msg', id: 'short', text: 'hi' })), null);
  assert.equal(C.decodeApp(enc({ v: 1, t: 'msg', id: '0123456789abcdef', text: 'x'.repeat(4001) })), null);
  assert.equal(C.decodeApp(enc({ v: 1, t: 'typing', on: 'yes' })), null);
  assert.equal(C.decodeApp(enc({ v: 1, t: 'html', body: '<script>' })), null);
  assert.equal(C.decodeApp(new Uint8Array([0xff, 0xfe])), null);
  assert.equal(C.decodeApp(enc({ v: 1, t: 'signpost', id: '0123456789abcdef', items: Array(17).fill({ name: 'a', contact: 'b', hours: 'c' }) })), null);
  assert.match(C.newMessageId(), /^[0-9a-f]{16}$/);
});

test('relay frames: header encoding and decoding per PROTOCOL.md section 6', () => {
  const f = C.encodeRelay(0x0102, new Uint8Array([9, 8]));
  assert.deepEqual([...f], [1, 1, 1, 2, 9, 8]);
  assert.deepEqual(C.decodeRelay(f), { channel: 0x0102, payload: new Uint8Array([9, 8]) });
  assert.equal(C.decodeRelay(new Uint8Array([1, 1, 0, 0, 5])), null, 'channel 0');
  assert.equal(C.decodeRelay(new Uint8Array([2, 1, 0, 1, 5])), null, 'version');
  assert.equal(C.decodeRelay(new Uint8Array([1, 1, 0, 1])), null, 'empty payload');
  assert.throws(() => C.encodeRelay(0, new Uint8Array([1])));
  assert.throws(() => C.encodeRelay(1, new Uint8Array(0)));
});
