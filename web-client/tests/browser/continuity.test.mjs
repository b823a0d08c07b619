// The continuity code: a GP who kept it is offered to the same listener next
// time. Two listeners are available when the GP comes back; the matcher
// otherwise offers to the longest-idle listener (server/domain/queue/
// scripts/queue_match.lua), which is the *other* one, since the GP's listener has
// only just finished. So the offer reaching the same listener is the code at
// work.
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
    serverArgs: ['--wrapup-s', '0'],
  });
  browser = await h.launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

async function signedIn(name) {
  const page = await h.newPage(browser, stack, '/listener.html');
  await f.listenerSignIn(page, name, h.PASSWORD);
  await f.enrolDevice(page);
  await page.waitForFunction(() => /is certified/.test(document.getElementById('device-state').textContent), null, { timeout: f.TIMEOUT });
  return page;
}

test('a kept continuity code brings the GP back to the same listener', { skip }, async () => {
  const ames = await signedIn('dr.ames');
  const bose = await signedIn('dr.bose');
  await f.goAvailable(ames);

  const gp = await h.newPage(browser, stack, '/');
  await f.gpAsk(gp);
  await f.acceptOffer(ames);
  await f.waitEstablished(gp, ames);
  await f.goAvailable(bose); // idle from now on: longer than dr.ames will be
  await f.gpSend(gp, 'Thank you, that helped.');
  await f.gpEnd(gp);
  await gp.waitForSelector('#view-after:not([hidden])', { timeout: f.TIMEOUT });
  await gp.getByRole('button', { name: 'Keep a continuity code in this browser' }).click();
  await ames.waitForSelector('#avail-state[data-state="available"]', { timeout: f.TIMEOUT });

  await gp.getByRole('button', { name: 'Back to the start' }).last().click();
  await gp.waitForSelector('#continuity-choice:not([hidden])');
  assert.equal(await gp.getByLabel(/Ask for the same listener/).isChecked(), true);
  await h.screenshot(gp, 'gp-landing-with-continuity-code');
  await f.gpAsk(gp);
  await ames.locator('.offer').waitFor({ timeout: f.TIMEOUT });
  assert.equal(await bose.locator('.offer').count(), 0, 'the other listener was not offered the GP');
  await f.acceptOffer(ames);
  const est = await f.waitEstablished(gp, ames);
  assert.equal(est.handle, 'dr.ames');
  for (const p of [ames, bose, gp]) assert.deepEqual(p.problems, []);
});
