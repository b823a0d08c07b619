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
  await page.getByLabel('Password').fill(password);
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
  await page.waitForFunction(() => /is certified by the organisation/.test(document.getElementById('device-state').textContent),
    null, { timeout: TIMEOUT });
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
