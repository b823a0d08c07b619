// The administrator dashboard (admin.html) in real headless Chromium against
// the real server and a real Redis (harness.mjs). GPs and a listener are real
// WebSocket clients running in their own browser contexts.
//
//   cd web-client && node --test tests/browser/admin.test.mjs
//
// Screenshots go to test-output/screenshots/admin-*.png. No timing
// assertions: every wait is "until this appears", with a generous timeout.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.mjs';
import { audit } from './flows.mjs';
import * as psc1 from '../../src/crypto/index.js';

const ADMIN = 'ada.admin';
const WAIT = 20_000;

/** Problems that break the page: script errors and CSP violations (not 4xx/5xx fetch noise). */
function seriousProblems(page) {
  return page.problems.filter((p) => p.startsWith('pageerror') || /Content Security Policy|Refused to/i.test(p));
}

/** Today's date in the service's time zone (the server's default, Europe/London). */
function todayInServiceZone() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
}

/**
 * Installs window.pl in a page: minimal protocol clients (GP and listener)
 * over the browser's own fetch and WebSocket, on the server's origin.
 */
function installClients() {
  const clients = {};
  const url = `ws://${location.host}/ws`;
  async function open(name, token) {
    const ws = new WebSocket(url);
    const c = { ws, msgs: [] };
    ws.onmessage = (e) => {
      if (typeof e.data === 'string') c.msgs.push(JSON.parse(e.data));
    };
    await new Promise((res, rej) => {
      ws.onopen = res;
      ws.onerror = () => rej(new Error('websocket error'));
    });
    ws.send(JSON.stringify({ v: 1, type: 'hello', token }));
    c.token = token;
    clients[name] = c;
    await next(name, 'welcome');
    return c;
  }
  async function next(name, type, timeoutMs = 15000) {
    const c = clients[name];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = c.msgs.findIndex((m) => m.type === type || (Array.isArray(type) && type.includes(m.type)));
      if (i >= 0) return c.msgs.splice(i, 1)[0];
      const err = c.msgs.find((m) => m.type === 'error');
      if (err) throw new Error(`${name}: error ${err.code} ${err.message}`);
      if (Date.now() > deadline) throw new Error(`${name}: no ${type} (got ${JSON.stringify(c.msgs)})`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  function send(name, msg) {
    clients[name].ws.send(JSON.stringify({ v: 1, ...msg }));
  }
  window.pl = {
    async gp(name) {
      const r = await fetch('/api/gp/session', { method: 'POST' });
      if (r.status !== 200) throw new Error(`gp session: ${r.status}`);
      await open(name, (await r.json()).token);
    },
    async listener(name, password) {
      const r = await fetch('/api/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: name, password }),
      });
      if (r.status !== 200) throw new Error(`listener login: ${r.status}`);
      await open(name, (await r.json()).token);
    },
    send,
    async feedback(name, helped, stay) {
      const r = await fetch('/api/feedback', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${clients[name].token}` },
        body: JSON.stringify({ helped, stay_in_practice: stay }),
      });
      return r.status;
    },
    next: (name, type, timeoutMs) => next(name, type, timeoutMs),
    close(name) {
      clients[name].ws.close();
    },
  };
}

test('administrator dashboard against the real server', { skip: h.skipReason() ?? false, timeout: 300_000 }, async (t) => {
  const stack = await h.startStack({ admins: [ADMIN] });
  let amesPassword = null;
  let amesSerial = null;
  const browser = await h.launchBrowser();
  t.after(async () => {
    await browser.close();
    await stack.stop();
  });
  // A listener account without shifts yet (the dashboard adds one).
  await stack.createListener('dr.brook', { shift: false });

  const page = await h.newPage(browser, stack, '/admin.html');
  const tile = (key) => page.locator(`[data-tile="${key}"]`);
  const tileText = async (key) => (await tile(key).textContent())?.trim();

  await t.test('sign-in refuses a wrong password with a clear message, then signs in', async () => {
    const login = page.locator('#login-form');
    await login.getByLabel('Username').fill(ADMIN);
    await login.getByLabel('Password', { exact: true }).fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#login-message', { hasText: 'not right' }).waitFor({ timeout: WAIT });
    assert.equal(await page.locator('#app').isVisible(), false);

    // A listener's own (correct) password does not open the dashboard.
    await login.getByLabel('Username').fill('dr.brook');
    await login.getByLabel('Password', { exact: true }).fill(h.PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#login-message', { hasText: 'not an administrator account' }).waitFor({ timeout: WAIT });
    assert.equal(await page.locator('#app').isVisible(), false);

    await login.getByLabel('Username').fill(ADMIN);

    await login.getByLabel('Password', { exact: true }).fill(h.PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#app').waitFor({ state: 'visible', timeout: WAIT });
    await page.locator('#connection[data-state="open"]').waitFor({ timeout: WAIT });
    // The session token is in memory only; the one thing kept is this
    // browser's device token for the account (it signs no one in: it only
    // exempts this browser from delays others' failed guesses cause).
    const stored = await page.evaluate(() => ({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));
    assert.deepEqual(Object.keys(stored.local), [`peerline.device-token.${ADMIN}`]);
    assert.match(stored.local[`peerline.device-token.${ADMIN}`], /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(stored.session, {});
    assert.equal(stored.cookie, '');
  });

  await t.test('live tiles arrive by push over the WebSocket', async () => {
    await page.waitForFunction(() => document.querySelector('[data-tile="waiting"]')?.textContent?.trim() === '0', null, { timeout: WAIT });
    await page.locator('#live-source[data-source="push"]').waitFor({ timeout: WAIT });
  });

  await t.test('an account is created and appears in the list', async () => {
    await page.getByRole('link', { name: 'Accounts & certificates' }).click();
    await page.locator('#accounts-title').waitFor();
    const form = page.locator('#create-account');
    await form.getByLabel('Username').fill('dr.ames');
    await form.getByLabel('Role').selectOption('listener');
    await form.getByRole('button', { name: 'Generate a password' }).click();
    const pw = await form.getByLabel('Initial password').inputValue();
    assert.ok(pw.length >= 12, 'a generated password has at least 12 characters');
    await page.getByRole('button', { name: 'Create account' }).click();
    const row = page.locator('#accounts-body tr[data-account="dr.ames"]');
    await row.waitFor({ timeout: WAIT });
    assert.match(await row.textContent(), /Listener/);
    assert.match(await row.textContent(), /Active/);
    // The server agrees, and that password is a one-time password: the first
    // sign-in must choose a new one (tests/browser/admin-guards.test.mjs
    // does it in the consoles).
    const r = await stack.api('POST', '/api/login', { body: { username: 'dr.ames', password: pw } });
    assert.equal(r.status, 403);
    assert.equal(r.body.error.code, 'password_change_required');
    amesPassword = `${pw}-own`;
    const changed = await stack.api('POST', '/api/login', { body: { username: 'dr.ames', password: pw, new_password: amesPassword } });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.role, 'listener');
    await h.screenshot(page, 'admin-accounts');
  });

  await t.test('an enrolment is certified offline with peerline org certify and uploaded', async () => {
    assert.ok(amesPassword, 'needs the account made by the previous step');
    // dr.ames's device: an identity key pair and a self-signed enrolment request.
    await psc1.ready();
    const id = psc1.generateListenerIdentity(new psc1.SystemRng());
    const request = Buffer.from(psc1.makeEnrolmentRequest(id, 'dr.ames')).toString('base64url');
    const token = await stack.login('dr.ames', amesPassword);
    const put = await stack.api('PUT', '/api/listener/enrolment', { token, body: { enrolment_request: request } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.state, 'pending');

    await page.locator('#view-accounts').getByRole('button', { name: 'Refresh' }).click();
    const item = page.locator('[data-enrolment="dr.ames"]');
    await item.waitFor({ timeout: WAIT });
    const shown = (await item.locator('.fingerprint').textContent()).trim();
    const listed = await stack.api('GET', '/api/admin/enrolments', { token: await stack.admin() });
    assert.equal(shown, listed.body.enrolments.find((e) => e.username === 'dr.ames').identity_fingerprint);
    assert.match(shown, /^\d{5}( \d{5}){5}$/);
    // What dr.ames reads out from their own device (their console shows the same digits).
    const readOut = psc1.org.keyFingerprint(id.identityPublic);

    // Save the request as a file (a real download), certify it with the root key offline.
    const [download] = await Promise.all([page.waitForEvent('download'), item.getByRole('link', { name: /Save dr\.ames\.request/ }).click()]);
    const reqFile = join(stack.dir, 'dr.ames.request');
    await download.saveAs(reqFile);
    assert.equal(readFileSync(reqFile, 'utf8').trim(), request);
    const certFile = join(stack.dir, 'dr.ames.cert');
    const dirFile = join(stack.dir, 'org.directory');
    h.run([h.PEERLINE, 'org', 'certify', '--key', h.orgKey().keyFile, '--request', reqFile, '--expect-fingerprint', readOut,
      '--directory', dirFile, '--out', certFile, '--days', '7']);

    await item.getByLabel('Certificate file').setInputFiles(certFile);
    await item.getByLabel('Directory file (org.directory, written by the same command)').setInputFiles(dirFile);
    await item.locator('p.meta', { hasText: 'Certificate for dr.ames (listener)' }).waitFor({ timeout: WAIT });
    await item.getByRole('button', { name: 'Upload certificate for dr.ames' }).click();
    const row = page.locator('#accounts-body tr[data-account="dr.ames"]');
    await page.locator('#accounts-body tr[data-account="dr.ames"]', { hasText: 'Certified' }).waitFor({ timeout: WAIT });
    amesSerial = /serial (\d+)/.exec(await row.textContent())?.[1];
    assert.ok(amesSerial, 'the serial is shown');
    const mine = await stack.api('GET', '/api/listener/certificate', { token });
    assert.equal(mine.body.state, 'certified');
    assert.equal(mine.body.certificate, readFileSync(certFile, 'utf8').trim());
    assert.equal(mine.body.serial, amesSerial);
    await h.screenshot(page, 'admin-certified');
  });

  await t.test('a revocation list is signed in the browser with its non-extractable delegated key and published', async () => {
    assert.ok(amesSerial, 'needs the certificate from the previous step');
    await page.locator('#revkey-create').click();
    const pub = (await page.locator('#revkey-public').textContent()).trim();
    assert.match(pub, /^[A-Za-z0-9_-]{43}$/);
    // The private key cannot be read by any script, the page's own included.
    const extractable = await page.evaluate(async () => {
      const db = await new Promise((res, rej) => {
        const r = indexedDB.open('peerline-admin', 1);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const rec = await new Promise((res, rej) => {
        const q = db.transaction('revocation-key').objectStore('revocation-key').get('current');
        q.onsuccess = () => res(q.result);
        q.onerror = () => rej(q.error);
      });
      db.close();
      let exported = 'exported';
      try {
        await crypto.subtle.exportKey('pkcs8', rec.keys.privateKey);
      } catch (e) {
        exported = e.name;
      }
      return { flag: rec.keys.privateKey.extractable, exported };
    });
    assert.deepEqual(extractable, { flag: false, exported: 'InvalidAccessError' });
    // The root key, offline, delegates list signing to it.
    const delegationFile = join(stack.dir, 'admin.delegation');
    h.run([h.PEERLINE, 'org', 'delegate-revocation', '--key', h.orgKey().keyFile, '--revocation-public-key', pub, '--out', delegationFile]);
    await page.locator('#revkey-delegation').fill(readFileSync(delegationFile, 'utf8').trim());
    await page.locator('#revkey-delegation-save').click();
    await page.locator('#revkey-delegated').waitFor({ timeout: WAIT });
    // One click: revoke dr.ames's serial and publish.
    await page.locator('#revkey-revoke').fill(amesSerial);
    await page.locator('#revkey-sign').click();
    await page.locator('#crl-current', { hasText: `number 1, 1 revoked serials (${amesSerial})` }).waitFor({ timeout: WAIT });
    const r = await stack.api('GET', '/api/revocation-list');
    await psc1.ready();
    const list = psc1.decodeRevocationList(Buffer.from(r.body.revocation_list, 'base64url'));
    assert.deepEqual(list.serials, [BigInt(amesSerial)]);
    assert.equal(list.nextUpdate - list.issuedAt, 48n * 3600n);
    assert.equal(r.body.revocation_delegation, readFileSync(delegationFile, 'utf8').trim());
    // The same list again is refused (its number is not above the stored one), and the page says why.
    await page.locator('#crl-text').fill(r.body.revocation_list);
    await page.getByRole('button', { name: 'Upload revocation list' }).click();
    await page.locator('#crl-form .status-line.error', { hasText: 'newer one' }).waitFor({ timeout: WAIT });
    assert.equal(await page.locator('#crl-expiry-warning').isHidden(), true, 'a fresh list: no warning');
    await h.screenshot(page, 'admin-revocation-signed');
  });

  await t.test('the scheduled job\'s list carries every revocation on, and the dashboard warns a day before a list goes stale', async () => {
    // The organisation's cron job signs with its own delegated key, for 20 hours only.
    await stack.publishRevocationList([], h.ORG_KEY_FILE, 20);
    const r = await stack.api('GET', '/api/revocation-list');
    const list = psc1.decodeRevocationList(Buffer.from(r.body.revocation_list, 'base64url'));
    assert.equal(list.number, 2n);
    assert.deepEqual(list.serials, [BigInt(amesSerial)], 'the browser-signed revocation is not forgotten');
    await page.locator('#view-accounts').getByRole('button', { name: 'Refresh' }).click();
    await page.locator('#crl-expiry-warning', { hasText: 'within a day' }).waitFor({ timeout: WAIT });
    assert.equal(await page.locator('#crl-expiry-warning').getAttribute('role'), 'alert');
    // One click renews it from this browser (the job's list verifies under its own delegation).
    await page.locator('#revkey-sign').click();
    await page.locator('#crl-current', { hasText: 'number 3' }).waitFor({ timeout: WAIT });
    await page.locator('#crl-expiry-warning').waitFor({ state: 'hidden', timeout: WAIT });
  });

  await t.test('a shift is added to the rota', async () => {
    await page.getByRole('link', { name: 'Rota' }).click();
    await page.locator('#rota-title').waitFor();
    await page.locator('#rota-summary', { hasText: 'nobody on shift' }).waitFor({ timeout: WAIT });
    const form = page.locator('#add-shift');
    await form.getByLabel('Listener (username)').fill('dr.brook');
    await form.getByText('Once', { exact: true }).click();
    await form.getByLabel('Date', { exact: true }).fill(todayInServiceZone());
    await form.getByLabel('Start (HH:MM)').fill('00:00');
    await form.getByLabel('End (HH:MM)').fill('24:00');
    await form.getByRole('button', { name: 'Add shift' }).click();
    const row = page.locator('#shifts-body tr', { hasText: 'dr.brook' });
    await row.waitFor({ timeout: WAIT });
    assert.match(await row.textContent(), /00:00–24:00/);
    await page.locator('#rota-summary', { hasText: 'a listener is on shift' }).waitFor({ timeout: WAIT });
    const rota = await stack.api('GET', '/api/rota', { token: await stack.admin() });
    assert.ok(rota.body.shifts.some((s) => s.listener === 'dr.brook' && s.kind === 'one_off'), 'the server has the shift');
    await h.screenshot(page, 'admin-rota');
  });

  await t.test('a closed day is saved with the opening hours, and removed again', async () => {
    const form = page.locator('#hours-form');
    await form.getByLabel('Date').fill('2030-12-25');
    await form.getByRole('button', { name: 'Add closed day' }).click();
    await form.getByRole('button', { name: 'Save opening hours and closed days' }).click();
    await form.locator('.status-line.ok', { hasText: 'saved' }).waitFor({ timeout: WAIT });
    let rota = await stack.api('GET', '/api/rota', { token: await stack.admin() });
    assert.deepEqual(rota.body.closed_days, ['2030-12-25']);
    assert.deepEqual(rota.body.hours, {});
    await form.getByRole('button', { name: 'Remove closed day 2030-12-25' }).click();
    await form.getByRole('button', { name: 'Save opening hours and closed days' }).click();
    await page.locator('#closed-days', { hasText: 'No closed days.' }).waitFor({ timeout: WAIT });
    await form.locator('.status-line.ok', { hasText: 'saved' }).waitFor({ timeout: WAIT });
    rota = await stack.api('GET', '/api/rota', { token: await stack.admin() });
    assert.deepEqual(rota.body.closed_days, []);
  });

  await t.test('the signposting list is edited and GPs get the new list', async () => {
    await page.getByRole('link', { name: 'Signposting' }).click();
    await page.locator('#signposting-title').waitFor();
    const form = page.locator('#signposting-form');
    await form.locator('li.signpost, li.empty').first().waitFor({ timeout: WAIT });
    const before = await form.locator('li.signpost').count();
    await form.getByRole('button', { name: 'Add a service' }).click();
    const item = form.locator('li.signpost').last();
    await item.getByLabel('Name').fill('Practitioner Health');
    await item.getByLabel('Contact (phone, text or web)').fill('0300 0303 300');
    await item.getByLabel('Hours').fill('24/7 (out-of-hours line)');
    await form.getByRole('button', { name: 'Save signposting' }).click();
    await form.locator('.status-line.ok', { hasText: `Saved ${before + 1} services` }).waitFor({ timeout: WAIT });
    const config = await stack.api('GET', '/api/config');
    assert.deepEqual(config.body.signposting.at(-1), { name: 'Practitioner Health', contact: '0300 0303 300', hours: '24/7 (out-of-hours line)' });
    assert.equal(config.body.signposting.length, before + 1);
    // A half-filled entry is refused in words, and nothing is sent.
    await form.getByRole('button', { name: 'Add a service' }).click();
    await form.locator('li.signpost').last().getByLabel('Name').fill('Only a name');
    await form.getByRole('button', { name: 'Save signposting' }).click();
    await form.locator('.status-line.error', { hasText: 'fill in the name, the contact and the hours' }).waitFor({ timeout: WAIT });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid')), 'true', 'focus on the missing field');
    assert.equal((await stack.api('GET', '/api/config')).body.signposting.length, before + 1);
    await h.screenshot(page, 'admin-signposting');
  });

  // GPs in their own browser context (their own origin page, fetch and
  // WebSocket). The page is the release manifest, a static file served with
  // the site's Content-Security-Policy (connections to the origin allowed):
  // an API response such as /healthz carries `default-src 'none'`, under
  // which a document may not connect anywhere.
  const gpPage = await h.newPage(browser, stack, '/.well-known/peerline-release.json');
  await gpPage.evaluate(installClients);

  await t.test('the waiting count rises as GPs join and falls as they leave', async () => {
    await page.getByRole('link', { name: 'Live' }).click();
    await page.locator('#live-title').waitFor();
    for (const gp of ['gp1', 'gp2']) {
      await gpPage.evaluate((n) => window.pl.gp(n), gp);
      await gpPage.evaluate((n) => window.pl.send(n, { type: 'request_chat', topic: 'workload', urgent: false }), gp);
      await gpPage.evaluate((n) => window.pl.next(n, 'queued'), gp);
    }
    await page.waitForFunction(() => document.querySelector('[data-tile="waiting"]')?.textContent?.trim() === '2', null, { timeout: WAIT });
    assert.notEqual(await tileText('longest_wait'), '—', 'a longest wait is shown while GPs wait');
    assert.equal(await tileText('rostered'), '1');
    await h.screenshot(page, 'admin-live-waiting');

    await gpPage.evaluate(() => window.pl.send('gp1', { type: 'leave_queue' }));
    await gpPage.evaluate(() => window.pl.next('gp1', 'left_queue'));
    await page.waitForFunction(() => document.querySelector('[data-tile="waiting"]')?.textContent?.trim() === '1', null, { timeout: WAIT });
    await gpPage.evaluate(() => window.pl.send('gp2', { type: 'leave_queue' }));
    await gpPage.evaluate(() => window.pl.next('gp2', 'left_queue'));
    await page.waitForFunction(() => document.querySelector('[data-tile="waiting"]')?.textContent?.trim() === '0', null, { timeout: WAIT });
    assert.equal(await tileText('longest_wait'), '—');
    // Two GPs left before being connected this hour.
    await page.waitForFunction(() => /2 left before being connected/.test(document.querySelector('[data-tile-box="abandonment"]')?.textContent ?? ''), null, { timeout: WAIT });
  });

  await t.test('an escalation from a listener is shown prominently and announced', async () => {
    await gpPage.evaluate((pw) => window.pl.listener('dr.brook', pw), h.PASSWORD);
    await gpPage.evaluate(() => window.pl.send('dr.brook', { type: 'set_availability', state: 'available' }));
    await gpPage.evaluate(() => window.pl.next('dr.brook', 'availability'));
    await page.waitForFunction(() => document.querySelector('[data-tile="available"]')?.textContent?.trim() === '1', null, { timeout: WAIT });
    await gpPage.evaluate(() => window.pl.gp('gp3'));
    await gpPage.evaluate(() => window.pl.send('gp3', { type: 'request_chat', urgent: true }));
    const offer = await gpPage.evaluate(() => window.pl.next('dr.brook', 'offer'));
    await gpPage.evaluate((id) => window.pl.send('dr.brook', { type: 'accept_offer', offer_id: id }), offer.offer_id);
    const started = await gpPage.evaluate(() => window.pl.next('dr.brook', 'conversation_started'));
    await page.waitForFunction(() => document.querySelector('[data-tile="conversations_active"]')?.textContent?.trim() === '1', null, { timeout: WAIT });

    await gpPage.evaluate((ch) => window.pl.send('dr.brook', { type: 'escalate', channel: ch }), started.channel);
    const sent = await gpPage.evaluate(() => window.pl.next('dr.brook', 'escalation_sent'));
    assert.ok(sent.supervisors >= 1, 'the signed-in administrator counts as a duty supervisor');
    const banner = page.locator('#escalations');
    await banner.waitFor({ state: 'visible', timeout: WAIT });
    assert.match(await banner.textContent(), /dr\.brook asked for the duty supervisor/);
    assert.match(await banner.textContent(), new RegExp(started.conversation_id));
    assert.match(await page.locator('#escalation-announcer').textContent(), /dr\.brook asked for the duty supervisor/);
    assert.equal(await page.locator('#escalation-announcer').getAttribute('aria-live'), 'assertive');
    await h.screenshot(page, 'admin-escalation');
    await page.waitForFunction(() => document.querySelector('[data-tile="escalations"]')?.textContent?.trim() === '1', null, { timeout: WAIT });
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await banner.waitFor({ state: 'hidden', timeout: WAIT });

    await gpPage.evaluate((ch) => window.pl.send('dr.brook', { type: 'end_conversation', channel: ch }), started.channel);
    await page.waitForFunction(() => document.querySelector('[data-tile="conversations_active"]')?.textContent?.trim() === '0', null, { timeout: WAIT });
    // The GP answers the feedback questions (charted below).
    await gpPage.evaluate(() => window.pl.next('gp3', 'conversation_ended'));
    assert.equal(await gpPage.evaluate(() => window.pl.feedback('gp3', 'somewhat', 'more')), 204);
    // That GP's wait is now in this hour's percentiles (whatever its length);
    // one wait puts all three percentiles in one bucket: said once.
    await page.locator('[data-tile-box="wait_percentiles"]', { hasText: '1 GP connected' }).waitFor({ timeout: WAIT });
    assert.match(await tileText('wait_percentiles'), /^≤ \d+ (s|min)$/);
    assert.match(await page.locator('[data-tile-box="wait_percentiles"]').textContent(), /percentile alike/);
    assert.doesNotMatch(await page.locator('[data-tile-box="offers_missed"]').textContent(), /\b1 offers\b/);
  });

  await t.test('the charts show the last 24 hours, each with a table', async () => {
    await page.getByRole('link', { name: 'Charts' }).click();
    await page.locator('#charts-title').waitFor();
    // Statistics refresh every minute; ask now.
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await page.locator('figure[data-chart="demand"] figcaption', { hasText: '3 requests to talk' }).waitFor({ timeout: WAIT });
    for (const key of ['waits', 'demand', 'abandonment', 'offers', 'feedback-helped', 'feedback-stay']) {
      const fig = page.locator(`figure[data-chart="${key}"]`);
      assert.equal(await fig.locator('canvas').count(), 1, `${key} has a chart`);
      assert.equal(await fig.locator('table').count(), 1, `${key} has a table alternative`);
      assert.ok((await fig.locator('canvas').getAttribute('aria-label')).length > 20, `${key} chart has a text summary`);
    }
    assert.match(await page.locator('figure[data-chart="demand"] figcaption').textContent(), /3 requests to talk/);
    assert.match(await page.locator('figure[data-chart="offers"] figcaption').textContent(), /1 accepted/);
    assert.match(await page.locator('figure[data-chart="feedback-helped"] figcaption').textContent(), /1 answer .*1 somewhat/);
    assert.match(await page.locator('figure[data-chart="feedback-stay"] figcaption').textContent(), /1 answer .*1 more likely/);
    // The canvas has been drawn on (not blank).
    const drawn = await page.locator('figure[data-chart="demand"] canvas').evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
      return false;
    });
    assert.ok(drawn, 'the demand chart is drawn');
    await h.screenshot(page, 'admin-charts-24h');
  });

  await t.test('the 30-day charts come from GET /api/admin/stats?days=30', async () => {
    await page.getByText('Last 30 days (daily)').click();
    await page.locator('figure[data-chart="demand"] canvas').waitFor({ timeout: WAIT });
    assert.match(await page.locator('figure[data-chart="demand"] figcaption').textContent(), /3 requests to talk in the last 30 days/);
    await h.screenshot(page, 'admin-charts-30d');
  });

  await t.test('at phone width nothing overflows sideways, in any view', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const [view, name] of [['Live', 'live'], ['Charts', 'charts'], ['Accounts & certificates', 'accounts'], ['Rota', 'rota'], ['Signposting', 'signposting']]) {
        await page.getByRole('link', { name: view, exact: true }).click();
        await page.locator(`#${name}-title`).waitFor();
        await page.waitForLoadState('networkidle');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${view}: the page is ${overflow}px wider than the phone screen`);
        await h.screenshot(page, `admin-phone-${name}`);
      }
    } finally {
      await page.setViewportSize({ width: 1024, height: 800 });
    }
  });

  await t.test('accessibility: names, labels and contrast in every view; keyboard order with visible focus', async () => {
    for (const view of ['Live', 'Charts', 'Accounts & certificates', 'Rota', 'Signposting']) {
      await page.getByRole('link', { name: view, exact: true }).click();
      await page.waitForFunction((v) => document.querySelector('nav.sections a[aria-current="page"]')?.textContent === v, view);
      await page.waitForLoadState('networkidle');
      // Hidden controls too (collapsed tables, the other shift kind): each has a name.
      const unnamed = await page.evaluate(() =>
        [...document.querySelectorAll('#app .view:not([hidden]) :is(input, select, textarea, button, a[href], canvas)')]
          .filter((el) => {
            const labels = el.labels ? [...el.labels].map((l) => l.textContent).join(' ') : '';
            const own = ['BUTTON', 'A'].includes(el.tagName) ? el.textContent : '';
            return !(labels || el.getAttribute('aria-label') || own || '').trim();
          })
          .map((el) => el.outerHTML.slice(0, 160)));
      assert.deepEqual(unnamed, [], `unnamed controls in ${view}`);
      assert.deepEqual(await audit(page), [], `labels, names and contrast in ${view}`);
    }
    // From the top of the Live view: the skip link first, then the top bar, then the sections; focus always visible.
    await page.getByRole('link', { name: 'Live', exact: true }).click();
    const first = await page.evaluate(() =>
      [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')]
        .find((e) => !e.closest('[hidden]') && !e.disabled)?.textContent.trim());
    assert.equal(first, 'Skip to main content', 'the skip link is the first control');
    await page.locator('.skip-link').focus();
    const order = [];
    for (let i = 0; i < 8; i++) {
      if (i > 0) await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => {
        const e = document.activeElement;
        if (!e || e === document.body) return null;
        const st = getComputedStyle(e);
        return { name: (e.getAttribute('aria-label') || e.textContent || e.id).trim().slice(0, 40), outlined: st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 2 };
      }));
    }
    const seen = order.filter(Boolean);
    assert.equal(seen[0]?.name, 'Skip to main content');
    const names = seen.map((o) => o.name);
    assert.ok(names.indexOf('Sign out') < names.indexOf('Live') && names.indexOf('Live') < names.indexOf('Charts'), `focus order: ${names.join(' | ')}`);
    for (const o of seen) assert.ok(o.outlined, `no visible focus on ${o.name}`);
  });

  await t.test('when the server goes away the dashboard says so and reconnects', async () => {
    await stack.stopServer();
    // State and text in one look: the first retry may start (and the text
    // change to "Connecting…") before a second read.
    await page.locator('#connection[data-state="waiting"]', { hasText: /Retrying in/ }).waitFor({ timeout: WAIT });
    await h.screenshot(page, 'admin-disconnected');
    await stack.startServer();
    await page.getByRole('button', { name: 'Reconnect now' }).click().catch(() => {}); // may already be reconnecting
    await page.locator('#connection[data-state="open"]').waitFor({ timeout: 60_000 });
  });

  await t.test('a disabled account is sent back to sign-in with a clear message', async () => {
    stack.adminCli(['disable', ADMIN]);
    await page.getByRole('link', { name: 'Accounts & certificates' }).click();
    await page.locator('#login-view').waitFor({ state: 'visible', timeout: WAIT });
    assert.match(await page.locator('#login-message').textContent(), /session has expired/i);
    stack.adminCli(['enable', ADMIN]);
  });

  await t.test('with Redis down the dashboard says so (503)', async () => {
    const login = page.locator('#login-form');
    await login.getByLabel('Username').fill(ADMIN);
    await login.getByLabel('Password', { exact: true }).fill(h.PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#app').waitFor({ state: 'visible', timeout: WAIT });
    await stack.redis.stop();
    await page.getByRole('link', { name: 'Rota' }).click();
    await page.locator('#view-rota .status-line.error', { hasText: 'Redis' }).first().waitFor({ timeout: WAIT });
    await h.screenshot(page, 'admin-redis-down');
  });

  await t.test('the page raised no script errors and no CSP violations', () => {
    assert.deepEqual(seriousProblems(page), []);
    assert.deepEqual(seriousProblems(gpPage), []);
  });
});
