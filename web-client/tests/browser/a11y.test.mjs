// Accessibility checks that can be automated (WCAG 2.1 AA): every control
// has a label or an accessible name, the keyboard reaches the main controls
// in order with a visible focus indicator, text contrast is at least 4.5:1
// (3:1 for large text), and live regions announce changes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as f from './flows.mjs';
import * as h from './harness.mjs';

const skip = h.skipReason();
let stack;
let browser;

before(async () => {
  if (skip) return;
  stack = await h.startStack({ listeners: ['dr.ames'] });
  browser = await h.launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Tabs through the page; returns the focused elements' descriptions and whether each showed a focus outline. */
async function tabThrough(page, n) {
  const seen = [];
  for (let i = 0; i < n; i++) {
    await page.keyboard.press('Tab');
    seen.push(await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null; // wrapped round to the browser's own controls
      const st = getComputedStyle(e);
      return {
        name: (e.getAttribute('aria-label') || e.textContent || e.id || e.tagName).trim().slice(0, 40),
        id: e.id,
        outlined: st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 2,
      };
    }));
  }
  return seen.filter(Boolean);
}

test('GP landing: labels, names, contrast, keyboard order with visible focus, live regions', { skip }, async () => {
  const gp = await h.newPage(browser, stack, '/');
  await f.ready(gp);
  assert.deepEqual(await f.audit(gp), []);
  const order = await tabThrough(gp, 5);
  assert.equal(order[0].name, 'Skip to main content');
  assert.ok(order.slice(0, 3).some((o) => o.id === 'quick-exit'), 'quick exit is among the first controls');
  assert.ok(order.some((o) => o.id === 'topic'), 'the topic is reachable by keyboard');
  for (const o of order) assert.ok(o.outlined, `no visible focus on ${o.name}`);
  assert.equal(await gp.locator('#announcer').getAttribute('aria-live'), 'polite');
  assert.equal(await gp.locator('#queue-status').getAttribute('aria-live'), 'polite');
  assert.equal(await gp.getByRole('button', { name: 'Quick exit' }).getAttribute('aria-keyshortcuts'), 'Escape');
});

test('listener sign-in and console: labels, names, contrast and visible focus', { skip }, async () => {
  const listener = await h.newPage(browser, stack, '/listener.html');
  assert.deepEqual(await f.audit(listener), [], 'sign-in page');
  await f.listenerSignIn(listener, 'dr.ames', h.PASSWORD);
  assert.deepEqual(await f.audit(listener), [], 'console');
  const order = await tabThrough(listener, 4);
  for (const o of order) assert.ok(o.outlined, `no visible focus on ${o.name}`);
  assert.equal(await listener.locator('#offers').getAttribute('aria-live'), 'assertive');
});

/** Presses Tab until the element with `id` has focus (at most `max` times). */
async function tabTo(page, id, max = 20) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((want) => document.activeElement?.id === want, id)) return;
  }
  throw new Error(`#${id} is not reachable with the Tab key`);
}

test('a GP can ask to talk and leave the queue with the keyboard alone; focus follows each new view', { skip }, async () => {
  const gp = await h.newPage(browser, stack, '/');
  await f.ready(gp);
  await tabTo(gp, 'topic');
  await gp.keyboard.press('ArrowDown'); // a topic, chosen from the keyboard
  await tabTo(gp, 'urgent');
  await gp.keyboard.press('Space');
  assert.equal(await gp.locator('#urgent').isChecked(), true);
  await tabTo(gp, 'ask-button');
  await gp.keyboard.press('Enter');
  await f.waitQueued(gp);
  assert.equal(await gp.evaluate(() => document.activeElement?.id), 'queue-title', 'focus moves to the queue heading');
  await tabTo(gp, 'leave-queue');
  await gp.keyboard.press('Enter');
  await gp.waitForSelector('#view-landing:not([hidden])', { timeout: f.TIMEOUT });
  assert.equal(await gp.evaluate(() => document.activeElement?.id), 'landing-title', 'focus moves back to the start');
  assert.deepEqual(gp.problems, []);
});

test('every page is British English (lang="en-GB"), has an icon (no 404 in the console) and passes the audit, at a phone and a desktop width', { skip }, async () => {
  for (const [name, size] of [['phone', f.PHONE], ['desktop', f.DESKTOP]]) {
    for (const path of ['/', '/listener.html', '/admin.html', '/mentoring.html']) {
      const page = await h.newPage(browser, stack, path, size);
      await page.waitForLoadState('load');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en-GB', `${path} lang`);
      assert.equal(await page.locator('link[rel="icon"]').count(), 1, `${path} has an icon`);
      if (path !== '/admin.html') await f.ready(page);
      else await page.locator('#login-form').waitFor();
      assert.deepEqual(await f.audit(page), [], `${path} at ${name} width`);
      await f.assertFitsWidth(page, `${path} at ${name} width`);
      assert.deepEqual(page.problems, [], `${path}: no console errors`);
      await page.context().close();
    }
  }
});

test('the administrator sign-in card has no empty alert taking room until there is something to say', { skip }, async () => {
  const page = await h.newPage(browser, stack, '/admin.html', f.PHONE);
  await page.locator('#login-form').waitFor();
  assert.equal(await page.locator('#login-message').isVisible(), false, 'empty: not displayed');
  await page.getByRole('button', { name: 'Sign in' }).click();
  assert.equal(await page.locator('#login-message').isVisible(), true);
  assert.match(await page.locator('#login-message').textContent(), /Enter your username/);
  await h.screenshot(page, 'admin-sign-in-phone');
  await page.context().close();
});
