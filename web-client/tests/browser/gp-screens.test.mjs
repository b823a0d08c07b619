// What a GP trips over (issue 14), at a phone's width (390 x 844) and a
// desktop's: the way to ask comes first and Quick exit never leaves the
// screen; Escape while typing does not throw the conversation away; ending
// asks first, in the page, without trapping focus; contacts are tel:/sms:
// links and every target is at least 44 x 44 px; the page says what it has
// saved and shows the continuity code, and Quick exit forgets it when the GP
// asked for that. The neutral exit page is answered by the browser context
// (the test machine has no internet); everything else is real.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as f from './flows.mjs';
import * as h from './harness.mjs';

const skip = h.skipReason();
const EXIT = 'https://www.bbc.co.uk/weather';
let stack;
let browser;
let listener;

before(async () => {
  if (skip) return;
  stack = await h.startStack({
    listeners: ['dr.ames'],
    demo: true,
    demoOrgKey: h.orgKey().keyFile,
    serverArgs: ['--wrapup-s', '0'],
  });
  browser = await h.launchBrowser();
  listener = await h.newPage(browser, stack, '/listener.html');
  await f.listenerSignIn(listener, 'dr.ames', h.PASSWORD);
  await f.enrolDevice(listener);
  await f.goAvailable(listener);
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

async function gpPage(size) {
  const page = await h.newPage(browser, stack, null, size);
  await page.context().route('https://www.bbc.co.uk/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Weather</title><h1>Weather</h1>' }));
  await page.goto('about:blank');
  await page.goto(`${stack.baseUrl}/`);
  await f.ready(page);
  return page;
}

async function scrollToEnd(page) {
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
}

