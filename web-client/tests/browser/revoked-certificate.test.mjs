// A listener whose certificate the organisation has revoked (`peerline org
// revoke`, uploaded through the admin API) is told why by the console, which
// runs the check GPs' browsers run, and cannot go available.
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
  await stack.publishRevocationList();
  browser = await h.launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('a listener whose certificate is revoked is told why by the console and cannot go available', { skip }, async () => {
  const listener = await h.newPage(browser, stack, '/listener.html');
  await f.listenerSignIn(listener, 'dr.ames', h.PASSWORD);
  await f.enrolDevice(listener);
  await stack.certifyPending('dr.ames');
  await f.waitCertified(listener);
  const serial = (await listener.locator('#cert-serial').textContent()).trim();
  await stack.publishRevocationList([serial]);

  // Signing in again (same browser: the key is still in IndexedDB) re-checks.
  await listener.reload();
  await f.listenerSignIn(listener, 'dr.ames', h.PASSWORD);
  await listener.waitForSelector('#device-warning:not([hidden])', { timeout: f.TIMEOUT });
  assert.match(await listener.locator('#device-warning').textContent(), /withdrawn \(revoked\)/);
  assert.equal(await listener.locator('#go-available').isDisabled(), true);
  await h.screenshot(listener, 'listener-certificate-revoked');
  assert.deepEqual(listener.problems, []);
});
