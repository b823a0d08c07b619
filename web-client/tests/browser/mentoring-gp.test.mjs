// The GP's peer-mentoring page (mentoring.html, issue 15) in real Chromium,
// for what needs no mentoring server: the way in from the landing page,
// restoring a relationship key from its 24 words (every mistake named
// before anything is sent), the storage rule (nothing stored), labels,
// contrast and a phone's width, with a clean console. The whole series
// against the server's mentoring API is mentoring-series.test.mjs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { entropyToMnemonic, mnemonicToEntropy } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import * as f from './flows.mjs';
import * as h from './harness.mjs';

const skip = h.skipReason();
let stack;
let browser;

before(async () => {
  if (skip) return;
  stack = await h.startStack();
  browser = await h.launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A fixed key's words, and the same words with the first two swapped (which the checksum refuses). */
function words() {
  const key = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
  const list = entropyToMnemonic(key, wordlist).split(' ');
  const swapped = [list[1], list[0], ...list.slice(2)];
  assert.notEqual(list[0], list[1]);
  assert.throws(() => mnemonicToEntropy(swapped.join(' '), wordlist), 'the fixture: swapping the first two words breaks the checksum');
  return { list, swapped };
}

async function restoreWith(page, text) {
  await page.getByRole('textbox', { name: /Your 24 words/ }).fill(text);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  const alert = page.locator('#restore-error');
  await alert.waitFor({ state: 'visible', timeout: f.TIMEOUT });
  return alert.textContent();
}

test('the landing page leads to peer mentoring, which explains the key and stores nothing', { skip }, async () => {
  const page = await h.newPage(browser, stack, '/');
  try {
    await f.ready(page);
    await page.getByRole('link', { name: 'Find a mentor or open your mentoring' }).click();
    await page.waitForURL(/\/mentoring\.html$/);
    await f.ready(page);
    await page.getByRole('heading', { level: 1, name: 'Peer mentoring' }).waitFor();
    assert.match(await page.locator('#view-start').textContent(), /24 words you write down/);
    assert.ok(await page.getByRole('button', { name: 'Quick exit' }).isVisible(), 'quick exit on the mentoring page too');
    assert.ok(await page.locator('#crisis-list li').count() > 0, 'the 24/7 services are listed');
    assert.deepEqual(await f.audit(page), [], 'labels and contrast');
    f.assertNothingStored(await f.storageOf(page), 'the mentoring start page');
    assert.deepEqual(page.problems, [], 'a clean console');
  } finally {
    await page.context().close();
  }
});

test('restoring from words names each mistake, sends nothing, and stores nothing', { skip }, async () => {
  const { list, swapped } = words();
  const page = await h.newPage(browser, stack, '/mentoring.html');
  const requests = [];
  page.on('request', (r) => { if (r.url().includes('/api/mentoring')) requests.push(r.url()); });
  try {
    await f.ready(page);
    await page.getByRole('button', { name: 'I already have a relationship key' }).click();
    // Focus goes to the view's heading for keyboard and screen-reader users.
    await page.waitForFunction(() => document.activeElement?.id === 'restore-title', null, { timeout: f.TIMEOUT });

    assert.equal(await restoreWith(page, list.slice(0, 23).join(' ')), 'Your key has 24 words; 23 were found.');

    // A misspelt word, written on paper as a numbered list: named with its place and the likely word.
    const typo = [...list];
    typo[4] = `${list[4].slice(0, 4)}qz`;
    const numbered = typo.map((w, i) => `${i + 1}. ${w}`).join('\n');
    const text = await restoreWith(page, numbered);
    assert.match(text, new RegExp(`^Word 5, “${typo[4]}”, is not one of the key words\\. Did you mean: .*\\b${list[4]}\\b`));
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'restore-words', 'focus back on the words to fix them');

    assert.match(await restoreWith(page, swapped.join(' ')), /do not fit together/);
    assert.deepEqual(requests, [], 'nothing is sent for words that cannot be a key');
    f.assertNothingStored(await f.storageOf(page), 'after typing a key');
    assert.deepEqual(page.problems, [], 'a clean console');
  } finally {
    await page.context().close();
  }
});

test('the mentoring page fits a phone', { skip }, async () => {
  const page = await h.newPage(browser, stack, '/mentoring.html', f.PHONE);
  try {
    await f.ready(page);
    await f.assertFitsWidth(page, 'mentoring start page on a phone');
    await page.getByRole('button', { name: 'I already have a relationship key' }).click();
    await f.assertFitsWidth(page, 'restore view on a phone');
    await h.screenshot(page, 'mentoring-restore-phone');
    assert.deepEqual(page.problems, [], 'a clean console');
  } finally {
    await page.context().close();
  }
});