for (const [name, size] of [['phone', f.PHONE], ['desktop', f.DESKTOP]]) {
  // The phone keeps its code through Quick exit's offer to forget it turned
  // off; the desktop has it on (the default) and loses it.
  const forget = name === 'desktop';

  test(`${name}: the GP's journey, from asking first to a quick exit that ${forget ? 'forgets' : 'keeps'} the continuity code`, { skip }, async () => {
    const gp = await gpPage(size);
    const quick = gp.getByRole('button', { name: 'Quick exit' });

    // Landing: the way to ask is on the first screen; nothing is saved.
    assert.ok(await f.inViewport(gp.getByRole('button', { name: 'Ask to talk' })), '"Ask to talk" is on the first screen');
    assert.ok(await f.inViewport(quick));
    await scrollToEnd(gp);
    assert.ok(await f.inViewport(quick), 'Quick exit stays on screen at the bottom of the page');
    assert.equal(await gp.locator('#stored-nothing').isVisible(), true);
    assert.equal(await gp.locator('#stored-code').isVisible(), false);
    // Contacts are links a phone can call or text.
    const hrefs = await gp.locator('#crisis-list a.contact').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(hrefs.length > 0 && hrefs.every((x) => /^(tel:\+?\d+|sms:\d+\?body=\w+)$/.test(x)), `contact links: ${hrefs}`);
    assert.deepEqual(await f.smallTargets(gp), [], 'landing: targets of at least 44 x 44 px');
    assert.deepEqual(await f.audit(gp), []);
    await f.assertFitsWidth(gp, `${name} landing`);
    await h.screenshot(gp, `gp-start-${name}`);

    // The conversation.
    await f.gpAsk(gp);
    await f.acceptOffer(listener);
    await f.waitEstablished(gp, listener);
    await f.gpSend(gp, 'First message.');
    await scrollToEnd(gp);
    assert.ok(await f.inViewport(quick), 'Quick exit stays on screen while chatting');
    // The 24/7 list is one press away and the chat comes before it.
    const composerTop = await gp.getByLabel('Your message').evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
    const crisisTop = await gp.locator('#crisis').evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
    if (name === 'phone') assert.ok(composerTop < crisisTop, 'on a phone the chat comes before the 24/7 list');
    await gp.getByRole('link', { name: '24/7 help' }).click();
    await h.waitFor(() => f.inViewport(gp.locator('#crisis-title')), 'the 24/7 list to be on screen', f.TIMEOUT);
    assert.ok(await f.inViewport(quick));

    // Escape in the message box keeps the conversation and what was typed.
    const box = gp.getByLabel('Your message');
    await box.fill('half a sentence');
    await box.press('Escape');
    assert.equal(await gp.locator('#view-chat').isVisible(), true, 'one Escape while typing does not leave');
    assert.equal(await box.inputValue(), 'half a sentence');
    assert.match(await gp.locator('#escape-hint').textContent(), /Escape again/);
    await h.screenshot(gp, `gp-chat-escape-hint-${name}`);
    await box.press('End'); // any other key disarms it
    assert.equal(await gp.locator('#escape-hint').isVisible(), false);
    await box.press('Escape');
    await box.press('Backspace');
    await box.press('Escape'); // not straight after the first: still here
    assert.equal(await gp.locator('#view-chat').isVisible(), true);
    await box.fill('');

    // Ending asks first; the question traps nothing and the chat goes on.
    await gp.getByRole('button', { name: 'End conversation' }).click();
    assert.equal(await gp.locator('#end-confirm').isVisible(), true);
    assert.equal(await gp.getByRole('button', { name: 'End conversation' }).getAttribute('aria-expanded'), 'true');
    assert.equal(await gp.evaluate(() => document.activeElement?.id), 'end-no', 'focus on the safe answer');
    await h.screenshot(gp, `gp-end-confirm-${name}`);
    await f.gpSend(gp, 'Still talking while the question is open.');
    assert.equal(await gp.locator('#view-chat').isVisible(), true);
    await gp.getByRole('button', { name: 'No, keep talking' }).click();
    assert.equal(await gp.locator('#end-confirm').isVisible(), false);
    assert.equal(await gp.evaluate(() => document.activeElement?.id), 'end-chat');
    assert.deepEqual(await f.smallTargets(gp), [], 'chat: targets of at least 44 x 44 px');
    assert.deepEqual(await f.audit(gp), []);
    await f.assertFitsWidth(gp, `${name} chat`);
    await h.screenshot(gp, `gp-conversation-${name}`);
    await f.gpEnd(gp);
    await gp.waitForSelector('#view-after:not([hidden])', { timeout: f.TIMEOUT });

    // After: feedback radios are big enough; the kept code is shown.
    assert.deepEqual(await f.smallTargets(gp), [], 'after: targets of at least 44 x 44 px');
    await gp.locator('#continuity-panel').waitFor({ timeout: f.TIMEOUT });
    if (!forget) await gp.getByLabel('Forget it if I use Quick exit').uncheck();
    await gp.getByRole('button', { name: 'Keep a continuity code in this browser' }).click();
    const code = await gp.locator('#kept-code').textContent();
    assert.match(code, /^[A-Za-z0-9_-]{8,64}$/, 'the kept code is shown, to be written down');
    assert.deepEqual(await f.audit(gp), []);
    await h.screenshot(gp, `gp-after-code-kept-${name}`);

    // The landing page now says what is saved, with the code.
    await gp.getByRole('button', { name: 'Back to the start' }).last().click();
    await gp.waitForSelector('#view-landing:not([hidden])', { timeout: f.TIMEOUT });
    assert.equal(await gp.locator('#stored-nothing').isVisible(), false, '"Nothing is saved" is gone');
    assert.equal(await gp.locator('#stored-code-value').textContent(), code);
    assert.equal(await gp.getByLabel('Forget it when I use Quick exit').isChecked(), forget);
    assert.deepEqual(await f.smallTargets(gp), []);
    assert.deepEqual(await f.audit(gp), []);
    await h.screenshot(gp, `gp-landing-with-code-${name}`);

    // Quick exit: one press, and the code goes too only if the GP asked.
    await quick.click();
    await gp.waitForURL(`${EXIT}**`, { timeout: f.TIMEOUT });
    // The "24/7 help" jump left no history entry of its own for Back to find.
    await gp.goBack();
    assert.ok(!gp.url().startsWith(stack.baseUrl), `Back went to ${gp.url()}`);
    const check = await gp.context().newPage();
    await check.goto(`${stack.baseUrl}/healthz`);
    const local = await check.evaluate(() => Object.keys(localStorage));
    assert.deepEqual(local, forget ? [] : ['peerline.continuity']);
    await check.close();
    assert.deepEqual(gp.problems, []);
    await listener.waitForSelector('#avail-state[data-state="available"]', { timeout: f.TIMEOUT });
    for (const t of await listener.locator('.conv-panel button', { hasText: 'Close this conversation' }).all()) await t.click();
  });
}

test('pages and bundles are served Cache-Control: no-store, so nothing of Peerline stays in the browser cache', { skip }, async () => {
  for (const path of ['/', '/listener.html', '/admin.html']) {
    const r = await fetch(`${stack.baseUrl}${path}`);
    assert.equal(r.headers.get('cache-control'), 'no-store', path);
    const html = await r.text();
    for (const m of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
      const a = await fetch(`${stack.baseUrl}${m[1]}`);
      assert.equal(a.headers.get('cache-control'), 'no-store', m[1]);
    }
  }
});
