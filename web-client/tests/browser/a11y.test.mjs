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

/** Problems found in the page's visible DOM: unlabelled controls, nameless buttons, low contrast. */
function audit(page) {
  return page.evaluate(() => {
    const problems = [];
    const visible = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length) && getComputedStyle(e).visibility !== 'hidden';
    for (const c of document.querySelectorAll('input, select, textarea')) {
      if (!visible(c) || c.type === 'hidden') continue;
      if (!(c.labels?.length || c.getAttribute('aria-label') || c.getAttribute('aria-labelledby'))) problems.push(`unlabelled ${c.tagName}#${c.id}`);
    }
    for (const b of document.querySelectorAll('button, [role="tab"], a[href]')) {
      if (!visible(b)) continue;
      if (!(b.textContent.trim() || b.getAttribute('aria-label'))) problems.push(`nameless ${b.tagName}#${b.id}`);
    }
    const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const ch = [r, g, b].map((v) => { const x = v / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
    };
    const background = (e) => {
      for (let n = e; n; n = n.parentElement) {
        const c = rgb(getComputedStyle(n).backgroundColor);
        if (c.length >= 3 && (c.length === 3 || c[3] > 0.9)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const all = document.body.querySelectorAll('*');
    for (const e of all) {
      if (!visible(e) || e.closest('[disabled]')) continue;
      const ownText = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!ownText) continue;
      const st = getComputedStyle(e);
      if (e.closest('.visually-hidden')) continue;
      const fg = rgb(st.color).slice(0, 3);
      const bg = background(e);
      const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const size = parseFloat(st.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(st.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)} for "${e.textContent.trim().slice(0, 40)}"`);
    }
    return problems;
  });
}

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
  assert.deepEqual(await audit(gp), []);
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
  assert.deepEqual(await audit(listener), [], 'sign-in page');
  await f.listenerSignIn(listener, 'dr.ames', h.PASSWORD);
  assert.deepEqual(await audit(listener), [], 'console');
  const order = await tabThrough(listener, 4);
  for (const o of order) assert.ok(o.outlined, `no visible focus on ${o.name}`);
  assert.equal(await listener.locator('#offers').getAttribute('aria-live'), 'assertive');
});
