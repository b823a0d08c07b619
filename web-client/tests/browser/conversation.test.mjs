// (a) A GP and a listener, in two separate browser contexts, have a whole
// conversation through the real server: the listener enrols a device key,
// an administrator certifies it with the organisation root (`peerline org
// certify` + the admin API), the GP verifies it, both chat with a canary
// phrase that both screens show and that is found nowhere in Redis (every
// key and value, and MONITOR during the chat) nor in the server's log.
// Screenshots of each screen on the way (f).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import * as f from './flows.mjs';
import * as h from './harness.mjs';

const skip = h.skipReason();
let stack;
let browser;

before(async () => {
  if (skip) return;
  stack = await h.startStack({ listeners: ['dr.ames'], serverArgs: ['--wrapup-s', '5'] });
  await stack.publishRevocationList();
  browser = await h.launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('a GP and a certified listener talk end to end; the canary is on both screens and nowhere on the server', { skip }, async () => {
  const canaryGp = `CANARY-GP-${randomBytes(8).toString('hex')}`;
  const canaryListener = `CANARY-L-${randomBytes(8).toString('hex')}`;
  const monitor = await stack.redis.monitor();

  // The listener signs in, enrols this device, is certified by an administrator.
  const listener = await h.newPage(browser, stack, '/listener.html');
  await h.screenshot(listener, 'listener-sign-in');
  await f.listenerSignIn(listener, 'dr.ames', h.PASSWORD);
  const enrolled = await f.enrolDevice(listener);
  assert.match(enrolled, /Waiting for an administrator/);
  await h.screenshot(listener, 'listener-enrolled-pending');
  // The administrator compares the key's fingerprint with the one the listener sees.
  const pending = await stack.api('GET', '/api/admin/enrolments', { token: await stack.admin() });
  const fp = pending.body.enrolments.find((e) => e.username === 'dr.ames').identity_fingerprint;
  assert.equal((await listener.locator('#key-fingerprint').textContent()).trim(), fp, `the console shows ${fp}`);
  await stack.certifyPending('dr.ames', h.ORG_KEY_FILE, { fingerprint: fp });
  await f.waitCertified(listener);
  assert.equal(await listener.locator('#org-fingerprint').textContent(), h.orgKey().fingerprint);
  await f.goAvailable(listener);
  // The shifts load on their own after sign-in (nothing waits for them): wait for them to be shown.
  await listener.locator('#rota-now', { hasText: 'You are on shift until' }).waitFor({ timeout: f.TIMEOUT });
  assert.ok(await listener.locator('#rota-body tr').count() > 0, 'the listener sees their shifts');
  await h.screenshot(listener, 'listener-available');

  // The GP lands, sees the privacy promises and the 24/7 list, asks to talk.
  const gp = await h.newPage(browser, stack, '/');
  await f.ready(gp);
  assert.match(await gp.locator('#privacy-list').textContent(), /never stored/);
  assert.ok(await gp.locator('#crisis-list li').count() > 0, 'the 24/7 signposting list is shown');
  assert.equal(await gp.locator('#root-fingerprint').textContent(), h.orgKey().fingerprint);
  await h.screenshot(gp, 'gp-landing');
  f.assertNothingStored(await f.storageOf(gp), 'on landing');
  await f.gpAsk(gp, { topic: 'workload' });

  // The listener gets the offer with a countdown and accepts.
  await listener.locator('.offer').waitFor({ timeout: f.TIMEOUT });
  assert.match(await listener.locator('.offer').textContent(), /Workload or burnout/);
  assert.match(await listener.locator('.offer .countdown').textContent(), /^\d+ s$/);
  await h.screenshot(listener, 'listener-offer');
  await f.acceptOffer(listener);

  // Both sides: verified badge, same safety code.
  const est = await f.waitEstablished(gp, listener);
  assert.equal(est.handle, 'dr.ames');
  assert.match(est.gpCode, /^\d{4} \d{4}$/);
  assert.equal(est.gpCode, est.listenerCode, 'both screens show the same safety code');
  assert.equal(await gp.locator('#badge-fingerprint').textContent(), h.orgKey().fingerprint);
  assert.equal(await gp.locator('#refusal').isHidden(), true);

  // Typing indicator: the GP types, the listener sees it.
  await gp.getByLabel('Your message').fill('I have had a');
  await listener.locator('.conv-panel:not([hidden]) .typing', { hasText: 'GP is typing' }).waitFor({ timeout: f.TIMEOUT });

  // Messages both ways, each delivered (acknowledged inside the encryption).
  await f.gpSend(gp, `I have had a hard week. ${canaryGp}`);
  await listener.locator('.conv-panel li.them', { hasText: canaryGp }).waitFor({ timeout: f.TIMEOUT });
  await f.listenerSend(listener, `Thank you for telling me. ${canaryListener}`);
  await gp.locator('#chat-messages li.them', { hasText: canaryListener }).waitFor({ timeout: f.TIMEOUT });
  assert.equal(await gp.locator('#chat-messages').getByText(canaryGp).count(), 1);
  assert.equal(await listener.locator('.conv-panel').getByText(canaryListener).count(), 1);

  // The listener shares signposting inside the encrypted channel.
  await listener.getByRole('button', { name: 'Share support services' }).click();
  await gp.locator('#chat-messages li.signpost').waitFor({ timeout: f.TIMEOUT });
  // The listener asks for the duty supervisor (none is online here).
  await listener.getByRole('button', { name: 'Ask for the duty supervisor' }).click();
  await listener.locator('.conv-panel .msg.system', { hasText: 'No duty supervisor is online' }).waitFor({ timeout: f.TIMEOUT });
  await h.screenshot(gp, 'gp-chat');
  await h.screenshot(listener, 'listener-chat');
  assert.deepEqual(await f.audit(gp), [], 'GP chat: labels, names, contrast');
  assert.deepEqual(await f.audit(listener), [], 'listener chat: labels, names, contrast');
  for (const [page, name] of [[gp, 'gp-chat-phone'], [listener, 'listener-chat-phone']]) {
    await page.setViewportSize({ width: 360, height: 740 });
    await f.assertFitsWidth(page, name);
    await h.screenshot(page, name);
    await page.setViewportSize({ width: 1024, height: 800 });
  }
  f.assertNothingStored(await f.storageOf(gp), 'during the chat');

  // The GP ends; feedback and the continuity code are offered.
  await f.gpEnd(gp);
  await gp.waitForSelector('#view-after:not([hidden])', { timeout: f.TIMEOUT });
  await listener.locator('.conv-panel .msg.system', { hasText: 'The GP ended the conversation' }).waitFor({ timeout: f.TIMEOUT });
  assert.equal(await gp.locator('#chat-messages').count(), 0, 'the chat is gone from the GP page');
  // The listener's wrap-up pause is shown with its end, then they are offered work again.
  await listener.waitForSelector('#avail-state[data-state="wrapup"]', { timeout: f.TIMEOUT });
  assert.match(await listener.locator('#avail-detail').textContent(), /Next offer possible in \d+ s/);
  await h.screenshot(listener, 'listener-wrapup');
  await gp.getByLabel('Yes').check();
  await gp.getByLabel('More likely').check();
  await gp.getByRole('button', { name: 'Send feedback' }).click();
  await gp.waitForSelector('#feedback-done:not([hidden])', { timeout: f.TIMEOUT });
  f.assertNothingStored(await f.storageOf(gp), 'after the conversation, before keeping a code');
  await h.screenshot(gp, 'gp-after');

  // Only if the GP keeps the continuity code is anything stored; "forget" removes it.
  await gp.locator('#continuity-panel').waitFor();
  await gp.getByRole('button', { name: 'Keep a continuity code in this browser' }).click();
  assert.deepEqual((await f.storageOf(gp)).local, ['peerline.continuity']);
  await gp.getByRole('button', { name: 'Back to the start' }).last().click();
  await gp.waitForSelector('#continuity-choice:not([hidden])');
  await gp.getByRole('button', { name: 'Forget my continuity code' }).click();
  f.assertNothingStored(await f.storageOf(gp), 'after forgetting the code');

  // The canary is nowhere on the server side.
  const monitored = await monitor.stop();
  assert.ok(monitored.length > 1000, 'MONITOR saw the server at work');
  for (const c of [canaryGp, canaryListener]) {
    assert.ok(!monitored.includes(c), `${c} crossed Redis (MONITOR)`);
    const hits = (await stack.redis.dumpAll()).filter((e) => e.text.includes(c)).map((e) => e.key);
    assert.deepEqual(hits, [], `${c} is stored in Redis`);
    assert.ok(!stack.serverLog().includes(c), `${c} is in the server log`);
  }
  assert.deepEqual(gp.problems, [], 'GP page errors');
  assert.deepEqual(listener.problems, [], 'listener page errors');
});
