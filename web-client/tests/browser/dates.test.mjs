// The web client's one date rule, with the browser's clock driven by the
// test (issue 14): a date carries its year only when it is not the current
// year, in the service's time zone (Europe/London), so "Friday 1 January"
// can never be read as this January. The dashboard's "Next staffed" line
// shows a real date the server computed; the test moves the browser's clock
// (not the server's) to a year before it and then to the same day.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as f from './flows.mjs';
import * as h from './harness.mjs';

const skip = h.skipReason();
const ADMIN = 'dates.admin';
const ZONE = 'Europe/London';
let stack;
let browser;
let shiftStartMs;

/** YYYY-MM-DD of `ms` in London. */
function londonDate(ms) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

before(async () => {
  if (skip) return;
  stack = await h.startStack({ admins: [ADMIN] });
  browser = await h.launchBrowser();
  // One shift, three days ahead at 09:00 London: nobody is on shift now, so
  // the dashboard names when the service is next staffed.
  await stack.createListener('dates.listener', { shift: false });
  const token = await stack.login(ADMIN);
  const date = londonDate(Date.now() + 3 * 86400_000);
  const r = await stack.api('POST', '/api/rota/shifts', { token, body: { listener: 'dates.listener', kind: 'one_off', date, start: '09:00', end: '17:00' } });
  assert.ok(r.status >= 200 && r.status < 300, r.text);
  const rota = await stack.api('GET', '/api/rota', { token });
  shiftStartMs = JSON.parse(rota.text).next_staffed_ms;
  assert.equal(londonDate(shiftStartMs), date, 'the next staffed moment is the shift');
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** The dashboard's rota summary, read with the browser's clock fixed at `clockMs`. */
async function nextStaffedLine(clockMs, size) {
  const page = await h.newPage(browser, stack, null, size);
  try {
    await page.clock.setFixedTime(clockMs);
    await page.goto(`${stack.baseUrl}/admin.html`);
    const form = page.locator('#login-form');
    await form.getByLabel('Username').fill(ADMIN);
    await form.getByLabel('Password', { exact: true }).fill(h.PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Rota' }).click();
    const summary = page.locator('#rota-summary', { hasText: 'Next staffed:' });
    await summary.waitFor({ timeout: f.TIMEOUT });
    const text = await summary.textContent();
    assert.deepEqual(page.problems, [], 'a clean console');
    await h.screenshot(page, `dates-next-staffed-${clockMs < shiftStartMs - 86400_000 ? 'other-year' : 'same-year'}-${size === f.PHONE ? 'phone' : 'desktop'}`);
    return text;
  } finally {
    await page.context().close();
  }
}

for (const [name, size] of [['phone', f.PHONE], ['desktop', f.DESKTOP]]) {
  test(`${name}: a date shows its year only when the browser's clock is in another year`, { skip }, async () => {
    const parts = (opts) => new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, ...opts }).format(shiftStartMs);
    const weekday = parts({ weekday: 'long' });
    const dayMonth = parts({ day: 'numeric', month: 'long' });
    const year = parts({ year: 'numeric' });

    // A year and a bit before the shift: the year must be there.
    const earlier = await nextStaffedLine(shiftStartMs - 400 * 86400_000, size);
    assert.match(earlier, new RegExp(`Next staffed: ${weekday} ${dayMonth} ${year}, 09:00\\.`), earlier);

    // An hour before it, the same day and year: no year.
    const sameDay = await nextStaffedLine(shiftStartMs - 3600_000, size);
    assert.match(sameDay, new RegExp(`Next staffed: ${weekday} ${dayMonth}, 09:00\\.`), sameDay);
    assert.doesNotMatch(sameDay, new RegExp(`${dayMonth} ${year}`));
  });
}
