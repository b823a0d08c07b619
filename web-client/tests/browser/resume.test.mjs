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
let listenerProxy;

before(async () => {
  if (skip) return;
  const proxyPort = await h.freePort();
  const listenerProxyPort = await h.freePort();
  stack = await h.startStack({
    listeners: ['dr.ames', 'dr.bose'],
    demo: true,
    demoOrgKey: h.orgKey().keyFile,
    serverArgs: ['--allowed-origin', `http://127.0.0.1:${proxyPort}`, '--allowed-origin', `http://127.0.0.1:${listenerProxyPort}`,
      '--resume-grace-s', '60', '--wrapup-s', '0'],
  });
  proxy = await stack.startProxy(proxyPort);
  listenerProxy = await stack.startProxy(listenerProxyPort);
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
  assert.deepEqual(h.problemsExceptDrops(gp, proxy), []);
  assert.deepEqual(listener.problems, []);

  await f.gpEnd(gp);
  await gp.waitForSelector('#view-after:not([hidden])', { timeout: f.TIMEOUT });
  await listener.locator('#go-away').click();
  await listener.waitForSelector('#avail-state[data-state="away"]', { timeout: f.TIMEOUT });
});

test('a listener\'s console survives network drops: still offered work after one, and mid-conversation it resumes and gets the GP\'s messages written meanwhile', { skip }, async () => {
  const listener = await h.newPage(browser, { baseUrl: listenerProxy.baseUrl }, '/listener.html');
  await f.listenerSignIn(listener, 'dr.bose', h.PASSWORD);
  await f.enrolDevice(listener);
  await f.goAvailable(listener);
  // A drop while waiting for work: the console asks to be available again
  // when it is back, so the next GP is still offered to this listener.
  listenerProxy.drop();
  await listener.waitForSelector('#conn-banner:not([hidden])', { timeout: f.TIMEOUT });
  listenerProxy.restore();
  await listener.waitForSelector('#conn-banner', { state: 'hidden', timeout: f.TIMEOUT });
  const gp = await h.newPage(browser, stack, '/');
  await f.gpAsk(gp);
  await f.acceptOffer(listener);
  await f.waitEstablished(gp, listener);

  listenerProxy.drop();
  await listener.waitForSelector('#conn-banner:not([hidden])', { timeout: f.TIMEOUT });
  await gp.locator('#chat-status', { hasText: 'Your listener’s connection dropped' }).waitFor({ timeout: f.TIMEOUT });
  const box = gp.getByLabel('Your message');
  await box.fill('Are you still there?');
  await box.press('Enter');

  listenerProxy.restore();
  await listener.waitForSelector('#conn-banner', { state: 'hidden', timeout: f.TIMEOUT });
  const panel = listener.locator('.conv-panel:not([hidden])');
  await panel.locator('li.them', { hasText: 'Are you still there?' }).waitFor({ timeout: f.TIMEOUT });
  await gp.locator('#chat-messages li.me', { hasText: 'Are you still there?' }).locator('.state[data-state="delivered"]')
    .waitFor({ timeout: f.TIMEOUT });
  await gp.locator('#chat-status', { hasText: 'Your listener is back' }).waitFor({ timeout: f.TIMEOUT });
  await f.listenerSend(listener, 'Yes, I am here.');
  await gp.locator('#chat-messages li.them', { hasText: 'Yes, I am here.' }).waitFor({ timeout: f.TIMEOUT });
  assert.equal(await panel.locator('li.them', { hasText: 'Are you still there?' }).count(), 1, 'nothing shown twice');
  assert.deepEqual(gp.problems, []);
  assert.deepEqual(h.problemsExceptDrops(listener, listenerProxy), []);

  await f.gpEnd(gp);
  await gp.waitForSelector('#view-after:not([hidden])', { timeout: f.TIMEOUT });
  // Out of the way of the next test: away (the server may already have set it).
  await listener.waitForSelector('#avail-state:is([data-state="available"], [data-state="away"])', { timeout: f.TIMEOUT });
  if (await listener.locator('#avail-state[data-state="available"]').count()) await listener.locator('#go-away').click();
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
