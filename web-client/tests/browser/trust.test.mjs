// Issue 12, findings 1 and 2, in real Chromium against the real server:
// enrolment substitution (the listener reads out their key's fingerprint,
// `peerline org certify` refuses any other, the console raises an alarm when
// the signed directory names a key that is not its own, and a GP refuses a
// certificate that is not the directory's current one) and revocation the
// server cannot roll back (a fresh GP tab refuses a list older than 48
// hours, or one not signed by the root's delegated revocation key, whatever
// the server serves).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import * as psc1 from '../../src/crypto/index.js';
import * as f from './flows.mjs';
import * as h from './harness.mjs';

const skip = h.skipReason();
let stack;
let browser;

before(async () => {
  if (skip) return;
  stack = await h.startStack({ listeners: ['dr.ames', 'dr.brook', 'dr.cole', 'dr.dunn'] });
  await stack.publishRevocationList();
  browser = await h.launchBrowser();
  await psc1.ready();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

// Every page is its own browser context, which keeps up to six HTTP
// connections to the server besides its WebSocket, all from 127.0.0.1. Left
// open, one test's pages would take the next test's share of the server's
// per-address connection cap (64), and a page over it gets 503.
const opened = [];
async function newPage(path) {
  const page = await h.newPage(browser, stack, path);
  opened.push(page);
  return page;
}
afterEach(async () => {
  for (const page of opened.splice(0)) await page.context().close();
});

/** Signs `username` in on a fresh page and enrols that browser's key; returns [page, fingerprint shown]. */
async function enrolListener(username) {
  const page = await newPage('/listener.html');
  await f.listenerSignIn(page, username, h.PASSWORD);
  assert.match(await f.enrolDevice(page), /Waiting for an administrator/);
  const shown = (await page.locator('#key-fingerprint').textContent()).trim();
  return [page, shown];
}

/** The listener goes away, so the next GP's offer goes to the next listener. */
async function goAway(page) {
  await page.locator('#go-away').click();
  await page.waitForSelector('#avail-state:not([data-state="available"])', { timeout: f.TIMEOUT });
}

/** A GP tab, its clock optionally moved, its trust state optionally replaced (as a hostile server would). */
async function gpPage({ clockAt, trustState } = {}) {
  const gp = await newPage(null);
  if (clockAt) await gp.clock.setFixedTime(clockAt);
  if (trustState) {
    await gp.route('**/api/revocation-list', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(trustState) }));
  }
  await gp.goto(`${stack.baseUrl}/`);
  return gp;
}

async function refusal(gp) {
  await gp.waitForSelector('#refusal:not([hidden])', { timeout: f.TIMEOUT });
  assert.equal(await gp.locator('#listener-badge').isHidden(), true, 'no verified badge');
  assert.equal(await gp.getByLabel('Your message').isDisabled(), true, 'the GP cannot type');
  return gp.locator('#refusal').textContent();
}

test('certify signs only the key whose fingerprint the listener read out, and a key substituted under their name raises the console\'s alarm', { skip }, async () => {
  const [listener, shown] = await enrolListener('dr.ames');
  assert.match(shown, /^\d{5}( \d{5}){5}$/, 'six groups of five digits, to read aloud');

  // The administrator is handed a request carrying another key (the server's) under dr.ames's name.
  const token = await stack.login('dr.ames', h.PASSWORD);
  const serverKey = psc1.generateListenerIdentity(new psc1.SystemRng());
  const forgedRequest = Buffer.from(psc1.makeEnrolmentRequest(serverKey, 'dr.ames')).toString('base64url');
  const reqFile = join(stack.dir, 'substituted.request');
  writeFileSync(reqFile, `${forgedRequest}\n`);
  const r = spawnSync(h.PEERLINE, ['org', 'certify', '--key', h.ORG_KEY_FILE, '--request', reqFile, '--expect-fingerprint', shown,
    '--directory', join(stack.dir, 'refused.directory'), '--out', join(stack.dir, 'refused.cert')], { encoding: 'utf8' });
  assert.notEqual(r.status, 0, 'certify refuses');
  assert.match(r.stdout, /handle: +dr\.ames/);
  assert.match(r.stdout, new RegExp(`key fingerprint: +${psc1.org.keyFingerprint(serverKey.identityPublic)}`));
  assert.match(r.stderr, /REFUSED/);

  // The genuine request, with the digits the listener read out: certified, no alarm.
  await stack.certifyPending('dr.ames', h.ORG_KEY_FILE, { fingerprint: shown });
  await f.waitCertified(listener);
  assert.equal(await listener.locator('#directory-alarm').isHidden(), true);

  // Now suppose the administrator was fooled anyway: the server enrols its own key for dr.ames and has it certified.
  const put = await stack.api('PUT', '/api/listener/enrolment', { token, body: { enrolment_request: forgedRequest } });
  assert.equal(put.status, 200, put.text);
  await stack.certifyPending('dr.ames');
  // dr.ames's console, on this device, sees the directory name a key that is not its own.
  await listener.reload();
  await f.listenerSignIn(listener, 'dr.ames', h.PASSWORD);
  await listener.waitForSelector('#directory-alarm:not([hidden])', { timeout: f.TIMEOUT });
  const alarm = await listener.locator('#directory-alarm').textContent();
  assert.ok(alarm.includes(psc1.org.keyFingerprint(serverKey.identityPublic)), 'names the substituted key');
  assert.ok(alarm.includes(shown), 'and this device\'s own');
  assert.equal(await listener.locator('#directory-alarm').getAttribute('role'), 'alert');
  assert.equal(await listener.locator('#go-available').isDisabled(), true, 'no conversations from here');
  await h.screenshot(listener, 'listener-directory-alarm');
  assert.deepEqual(listener.problems, []);
});

