// (e) A listener whose certificate was signed by a rogue key, not the
// organisation's, is refused by the GP's browser with a clear warning, and
// the GP sends nothing.
//
// Set-up, all real: one Redis, two server nodes. Node 1 serves the genuine
// web client (the harness's root key pinned) to the GP. Node 2 is a rogue
// node in demo mode whose demo root key is a different key made by
// `peerline org keygen`; it serves a web client built with that rogue key
// pinned, certifies its listener's enrolment with it and signs the
// revocation list with it too: everything the server hands out is the
// rogue's, only the GP's pinned key is genuine.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as f from './flows.mjs';
import * as h from './harness.mjs';

const skip = h.skipReason();
let stack;
let browser;
let rogueNode;

before(async () => {
  if (skip) return;
  stack = await h.startStack({ listeners: ['dr.mallory'] });
  const rogue = h.orgKey(join(stack.dir, 'rogue-root.key'));
  assert.notEqual(rogue.publicKey, h.orgKey().publicKey);
  const rogueDist = await h.buildWebClient({ org: rogue, outDir: join(h.OUTPUT, 'dist-rogue') });
  rogueNode = await stack.startNode({ webRoot: rogueDist, demo: true, demoOrgKey: rogue.keyFile });
  browser = await h.launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('a listener certified by a rogue key is refused by the GP with its warning, and nothing is sent', { skip }, async () => {
  const listener = await h.newPage(browser, { baseUrl: rogueNode.baseUrl }, '/listener.html');
  await f.listenerSignIn(listener, 'dr.mallory', h.PASSWORD);
  await f.enrolDevice(listener);
  await listener.waitForFunction(() => /is certified by the organisation/.test(document.getElementById('device-state').textContent),
    null, { timeout: f.TIMEOUT });
  await f.goAvailable(listener);

  const gp = await h.newPage(browser, stack, '/');
  await f.gpAsk(gp);
  await f.acceptOffer(listener);

  await gp.waitForSelector('#refusal:not([hidden])', { timeout: f.TIMEOUT });
  assert.equal(await gp.locator('#refusal').textContent(),
    'This listener could not be verified as a trained listener of the organisation. Do not continue.');
  assert.equal(await gp.locator('#refusal').getAttribute('role'), 'alert');
  assert.equal(await gp.locator('#listener-badge').isHidden(), true, 'no verified badge');
  assert.equal(await gp.locator('#safety').isHidden(), true, 'no safety code');
  assert.equal(await gp.getByLabel('Your message').isVisible(), false, 'no message box');
  assert.equal(await gp.getByLabel('Your message').isDisabled(), true, 'the GP cannot type');
  assert.match(await gp.locator('#chat-status').textContent(), /Nothing has been sent/);
  await h.screenshot(gp, 'gp-refused-forged-certificate');

  // The GP leaves; the listener saw no handshake completion and no message.
  await f.gpEnd(gp);
  await gp.waitForSelector('#view-after:not([hidden])', { timeout: f.TIMEOUT });
  await listener.locator('.conv-panel .msg.system', { hasText: 'The GP ended the conversation' }).waitFor({ timeout: f.TIMEOUT });
  assert.equal(await listener.locator('.conv-panel .safety').isHidden(), true, 'the listener never got the confirm');
  assert.equal(await listener.locator('.conv-panel li.them').count(), 0);
  assert.deepEqual(gp.problems, []);
});
