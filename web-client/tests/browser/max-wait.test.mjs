// A GP who waits longer than the longest wait (--max-wait-s) is taken out of
// the queue and signposted, with the reason in plain words; the listener on
// shift never went available.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as f from './flows.mjs';
import * as h from './harness.mjs';

const skip = h.skipReason();
let stack;
let browser;

before(async () => {
  if (skip) return;
  stack = await h.startStack({ listeners: ['dr.ames'], serverArgs: ['--max-wait-s', '3'] });
  browser = await h.launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('after the longest wait the GP is signposted instead of waiting on', { skip }, async () => {
  const gp = await h.newPage(browser, stack, '/');
  await f.gpAsk(gp);
  await f.waitQueued(gp);
  await gp.waitForSelector('#view-signposting:not([hidden])', { timeout: f.TIMEOUT });
  assert.match(await gp.locator('#signposting-reason').textContent(), /no listener became free in time/);
  assert.ok(await gp.locator('#signposting-list li').count() > 0);
  await h.screenshot(gp, 'gp-max-wait');
  assert.deepEqual(gp.problems, []);
});
