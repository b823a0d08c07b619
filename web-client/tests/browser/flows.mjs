// What people do in the pages, as steps shared by the browser tests. Every
// step goes through the real page (clicks, typing), never around it.
import assert from 'node:assert/strict';

export const TIMEOUT = 20000;

/** Waits until the page's script has started (crypto loaded, config fetched). */
export async function ready(page) {
  await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
}

/** A listener signs in on listener.html. */
export async function listenerSignIn(page, username, password) {
  await ready(page);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('#view-console:not([hidden])', { timeout: TIMEOUT });
}

/** Creates and enrols the device key; returns the device state text shown. */
export async function enrolDevice(page) {
  await page.locator('#enrol').click();
  await page.waitForFunction(() => /Waiting for an administrator|certified by the organisation|not from the organisation/
    .test(document.getElementById('device-state').textContent), null, { timeout: TIMEOUT });
  return page.locator('#device-state').textContent();
}

/** Clicks "Check again" until the console says the key is certified. */
export async function waitCertified(page) {
  await page.locator('#refresh-cert').click();
  try {
    await page.waitForFunction(() => /is certified by the organisation/.test(document.getElementById('device-state').textContent),
      null, { timeout: TIMEOUT });
  } catch (e) {
    const state = await page.locator('#device-state').textContent();
    const warning = await page.locator('#device-warning').textContent();
    throw new Error(`the console does not say certified: "${state}" / "${warning}" (${e.message})`);
  }
}

export async function goAvailable(page) {
  const button = page.locator('#go-available');
  await button.waitFor({ state: 'visible' });
  await page.waitForFunction(() => !document.getElementById('go-available').disabled, null, { timeout: TIMEOUT });
  await button.click();
  await page.waitForSelector('#avail-state[data-state="available"]', { timeout: TIMEOUT });
}

/** A GP asks to talk from index.html. */
export async function gpAsk(page, { topic, urgent = false } = {}) {
  await ready(page);
  if (topic) await page.getByLabel(/What would you like to talk about/).selectOption(topic);
  if (urgent) await page.getByLabel(/This feels urgent/).check();
  await page.getByRole('button', { name: 'Ask to talk' }).click();
}

export async function waitQueued(page) {
  await page.waitForSelector('#view-queue:not([hidden])', { timeout: TIMEOUT });
  await page.waitForFunction(() => /^\d+$/.test(document.getElementById('queue-position').textContent), null, { timeout: TIMEOUT });
}

/** Waits for an offer on the listener's console and accepts it. */
export async function acceptOffer(page) {
  const accept = page.locator('.offer button.accept').first();
  await accept.waitFor({ timeout: TIMEOUT });
  await accept.click();
}

/** Both sides show an established conversation; returns {handle, gpCode, listenerCode}. */
export async function waitEstablished(gp, listener) {
  await gp.waitForSelector('#listener-badge:not([hidden])', { timeout: TIMEOUT });
  await listener.waitForSelector('.conv-panel:not([hidden]) .safety:not([hidden])', { timeout: TIMEOUT });
  const handle = await gp.locator('#listener-handle').textContent();
  const gpCode = await gp.locator('#safety-code').textContent();
  const listenerCode = await listener.locator('.conv-panel:not([hidden]) .safety .code').textContent();
  return { handle, gpCode, listenerCode };
}

/** Sends a message from the GP page; waits until it shows as delivered. */
export async function gpSend(page, text) {
  const box = page.getByLabel('Your message');
  await box.fill(text);
  await box.press('Enter');
  await page.locator('#chat-messages li.me', { hasText: text }).locator('.state[data-state="delivered"]').waitFor({ timeout: TIMEOUT });
}

export async function listenerSend(page, text) {
  const panel = page.locator('.conv-panel:not([hidden])');
  const box = panel.getByLabel('Your message');
  await box.fill(text);
  await panel.getByRole('button', { name: 'Send' }).click();
  await panel.locator('li.me', { hasText: text }).locator('.state[data-state="delivered"]').waitFor({ timeout: TIMEOUT });
}

/** What the browser has stored for the page's origin: must be nothing for a GP. */
export async function storageOf(page) {
  const inPage = await page.evaluate(async () => ({
    cookie: document.cookie,
    local: Object.keys(localStorage),
    session: Object.keys(sessionStorage),
    idb: (await indexedDB.databases()).map((d) => d.name),
    caches: 'caches' in self ? await caches.keys() : [],
  }));
  const cookies = await page.context().cookies();
  return { ...inPage, contextCookies: cookies.map((c) => c.name) };
}

export function assertNothingStored(st, what) {
  assert.deepEqual(st, { cookie: '', local: [], session: [], idb: [], caches: [], contextCookies: [] }, `${what}: the GP's browser stores nothing`);
}

/** Problems found in the page's visible DOM: unlabelled controls, nameless buttons, low contrast. */
export function audit(page) {
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

/** Fails if the page is wider than the screen (horizontal scrolling). */
export async function assertFitsWidth(page, what) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= client, `${what}: the page is ${scroll}px wide on a ${client}px screen`);
}

/** The GP ends the conversation: "End conversation", then "Yes, end it" in the page's own question. */
export async function gpEnd(page) {
  await page.getByRole('button', { name: 'End conversation' }).click();
  await page.getByRole('button', { name: 'Yes, end it' }).click();
}

/** The listener ends the open conversation (with the reason already chosen), confirming in the panel. */
export async function listenerEnd(page) {
  const panel = page.locator('.conv-panel:not([hidden])');
  await panel.getByRole('button', { name: 'End conversation' }).click();
  await panel.getByRole('button', { name: 'Yes, end it' }).click();
}

/**
 * Visible touch targets smaller than 44 x 44 CSS px (WCAG 2.5.5): buttons,
 * links, selects, text fields, and for a checkbox or radio button the label
 * that holds it (the label is what a finger presses). Returns descriptions.
 */
export function smallTargets(page) {
  return page.evaluate(() => {
    const out = [];
    const visible = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length) && getComputedStyle(e).visibility !== 'hidden';
    for (const e of document.querySelectorAll('button, a[href], select, textarea, input, summary')) {
      if (!visible(e) || e.type === 'hidden' || e.closest('.visually-hidden')) continue;
      const target = (e.type === 'checkbox' || e.type === 'radio') ? (e.closest('label') ?? e) : e;
      const r = target.getBoundingClientRect();
      if (r.right <= 0 || r.bottom <= -window.scrollY) continue; // parked off screen (the skip link until focused)
      if (r.width < 44 || r.height < 44) out.push(`${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''} "${(target.textContent || e.name || '').trim().slice(0, 30)}" is ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
    return out;
  });
}

/** Whether the element's box is inside the visible part of the window. */
export function inViewport(locator) {
  return locator.evaluate((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth;
  });
}

export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
export const DESKTOP = { viewport: { width: 1280, height: 800 } };