test('a GP refuses a listener whose certificate is no longer the directory\'s current one for their handle', { skip }, async () => {
  const [oldDevice, oldShown] = await enrolListener('dr.brook');
  await stack.certifyPending('dr.brook', h.ORG_KEY_FILE, { fingerprint: oldShown });
  await f.waitCertified(oldDevice);
  await f.goAvailable(oldDevice);
  // dr.brook's key on another device is certified: the directory now names that one.
  const [, newShown] = await enrolListener('dr.brook');
  await stack.certifyPending('dr.brook', h.ORG_KEY_FILE, { fingerprint: newShown });

  // The old device is still signed in and available; a GP is offered to it.
  const gp = await gpPage();
  await f.gpAsk(gp);
  await f.acceptOffer(oldDevice);
  assert.equal(await refusal(gp), psc1.warningFor('not_in_directory'));
  await h.screenshot(gp, 'gp-refused-replaced-certificate');
  assert.deepEqual(gp.problems, []);
  await goAway(oldDevice);
});

test('a fresh GP tab refuses a list from 48 hours ago and one not signed by the delegated key, whatever the server serves', { skip }, async () => {
  const [cole, coleShown] = await enrolListener('dr.cole');
  await stack.certifyPending('dr.cole', h.ORG_KEY_FILE, { fingerprint: coleShown });
  await stack.publishRevocationList([]);
  const beforeRevocation = (await stack.api('GET', '/api/revocation-list')).body;
  await f.waitCertified(cole);
  await f.goAvailable(cole);
  // The organisation revokes dr.cole; the server keeps serving the list from before.
  const serial = (await cole.locator('#cert-serial').textContent()).trim();
  await stack.publishRevocationList([serial]);

  // 48 hours later (by the GP's clock), a fresh tab is still handed that old list: refused.
  const later = await gpPage({ clockAt: new Date(Date.now() + 48 * 3600 * 1000), trustState: beforeRevocation });
  await f.gpAsk(later);
  await f.acceptOffer(cole);
  assert.equal(await refusal(later), psc1.warningFor('crl_stale'));
  await h.screenshot(later, 'gp-refused-stale-list');
  await goAway(cole);

  // A list the server signs with its own key (and a delegation from a root nobody pins): refused at once.
  const [dunn, dunnShown] = await enrolListener('dr.dunn');
  await stack.certifyPending('dr.dunn', h.ORG_KEY_FILE, { fingerprint: dunnShown });
  await f.waitCertified(dunn);
  await f.goAvailable(dunn);
  const rng = new psc1.SystemRng();
  const serverRoot = psc1.org.generateRootKey(rng);
  const serverKey = psc1.org.generateRevocationKey(rng);
  const now = Math.floor(Date.now() / 1000);
  const b64 = (b) => Buffer.from(b).toString('base64url');
  const state = (await stack.api('GET', '/api/revocation-list')).body;
  const fakeDelegation = psc1.org.delegateRevocation(serverRoot, serverKey.publicKey, now - 60, 86400);
  const fakeList = psc1.org.signNextRevocationList(serverKey, {
    root: serverRoot.publicKey, delegation: fakeDelegation, directory: new Uint8Array(0), now: now - 60,
  });
  const forged = await gpPage({ trustState: { ...state, revocation_list: b64(fakeList), revocation_delegation: b64(fakeDelegation) } });
  await f.gpAsk(forged);
  await f.acceptOffer(dunn);
  assert.equal(await refusal(forged), psc1.warningFor('bad_signature'));
  assert.deepEqual(later.problems, []);
  assert.deepEqual(forged.problems, []);
});
