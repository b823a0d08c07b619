// A network drop in the middle of a conversation: the GP's page talks to
// the server through a TCP proxy that the test cuts (the browser's offline
// emulation does not close open WebSockets). The page shows
// "Reconnecting…", reconnects with the same token, the server resumes the
// session, and the chat continues without losing anything: a message the
// listener sent during the drop arrives, and new messages flow both ways.
// Then: a session that expired while the connection was down is reported as
// such.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as f from './flows.mjs';
import * as h from './harness.mjs';

const skip = h.skipReason();
let stack;
let browser;
let proxy;

before(async () => {
  if (skip) return;
  const proxyPort = await h.freePort();
  stack = await h.startStack({
    listeners: ['dr.ames'],
    demo: true,
    demoOrgKey: h.orgKey().keyFile,
    serverArgs: ['--allowed-origin', `http://127.0.0.1:${proxyPort}`, '--resume-grace-s', '60', '--wrapup-s', '0'],
  });
  proxy = await stack.startProxy(proxyPort);
  browser = await h.launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('after a network drop the GP reconnects, resumes and keeps the conversation', { skip }, async () => {
  const listener = await h.newPage(browser, stack, '/listener.html');
  await f.listenerSignIn(listener, 'dr.ames', h.PASSWORD);
  await f.enrolDevice(listener);
  await f.goAvailable(listener);

  const gp = await h.newPage(browser, { baseUrl: proxy.baseUrl }, '/');
  await f.gpAsk(gp);
  await f.acceptOffer(listener);
  const before = await f.waitEstablished(gp, listener);
  await f.gpSend(gp, 'Before the drop.');

  proxy.drop();
  await gp.waitForSelector('#conn-banner:not([hidden])', { timeout: f.TIMEOUT });
  assert.match(await gp.locator('#conn-banner').textContent(), /Reconnecting/);
  await listener.locator('.conv-panel .status-line', { hasText: 'connection dropped' }).waitFor({ timeout: f.TIMEOUT });
  await h.screenshot(gp, 'gp-reconnecting');

  // The listener writes while the GP is away.
  const panel = listener.locator('.conv-panel:not([hidden])');
  await panel.getByLabel('Your message').fill('Written while you were away.');
  await panel.getByRole('button', { name: 'Send' }).click();

  proxy.restore();
  await gp.waitForSelector('#conn-banner', { state: 'hidden', timeout: f.TIMEOUT });
  await gp.locator('#chat-messages li.them', { hasText: 'Written while you were away.' }).waitFor({ timeout: f.TIMEOUT });
  await panel.locator('li.me', { hasText: 'Written while you were away.' }).locator('.state[data-state="delivered"]')
    .waitFor({ timeout: f.TIMEOUT });
  await listener.locator('.conv-panel .status-line', { hasText: 'The GP is back' }).waitFor({ timeout: f.TIMEOUT });

  await f.gpSend(gp, 'After the drop.');
  await panel.locator('li.them', { hasText: 'After the drop.' }).waitFor({ timeout: f.TIMEOUT });
  assert.equal(await gp.locator('#chat-messages li.me', { hasText: 'Before the drop.' }).count(), 1, 'earlier messages are still shown');
  assert.equal(await panel.locator('li.them', { hasText: 'Before the drop.' }).count(), 1, 'nothing shown twice');
  assert.equal(await gp.locator('#safety-code').textContent(), before.gpCode, 'the same end-to-end session');
  assert.deepEqual(gp.problems, []);
  assert.deepEqual(listener.problems, []);

  await gp.getByRole('button', { name: 'End conversation' }).click();
  await gp.waitForSelector('#view-after:not([hidden])', { timeout: f.TIMEOUT });
  await listener.locator('#go-away').click();
  await listener.waitForSelector('#avail-state[data-state="away"]', { timeout: f.TIMEOUT });
});

test('a session that expired during a drop is reported as expired', { skip }, async () => {
  const gp = await h.newPage(browser, { baseUrl: proxy.baseUrl }, '/');
  await f.gpAsk(gp);
  await f.waitQueued(gp);
  proxy.drop();
  await gp.waitForSelector('#conn-banner:not([hidden])', { timeout: f.TIMEOUT });
  // What expiry does in Redis: the session key is gone.
  const [, keys] = await stack.redis.command('SCAN', '0', 'MATCH', 'pl:session:*', 'COUNT', '10000');
  for (const k of keys) await stack.redis.command('DEL', k.toString());
  proxy.restore();
  await gp.waitForSelector('#view-landing:not([hidden])', { timeout: f.TIMEOUT });
  assert.match(await gp.locator('#page-error').textContent(), /session has expired/);
  await h.screenshot(gp, 'gp-session-expired');
});
