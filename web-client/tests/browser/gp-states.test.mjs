// The GP page when nobody can take the call, and when the server is down;
// the main screens at phone width (f).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as f from './flows.mjs';
import * as h from './harness.mjs';

const skip = h.skipReason();
let stack;
let browser;
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };

before(async () => {
  if (skip) return;
  stack = await h.startStack({ serverArgs: ['--timezone', 'Europe/London'] }); // no listener, no shift
  browser = await h.launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('with nobody on shift the GP is signposted to 24/7 services instead of queued', { skip }, async () => {
  const gp = await h.newPage(browser, stack, '/');
  await f.gpAsk(gp);
  await gp.waitForSelector('#view-signposting:not([hidden])', { timeout: f.TIMEOUT });
  assert.match(await gp.locator('#signposting-reason').textContent(), /closed|No listener is on shift/);
  assert.match(await gp.locator('#signposting-next').textContent(), /next listener shift|No listener shift is planned/);
  assert.ok(await gp.locator('#signposting-list li').count() > 0, 'alternatives are listed');
  assert.ok(await gp.locator('#crisis-list li').count() > 0, 'the crisis panel is still there');
  await h.screenshot(gp, 'gp-signposting');
  await gp.getByRole('button', { name: 'Back to the start' }).first().click();
  await gp.waitForSelector('#view-landing:not([hidden])');
  f.assertNothingStored(await f.storageOf(gp), 'after signposting');
  assert.deepEqual(gp.problems, []);
});

test('on a closed day the GP is told that Peerline is closed, and shown the 24/7 alternatives', { skip }, async () => {
  const token = await stack.admin();
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
  const put = await stack.api('PUT', '/api/rota/hours', { token, body: { hours: {}, closed_days: [today] } });
  assert.ok(put.status >= 200 && put.status < 300, `PUT /api/rota/hours: ${put.status} ${put.text}`);
  await h.waitFor(async () => (await stack.api('GET', '/api/rota', { token })).body.open_now === false, 'the rota to be closed');
  try {
    const gp = await h.newPage(browser, stack, '/');
    await f.gpAsk(gp);
    await gp.waitForSelector('#view-signposting:not([hidden])', { timeout: f.TIMEOUT });
    assert.equal(await gp.locator('#signposting-reason').textContent(), 'Peerline is closed at the moment.');
    assert.ok(await gp.locator('#signposting-list li').count() > 0);
    await h.screenshot(gp, 'gp-closed');
  } finally {
    await stack.api('PUT', '/api/rota/hours', { token, body: { hours: {}, closed_days: [] } });
  }
});

test('the landing page, the listener sign-in and the signposting fit a phone-width screen', { skip }, async () => {
  const gp = await h.newPage(browser, stack, '/', PHONE);
  await f.ready(gp);
  await f.assertFitsWidth(gp, 'GP landing');
  assert.ok(await gp.getByRole('button', { name: 'Quick exit' }).isVisible(), 'quick exit visible on a phone');
  await h.screenshot(gp, 'gp-landing-phone');
  await f.gpAsk(gp);
  await gp.waitForSelector('#view-signposting:not([hidden])', { timeout: f.TIMEOUT });
  await f.assertFitsWidth(gp, 'GP signposting');
  await h.screenshot(gp, 'gp-signposting-phone');
  const listener = await h.newPage(browser, stack, '/listener.html', PHONE);
  await f.ready(listener);
  await f.assertFitsWidth(listener, 'listener sign-in');
  await h.screenshot(listener, 'listener-sign-in-phone');
});

test('when the server cannot be reached the GP is told so plainly', { skip }, async () => {
  const gp = await h.newPage(browser, stack, '/');
  await f.ready(gp);
  await stack.stopServer();
  try {
    await gp.getByRole('button', { name: 'Ask to talk' }).click();
    await gp.waitForSelector('#page-error:not([hidden])', { timeout: f.TIMEOUT });
    assert.match(await gp.locator('#page-error').textContent(), /cannot be reached/);
    assert.equal(await gp.locator('#page-error').getAttribute('role'), 'alert');
    assert.ok(await gp.locator('#crisis-list li').count() > 0, 'the 24/7 list stays visible');
    await h.screenshot(gp, 'gp-server-unreachable');
  } finally {
    await stack.startServer();
  }
});
