// What a listener trips over (issue 14), at a phone's width (390 x 844) and
// a desktop's: an offer changes the tab's title and icon, plays the sound the
// listener chose (off until chosen, remembered) and shows a notification when
// allowed, none of which says more than "A GP is waiting"; ending asks
// first, in the panel; the end is one clear state and "close" says what it
// clears; "Go available" during the wrap-up pause says how long is left.
//
// The page's Notification and OscillatorNode.start are wrapped (before the
// page's script runs) to record what was shown and played, then call the
// real ones: headless Chromium shows neither a notification nor sound.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as f from './flows.mjs';
import * as h from './harness.mjs';

const skip = h.skipReason();
let stack;
let browser;

before(async () => {
  if (skip) return;
  stack = await h.startStack({
    listeners: ['dr.ames', 'dr.bose'],
    demo: true,
    demoOrgKey: h.orgKey().keyFile,
    serverArgs: ['--wrapup-s', '15'],
  });
  browser = await h.launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

function recordAlerts() {
  window.__notifications = [];
  window.__tones = 0;
  const Real = window.Notification;
  if (Real) {
    window.Notification = class extends Real {
      constructor(title, options) {
        super(title, options);
        window.__notifications.push({ title, body: options?.body ?? '' });
      }
    };
  }
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...a) { window.__tones += 1; return start.apply(this, a); };
}

async function listenerPage(size) {
  const page = await h.newPage(browser, stack, null, size);
  await page.context().grantPermissions(['notifications'], { origin: stack.baseUrl });
  await page.addInitScript(recordAlerts);
  await page.goto(`${stack.baseUrl}/listener.html`);
  return page;
}

for (const [name, size, user] of [['phone', f.PHONE, 'dr.ames'], ['desktop', f.DESKTOP, 'dr.bose']]) {
  test(`${name}: offer alerts say only "A GP is waiting"; ending is confirmed and ends in one state; the wrap-up says how long`, { skip }, async () => {
    const listener = await listenerPage(size);
    await f.ready(listener);
    const baseTitle = await listener.title();

    // The sound is off until chosen, and the choice is remembered.
    await f.listenerSignIn(listener, user, h.PASSWORD);
    await listener.locator('#offer-alerts summary').click();
    const sound = listener.getByLabel(/Play a short sound/);
    assert.equal(await sound.isChecked(), false, 'off by default');
    await sound.check();
    await h.waitFor(() => listener.evaluate(() => window.__tones > 0), 'a sample of the sound');
    await listener.reload();
    await f.listenerSignIn(listener, user, h.PASSWORD);
    await listener.locator('#offer-alerts summary').click();
    assert.equal(await listener.getByLabel(/Play a short sound/).isChecked(), true, 'remembered');
    assert.match(await listener.locator('#notify-state').textContent(), /Notifications are on/);
    assert.deepEqual(await f.smallTargets(listener), []);
    assert.deepEqual(await f.audit(listener), []);
    await h.screenshot(listener, `listener-alert-settings-${name}`);
    assert.equal(await listener.getByRole('button', { name: 'Take a break' }).count(), 1);
    await f.enrolDevice(listener);
    await f.goAvailable(listener);
    const tonesBefore = await listener.evaluate(() => window.__tones);

    // An offer from a GP with a topic and the urgent flag.
    const gp = await h.newPage(browser, stack, '/', size);
    await f.gpAsk(gp, { topic: 'career', urgent: true });
    await listener.locator('.offer').waitFor({ timeout: f.TIMEOUT });
    assert.equal(await listener.title(), `(1) A GP is waiting — ${baseTitle}`);
    assert.match(await listener.locator('link[rel="icon"]').getAttribute('href'), /^data:image\/svg\+xml,/);
    await h.waitFor(() => listener.evaluate((n) => window.__tones > n, tonesBefore), 'the offer sound');
    const shown = await h.waitFor(async () => {
      const n = await listener.evaluate(() => window.__notifications);
      return n.length ? n : null;
    }, 'a notification');
    assert.deepEqual(shown, [{ title: 'Peerline', body: 'A GP is waiting' }], 'nothing about the GP beyond "a GP is waiting"');
    await h.screenshot(listener, `listener-offer-alert-${name}`);

    await f.acceptOffer(listener);
    await f.waitEstablished(gp, listener);
    assert.equal(await listener.title(), baseTitle, 'the title is plain again');
    assert.equal(await listener.locator('link[rel="icon"]').getAttribute('href'), 'data:,');
    await f.gpSend(gp, 'Hello.');

    // Ending asks first, without trapping anything.
    const panel = listener.locator('.conv-panel:not([hidden])');
    await panel.getByRole('button', { name: 'End conversation' }).click();
    assert.equal(await panel.locator('.confirm').isVisible(), true);
    assert.match(await panel.locator('.confirm').textContent(), /Reason: Completed/);
    await h.screenshot(listener, `listener-end-confirm-${name}`);
    await f.listenerSend(listener, 'Still here.');
    await panel.getByRole('button', { name: 'No, keep talking' }).click();
    assert.equal(await panel.locator('.confirm').isVisible(), false);
    assert.equal(await gp.locator('#view-chat').isVisible(), true, 'nothing ended');

    // The GP ends: one ended state on the listener's side.
    await f.gpEnd(gp);
    await panel.locator('.msg.system', { hasText: 'The GP ended the conversation' }).waitFor({ timeout: f.TIMEOUT });
    assert.equal(await panel.locator('.msg.system').count(), 1, 'said once');
    assert.equal(await panel.getByText(/is ending/).count(), 0);
    assert.equal(await panel.getByLabel('Reason for ending').isVisible(), false, 'the reason list is gone');
    assert.equal(await panel.getByLabel('Your message').isVisible(), false, 'the composer is gone');
    assert.match(await panel.locator('.status-line').textContent(), /go when you close/);
    await h.screenshot(listener, `listener-ended-${name}`);

    // The wrap-up pause: "Go available" says how long is left.
    await listener.waitForSelector('#avail-state[data-state="wrapup"]', { timeout: f.TIMEOUT });
    await listener.getByRole('button', { name: 'Go available' }).click();
    assert.match(await listener.locator('#avail-note').textContent(), /has \d+ s left/);
    await h.screenshot(listener, `listener-wrapup-${name}`);

    await panel.getByRole('button', { name: 'Close this conversation and clear its messages' }).click();
    assert.equal(await listener.locator('.conv-panel').count(), 0, 'the transcript is gone from the page');
    assert.equal(await listener.locator('#no-convs').isVisible(), true);
    assert.deepEqual(await f.audit(listener), []);
    await f.assertFitsWidth(listener, `${name} console`);

    await listener.waitForSelector('#avail-state[data-state="available"]', { timeout: f.TIMEOUT });
    await listener.getByRole('button', { name: 'Take a break' }).click();
    await listener.waitForSelector('#avail-state[data-state="away"]', { timeout: f.TIMEOUT });
    assert.deepEqual(listener.problems, []);
    assert.deepEqual(gp.problems, []);
  });
}
