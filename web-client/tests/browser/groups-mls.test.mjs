// The group encryption library (src/groups, MLS through ts-mls) in real
// Chromium, bundled for the browser as Vite would: the facilitator's identity
// is a non-extractable WebCrypto key (as on a listener's device), and the
// suite's X25519/Ed25519 come from Chromium's WebCrypto, ChaCha20-Poly1305
// from @noble/ciphers. A facilitator and three GPs (each a session in the
// page) talk, one is removed and reads nothing more, and a member's commit
// adding a ghost is refused by all. No server is involved: the page and its
// bundle are served by Playwright's routing (the delivery service is not
// built yet, docs/CRYPTO.md Part 3).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';
import * as h from './harness.mjs';

const ORIGIN = 'http://localhost:8443'; // a secure context; nothing listens there, every request is routed

const SCENARIO = `
import * as mls from 'ts-mls';
import * as G from './src/groups/index.ts';
import * as psc1 from './src/crypto/index.js';
import * as org from './src/crypto/org.js';

const utf8 = (s) => new TextEncoder().encode(s);
const text = (b) => new TextDecoder().decode(b);

window.runScenario = async () => {
  await psc1.ready();
  const now = Math.floor(Date.now() / 1000);
  const rng = new psc1.SystemRng();
  const root = org.generateRootKey(rng);
  const identity = await psc1.generateDeviceIdentity();
  identity.certificate = org.certify(root, await psc1.makeDeviceEnrolmentRequest(identity, 'ann.facilitator'),
    psc1.ROLE_LISTENER, 42, now - 3600, 30 * 86400);
  const { now: _n, ...trust } = org.makeTrust(root, rng, [identity.certificate], [], now - 3600, 2 * 86400, now);
  const clock = () => Math.floor(Date.now() / 1000);
  const out = { extractable: identity.identityKey.extractable, ciphersuite: G.CIPHERSUITE };

  const f = await G.FacilitatorSession.create({ identity, trust, clock });
  const candidates = [];
  for (let i = 0; i < 3; i++) candidates.push(await G.MemberCandidate.prepare({ groupId: f.groupId, trust, clock, expectedFacilitator: 'ann.facilitator' }));
  const change = await f.add(candidates.map((c) => c.keyPackage));
  await f.commitAccepted();
  const [a, b, c] = await Promise.all(candidates.map((x) => x.join(change.welcome)));
  out.roster = b.roster().map((e) => e.role + ':' + (e.role === 'facilitator' ? e.id : e.leaf));

  const hello = await a.encrypt(utf8('hello from a GP'));
  out.read = [];
  for (const s of [f, b, c]) {
    const [e] = await s.processIncoming(hello);
    out.read.push(e.kind === 'message' ? text(e.body) + ' / leaf ' + e.sender.leaf : e.kind);
  }
  out.sizes = [await b.encrypt(utf8('x')), await b.encrypt(new Uint8Array(200))].map((m) => m.length);

  // a member's commit adding a ghost
  const ghost = await G.MemberCandidate.prepare({ groupId: f.groupId, trust, clock, expectedFacilitator: 'ann.facilitator' });
  const cs = await mls.getCiphersuiteImpl(mls.getCiphersuiteFromName(G.CIPHERSUITE));
  const ghostKp = mls.decodeMlsMessage(ghost.keyPackage, 0)[0].keyPackage;
  const forged = await mls.createCommit({ state: c.state, cipherSuite: cs }, { extraProposals: [{ proposalType: 'add', add: { keyPackage: ghostKp } }] });
  const forgedBytes = mls.encodeMlsMessage(forged.commit);
  out.ghost = [];
  for (const s of [f, a, b]) out.ghost.push((await s.processIncoming(forgedBytes))[0].reason + ' ' + s.roster().length);

  // the facilitator removes a; a reads nothing after
  const removal = await f.remove([a.selfLeaf]);
  await f.commitAccepted();
  out.removal = [];
  for (const s of [a, b, c]) out.removal.push((await s.processIncoming(removal.commit)).map((e) => e.kind).join(','));
  const after = await f.encrypt(utf8('after the removal'));
  out.afterRemoval = [];
  for (const s of [a, b, c]) {
    const [e] = await s.processIncoming(after);
    out.afterRemoval.push(e.kind === 'message' ? text(e.body) : e.reason);
  }
  out.epochs = [f.epoch, b.epoch, c.epoch].map(String);
  return out;
};
`;

test('the group library runs in Chromium: WebCrypto facilitator key, messages, a refused ghost, a removal', {
  skip: existsSync(h.CHROMIUM) ? false : `${h.CHROMIUM} is missing`,
}, async () => {
  const outDir = join(h.OUTPUT, 'groups-browser');
  mkdirSync(outDir, { recursive: true });
  await build({
    stdin: { contents: SCENARIO, resolveDir: h.WEB_CLIENT, loader: 'ts' },
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', outfile: join(outDir, 'scenario.js'), logLevel: 'error',
  });
  const bundle = readFileSync(join(outDir, 'scenario.js'));
  const browser = await h.launchBrowser();
  try {
    const page = await h.newPage(browser, null, null);
    await page.route(`${ORIGIN}/**`, (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/scenario.js') return route.fulfill({ body: bundle, contentType: 'text/javascript' });
      if (url.pathname === '/') return route.fulfill({ body: '<!doctype html><title>groups</title><script type="module" src="/scenario.js"></script>', contentType: 'text/html' });
      return route.fulfill({ status: 404, body: '' });
    });
    await page.goto(`${ORIGIN}/`);
    await page.waitForFunction(() => typeof window.runScenario === 'function', null, { timeout: 15000 });
    const out = await page.evaluate(() => window.runScenario());
    assert.equal(out.extractable, false);
    assert.equal(out.ciphersuite, 'MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519');
    assert.deepEqual(out.roster, ['facilitator:ann.facilitator', 'member:1', 'member:2', 'member:3']);
    assert.deepEqual(out.read, ['hello from a GP / leaf 1', 'hello from a GP / leaf 1', 'hello from a GP / leaf 1']);
    assert.equal(out.sizes[0], out.sizes[1]);
    assert.deepEqual(out.ghost, ['not_facilitator 4', 'not_facilitator 4', 'not_facilitator 4']);
    assert.deepEqual(out.removal, ['removed', 'member-left', 'member-left']);
    assert.deepEqual(out.afterRemoval, ['removed', 'after the removal', 'after the removal']);
    assert.deepEqual(out.epochs, ['2', '2', '2']);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  } finally {
    await browser.close();
  }
});
