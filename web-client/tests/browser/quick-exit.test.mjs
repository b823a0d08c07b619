// (d) Quick exit: the Escape key (twice in the message box of a conversation) and the button (in the
// queue) replace the page with a neutral one, out of the history, leave the
// conversation or the queue on the server, and leave nothing stored in the
// browser. The neutral page is on the public internet, which the test
// machine cannot reach: the browser context answers that one URL itself
// (Playwright route), everything else is real.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as f from './flows.mjs';
import * as h from './harness.mjs';

const skip = h.skipReason();
const EXIT = 'https://www.bbc.co.uk/weather';
let stack;
let browser;

before(async () => {
  if (skip) return;
  stack = await h.startStack({
    listeners: ['dr.ames'],
    demo: true,
    demoOrgKey: h.orgKey().keyFile,
    serverArgs: ['--wrapup-s', '0'],
  });
  browser = await h.launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A GP page opened after a neutral first page, with the exit URL answered locally. */
async function gpPage() {
  const page = await h.newPage(browser, stack, null);
  await page.context().route('https://www.bbc.co.uk/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Weather</title><h1>Weather</h1>' }));
  await page.goto('about:blank');
  await page.goto(`${stack.baseUrl}/`);
  await f.ready(page);
  return page;
}

async function assertLeftCleanly(page) {
  await page.waitForURL(`${EXIT}**`, { timeout: f.TIMEOUT });
  assert.equal(await page.title(), 'Weather');
  // location.replace: "Back" does not return to Peerline.
  await page.goBack();
  assert.ok(!page.url().startsWith(stack.baseUrl), `Back went to ${page.url()}`);
  // Nothing stored for Peerline's origin in this browser context.
  const check = await page.context().newPage();
  await check.goto(`${stack.baseUrl}/healthz`);
  f.assertNothingStored(await f.storageOf(check), 'after quick exit');
  await check.close();
}

test('Escape during a conversation leaves at once, ends the conversation, and leaves nothing behind', { skip }, async () => {
  const listener = await h.newPage(browser, stack, '/listener.html');
  await f.listenerSignIn(listener, 'dr.ames', h.PASSWORD);
  await f.enrolDevice(listener);
  await f.goAvailable(listener);

  const gp = await gpPage();
  await f.gpAsk(gp);
  await f.acceptOffer(listener);
  await f.waitEstablished(gp, listener);
  await f.gpSend(gp, 'Something private.');
  f.assertNothingStored(await f.storageOf(gp), 'before quick exit');

  // In the message box Escape is a double press (the first may be meant for
  // the box); the second, straight after, leaves.
  await gp.getByLabel('Your message').focus();
  await gp.keyboard.press('Escape');
  await gp.keyboard.press('Escape');
  await assertLeftCleanly(gp);
  await listener.locator('.conv-panel .msg.system', { hasText: 'The GP ended the conversation' }).waitFor({ timeout: f.TIMEOUT });
  assert.deepEqual(listener.problems, []);

  // The listener goes away so the next GP waits in the queue.
  await listener.waitForSelector('#avail-state[data-state="available"]', { timeout: f.TIMEOUT });
  await listener.locator('#go-away').click();
  await listener.waitForSelector('#avail-state[data-state="away"]', { timeout: f.TIMEOUT });
});

test('a queued GP sees the position, no invented estimate, and can leave the queue', { skip }, async () => {
  const gp = await gpPage();
  await f.gpAsk(gp, { topic: 'career' });
  await f.waitQueued(gp);
  assert.equal(await gp.locator('#queue-position').textContent(), '1');
  assert.match(await gp.locator('#queue-wait').textContent(), /^(no estimate yet|less than a minute|about .+)$/);
  assert.equal(await gp.locator('#queue-status').getAttribute('aria-live'), 'polite');
  await gp.locator('#announcer', { hasText: 'You are next in the queue.' }).waitFor({ state: 'attached', timeout: f.TIMEOUT });
  await h.screenshot(gp, 'gp-queue');
  await gp.getByRole('button', { name: 'Leave the queue' }).click();
  await gp.waitForSelector('#view-landing:not([hidden])', { timeout: f.TIMEOUT });
  assert.equal(await gp.locator('#page-error').isHidden(), true);
  const token = await stack.admin();
  await h.waitFor(async () => (await stack.api('GET', '/api/admin/stats', { token })).body.live.waiting === 0, 'the queue to be empty');
  f.assertNothingStored(await f.storageOf(gp), 'after leaving the queue');
  assert.deepEqual(gp.problems, []);
});

test('the Quick exit button while queued leaves the queue on the server too', { skip }, async () => {
  const gp = await gpPage();
  await f.gpAsk(gp);
  await f.waitQueued(gp);
  const token = await stack.admin();
  const waiting = async () => (await stack.api('GET', '/api/admin/stats', { token })).body.live.waiting;
  assert.equal(await waiting(), 1);
  await gp.getByRole('button', { name: 'Quick exit' }).click();
  await assertLeftCleanly(gp);
  await h.waitFor(async () => (await waiting()) === 0, 'the queue to be empty after quick exit');
});
