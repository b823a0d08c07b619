// A whole peer-mentoring series in real Chromium against the real server's
// mentoring API (issue 15; docs/PROTOCOL.md section 10), with the clock
// driven by the test: the server's through its test clock (--test-clock,
// PUT /api/test/clock) and each page's through Playwright's clock, set to
// the same instant, so nothing is waited for.
//
// An administrator makes four certified listeners mentors (one through the
// dashboard). One mentor writes their card and availability in the console;
// the GP hides the one they know, chooses three in order with a note to the
// first, writes down the key, and asks. The first declines (the request
// passes on at once), the second lets the time to answer pass (it passes on), the
// third opens the note on their device and accepts. The GP books four
// sessions within a month (the organisation's defaults set compact for the
// test) while the mentor starts a private note, moves one session on its
// own and then one "and all later ones" (the mentor's check for bookings,
// the note still unsaved, shows the moves and leaves the note as it was),
// downloads the series as .ics, and, on another device restored from the
// words, answers the outcome question after the last session; the dashboard
// counts it. Neither the note nor the mentor's private note is anywhere in
// Redis, and the GP's pages store nothing.
//
// Skipped (not passed) when the server binary has no mentoring API.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { entropyToMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import ICAL from 'ical.js';
import * as f from './flows.mjs';
import * as h from './harness.mjs';

function mentoringSkip() {
  const why = h.skipReason();
  if (why) return why;
  let text = '';
  try {
    text = h.run([h.PEERLINE, 'serve', '--help']);
  } catch (e) {
    text = String(e.message);
  }
  return /--test-clock/.test(text) ? false : `${h.PEERLINE} has no mentoring API (no --test-clock): build branch mentor-server`;
}

const skip = mentoringSkip();
const ADMIN = 'mentoring.admin';
const MENTORS = [
  { user: 'mentor.ames', name: 'Dr Alice Ames', areas: ['partnership', 'career-crossroads'], region: 'East Midlands' },
  { user: 'mentor.brook', name: 'Dr Ben Brook', areas: ['partnership'], region: 'London' },
  { user: 'mentor.cole', name: 'Dr Cara Cole', areas: ['partnership', 'wellbeing'], region: 'North West' },
  { user: 'mentor.dunn', name: 'Dr Dev Dunn', areas: ['partnership'], region: 'East Midlands' },
];
const NOTE_CANARY = 'CANARY-gp-note-4k7Q';
const PRIVATE_CANARY = 'CANARY-mentor-private-9Zp';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let stack;
let browser;
/** What the outcome test takes over from the series test: the key's words and the last session. */
let series = null;
/** The server's clock offset, and each page's clock set to match. */
let offsetMs = 0;
const pages = [];

before(async () => {
  if (skip) return;
  // A compact series so the test clock never outruns what the organisation
  // signs (certificates for at most 30 days, revocation lists for 48 hours):
  // an hour to answer, four sessions within a month, a day apart at least.
  stack = await h.startStack({ admins: [ADMIN], serverArgs: ['--test-clock', '--mentoring-offer-hours', '1',
    '--mentoring-min-months', '0', '--mentoring-max-months', '1', '--mentoring-min-gap-days', '1'] });
  await stack.publishRevocationList([]);
  browser = await h.launchBrowser();
});

after(async () => {
  for (const p of pages) await p.context().close().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
});

async function setServerClock(ms) {
  offsetMs = ms;
  const r = await stack.api('PUT', '/api/test/clock', { body: { offset_ms: ms } });
  assert.equal(r.status, 204, `PUT /api/test/clock: ${r.status} ${r.text}`);
}

/** A page with its clock at the server's time (real time plus the offset), loaded at `path`. */
async function openPage(path, size) {
  const page = await h.newPage(browser, stack, null, size);
  pages.push(page);
  // A running clock (certificates signed after the page opened must not look early), moved on with the server's.
  await page.clock.install({ time: Date.now() + offsetMs });
  if (path) await page.goto(`${stack.baseUrl}${path}`);
  return page;
}

/** Checks a page's console and closes it (each open context holds connections; the server caps them per address). */
async function closePage(page) {
  assert.deepEqual(page.problems, [], `a clean console on ${page.url()}`);
  pages.splice(pages.indexOf(page), 1);
  await page.context().close();
}

/** The dashboard, signed in afresh (a jump of the test clock outlives a session token). */
async function adminSignIn(page) {
  await page.goto(`${stack.baseUrl}/admin.html`);
  await page.locator('#login-form').getByLabel('Username').fill(ADMIN);
  await page.locator('#login-form').getByLabel('Password', { exact: true }).fill(h.PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#app:not([hidden])').waitFor({ timeout: f.TIMEOUT });
}

async function setPageClocks() {
  for (const p of pages) if (!p.isClosed()) await p.clock.setSystemTime(Date.now() + offsetMs);
}

/** A mentor signed in, device key enrolled and certified by the organisation. */
async function certifiedListener(username) {
  await stack.createListener(username, { shift: false });
  const page = await openPage('/listener.html');
  await f.listenerSignIn(page, username, h.PASSWORD);
  await f.enrolDevice(page);
  await stack.certifyPending(username, h.ORG_KEY_FILE, { days: 30 });
  await setPageClocks(); // the page's clock at least the time the certificate was signed
  await f.waitCertified(page);
  return page;
}

/** Signs in again (the capability was granted after the first sign-in) and opens the mentoring panel. */
async function mentorConsole(page, username) {
  await page.reload();
  await f.listenerSignIn(page, username, h.PASSWORD);
  await page.waitForFunction(() => !document.getElementById('mentor-open').hidden
    || !document.getElementById('mentor-panel').hidden, null, { timeout: f.TIMEOUT });
  const open = page.locator('#mentor-open');
  if (await open.isVisible()) await open.click();
  await page.locator('#mentor-work:not([hidden])').waitFor({ timeout: f.TIMEOUT });
}

async function refreshMentor(page) {
  await page.getByRole('button', { name: 'Check for requests and bookings' }).click();
}

/** Every string in Redis (keys and values of every type). */
async function everythingInRedis() {
  const c = stack.redis.client;
  const out = [];
  let cursor = '0';
  do {
    const [next, keys] = await c.command('SCAN', cursor, 'COUNT', '1000');
    cursor = String(next);
    for (const k of keys) {
      const key = String(k);
      out.push(key);
      const type = String(await c.command('TYPE', key));
      const values = type === 'string' ? [await c.command('GET', key)]
        : type === 'hash' ? await c.command('HGETALL', key)
          : type === 'list' ? await c.command('LRANGE', key, '0', '-1')
            : type === 'set' ? await c.command('SMEMBERS', key)
              : type === 'zset' ? await c.command('ZRANGE', key, '0', '-1')
                : type === 'stream' ? [JSON.stringify(await c.command('XRANGE', key, '-', '+'), (_, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v))]
                  : [];
      for (const v of values) out.push(Buffer.isBuffer(v) ? v.toString('latin1') : String(v));
    }
  } while (cursor !== '0');
  return out.join('\n');
}

/** Opens "Move session N" and returns the offered time nearest `wantMs` (within an hour: a clock change between), or undefined. */
async function moveOption(page, number, wantMs) {
  await page.getByRole('button', { name: `Move session ${number}` }).click();
  await page.locator('#move-box:not([hidden])').waitFor({ timeout: f.TIMEOUT });
  const values = await page.$$eval('#move-slot option', (o) => o.map((x) => Number(x.value)));
  const near = values.filter((v) => Math.abs(v - wantMs) <= HOUR).sort((a, b) => Math.abs(a - wantMs) - Math.abs(b - wantMs));
  return near[0];
}

/** Waits for the series view to say `text`; on a time-out, says what the page said instead. */
async function seriesSays(page, text) {
  try {
    await page.locator('#series-status', { hasText: text }).waitFor({ timeout: f.TIMEOUT });
  } catch (e) {
    const said = await page.locator('#series-status').textContent();
    const error = await page.locator('#series-error').textContent();
    throw new Error(`the series view does not say "${text}": status "${said}", error "${error}" (${e.message})`);
  }
}

/** The booked rows of the GP's series table: number, start, revision. */
function bookedRows(page) {
  return page.$$eval('#series-body tr', (rows) => rows.map((r) => ({
    number: Number(r.dataset.session), startMs: Number(r.dataset.startMs), revision: Number(r.dataset.revision),
  })));
}

const london = (ms) => new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
}).format(ms);
const londonDate = (ms) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(ms);
const londonDay = (ms) => Date.UTC(...new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(ms).split('-').map((x, i) => Number(x) - (i === 1 ? 1 : 0)));

test('a whole mentoring series: cascade after a decline and a time-out, accept, book, move one and this-and-later, .ics, counts, no canary', { skip }, async () => {
  // --- the organisation: four certified mentors --------------------------------
  const listenerPages = {};
  for (const m of MENTORS) listenerPages[m.user] = await certifiedListener(m.user);
  await closePage(listenerPages[MENTORS[3].user]);

  // The administrator makes them mentors (the dashboard's buttons: the test after this one).
  const adminToken = await stack.login(ADMIN);
  for (const m of MENTORS) {
    const r = await stack.api('PUT', `/api/admin/accounts/${m.user}/mentor`, { token: adminToken, body: { mentor: true } });
    assert.equal(r.status, 200, r.text);
  }

  // The first mentor writes their card and availability in the console; the others through the API.
  const ames = listenerPages[MENTORS[0].user];
  await mentorConsole(ames, MENTORS[0].user);
  // A mentor without a card finds the card form open.
  assert.ok(await ames.getByLabel('Name GPs see').isVisible(), 'the card form is open for a mentor without a card');
  await ames.getByLabel('Name GPs see').fill(MENTORS[0].name);
  await ames.getByLabel('About me').fill('Twenty years a partner in a rural practice; left a partnership and came back.');
  for (const a of ['Partnership', 'Career crossroads']) await ames.locator('#card-areas').getByLabel(a).check();
  await ames.getByLabel('Region').fill(MENTORS[0].region);
  await ames.getByLabel('Languages').fill('English, Welsh');
  await ames.getByRole('button', { name: 'Save my card' }).click();
  await ames.getByText('Your card is saved.').waitFor({ timeout: f.TIMEOUT });
  await ames.getByText('My availability for mentoring').click();
  await ames.getByRole('button', { name: 'Add a weekly time' }).click();
  await ames.getByRole('button', { name: 'Add a weekly time' }).click();
  const rows = ames.locator('#weekly-list li');
  await rows.nth(0).locator('select').selectOption({ label: 'Tuesday' });
  await rows.nth(0).locator('input').nth(0).fill('10:00');
  await rows.nth(0).locator('input').nth(1).fill('16:00');
  await rows.nth(1).locator('select').selectOption({ label: 'Thursday' });
  await rows.nth(1).locator('input').nth(0).fill('14:00');
  await rows.nth(1).locator('input').nth(1).fill('18:00');
  await ames.getByRole('button', { name: 'Save my availability' }).click();
  await ames.getByText('Saved: 2 weekly and 0 one-off times.').waitFor({ timeout: f.TIMEOUT });
  // The others: one-off days from the day after tomorrow for three weeks, 10:00 to 16:00 London.
  const days = Array.from({ length: 19 }, (_, i) => londonDate(Date.now() + (i + 2) * DAY));
  for (const m of MENTORS.slice(1)) {
    const token = await stack.login(m.user);
    const card = await stack.api('PUT', '/api/mentoring/card', { token, body: {
      display_name: m.name, profile: 'A GP mentor.', areas: m.areas, region: m.region, languages: ['English'] } });
    assert.equal(card.status, 204, card.text);
    const avail = await stack.api('PUT', '/api/mentoring/availability', { token, body: {
      weekly: [], one_off: days.map((date) => ({ date, start: '10:00', end: '16:00' })) } });
    assert.equal(avail.status, 204, avail.text);
  }

  // --- the GP chooses ---------------------------------------------------------------
  const gp = await openPage('/mentoring.html');
  await f.ready(gp);
  await gp.getByRole('button', { name: 'Find a mentor' }).click();
  await gp.locator('#browse-count').filter({ hasText: '4 mentors shown' }).waitFor({ timeout: f.TIMEOUT });
  await gp.getByLabel(/People you know/).fill('dev dunn');
  await gp.locator('#browse-count').filter({ hasText: '3 mentors shown, 1 hidden' }).waitFor({ timeout: f.TIMEOUT });
  await gp.locator('#filter-areas').getByLabel('Partnership').check();
  assert.match(await gp.locator('.mentor-card').first().textContent(), /Why here: Covers 1 of your 1 area: partnership/);
  assert.deepEqual(await f.audit(gp), [], 'browsing: labels and contrast');
  await gp.getByRole('button', { name: `Choose ${MENTORS[0].name}` }).click();
  await gp.getByRole('button', { name: `Choose ${MENTORS[2].name}` }).click();
  await gp.getByRole('button', { name: `Choose ${MENTORS[1].name}` }).click();
  await gp.getByRole('button', { name: `Move ${MENTORS[1].name} up` }).click();
  assert.deepEqual(await gp.$$eval('#choices-list li strong', (e) => e.map((x) => x.textContent)),
    [`1. ${MENTORS[0].name}`, `2. ${MENTORS[1].name}`, `3. ${MENTORS[2].name}`]);
  await gp.getByLabel(`Note to ${MENTORS[0].name}`).fill(`I am thinking of leaving my partnership. ${NOTE_CANARY}`);
  await gp.getByRole('button', { name: 'Next: your relationship key' }).click();

  // The key: 24 words, written down, one of them typed back.
  const words = await gp.$$eval('#key-words li', (e) => e.map((x) => x.textContent));
  assert.equal(words.length, 24);
  assert.deepEqual(await f.audit(gp), [], 'the key: labels and contrast');
  assert.deepEqual(await f.smallTargets(gp), [], 'the key: targets of at least 44 x 44 px');
  await gp.getByRole('button', { name: 'Send my request' }).click();
  assert.match(await gp.locator('#key-error').textContent(), /write down the 24 words first/);
  await gp.getByLabel(/I have written down all 24 words/).check();
  const n = Number(await gp.locator('#key-check-n').textContent());
  await gp.getByLabel(/To check, type word number/).fill(words[n - 1]);
  await gp.getByRole('button', { name: 'Send my request' }).click();
  const status = gp.locator('#request-status');
  await status.filter({ hasText: 'with your first choice (of 3)' }).waitFor({ timeout: f.TIMEOUT });
  f.assertNothingStored(await f.storageOf(gp), 'the GP after asking');

  // --- the first declines: the request passes on at once ---------------------------------------
  await refreshMentor(ames);
  const request = ames.locator('.mentor-request');
  await request.waitFor({ timeout: f.TIMEOUT });
  assert.match(await request.locator('.note-text').textContent(), new RegExp(NOTE_CANARY), 'the note opens on the mentor\'s device');
  await request.getByRole('button', { name: 'Decline' }).click();
  await ames.locator('#mreq-empty:not([hidden])').waitFor({ timeout: f.TIMEOUT });
  await closePage(ames);
  await gp.getByRole('button', { name: 'Check again' }).click();
  await status.filter({ hasText: 'with your second choice (of 3)' }).waitFor({ timeout: f.TIMEOUT });

  // --- the second lets the hour to answer pass: the request passes on ------------------------
  const brook = listenerPages[MENTORS[1].user];
  await mentorConsole(brook, MENTORS[1].user);
  await brook.locator('.mentor-request').waitFor({ timeout: f.TIMEOUT });
  assert.match(await brook.locator('.mentor-request').textContent(), /The GP wrote no note/, 'the note was for the first mentor only');
  await closePage(brook);
  await setServerClock(HOUR + 5 * 60_000);
  await setPageClocks();
  await h.waitFor(async () => {
    await gp.getByRole('button', { name: 'Check again' }).click();
    return /with your third choice \(of 3\)/.test(await status.textContent());
  }, 'the request to pass to the third choice after the time-out', f.TIMEOUT, 250);

  // --- the third accepts ---------------------------------------------------------------------
  const cole = listenerPages[MENTORS[2].user];
  await mentorConsole(cole, MENTORS[2].user);
  await cole.getByRole('button', { name: 'Accept this mentee' }).click();
  const mentee = cole.locator('.mentee');
  await mentee.waitFor({ timeout: f.TIMEOUT });
  await mentee.getByLabel(/Your name for this mentee/).fill('Mentee from Derby');
  await mentee.getByLabel(/Your name for this mentee/).press('Tab');
  await mentee.locator('h4', { hasText: 'Mentee from Derby' }).waitFor({ timeout: f.TIMEOUT });
  assert.deepEqual(await f.audit(cole), [], 'the mentor panel: labels and contrast');

  // --- the GP books four sessions ----------------------------------------------------------
  await gp.getByRole('button', { name: 'Check again' }).click();
  await status.filter({ hasText: `${MENTORS[2].name} has accepted` }).waitFor({ timeout: f.TIMEOUT });
  await gp.getByRole('button', { name: 'See and book my sessions' }).click();
  await gp.locator('#proposal-list li').nth(3).waitFor({ timeout: f.TIMEOUT });
  assert.equal(await gp.locator('#proposal-list li').count(), 4);
  await gp.getByRole('button', { name: 'Book these sessions' }).click();
  await seriesSays(gp, 'You have 4 sessions');
  const booked = await bookedRows(gp);
  assert.deepEqual(await f.audit(gp), [], 'the sessions: labels and contrast');
  assert.deepEqual(booked.map((b) => b.number), [1, 2, 3, 4]);
  const now = Date.now() + offsetMs;
  assert.ok(booked.every((b) => b.startMs > now && b.revision === 0), 'four future sessions');
  for (let i = 1; i < 4; i++) assert.ok(londonDay(booked[i].startMs) - londonDay(booked[i - 1].startMs) >= DAY, 'a day apart at least');
  assert.ok(booked[3].startMs - booked[0].startMs <= 31 * DAY, 'within the month');
  assert.ok(booked.every((b) => /10:00|12:00|14:00/.test(london(b.startMs))), 'inside the mentor\'s hours');

  // The mentor sees the bookings and starts a private note on their device, not saved yet.
  await refreshMentor(cole);
  const menteeItem = cole.locator('.mentee');
  await menteeItem.filter({ hasText: '4 of 4 sessions booked' }).waitFor({ timeout: f.TIMEOUT });
  await menteeItem.getByText('My private notes').click();
  const privateNote = `Talked about leaving the partnership. ${PRIVATE_CANARY}`;
  await menteeItem.getByLabel('Notes').fill(privateNote);
  const sessionsSeen = await menteeItem.locator('.sessions').textContent();

  // Move session 2 on its own, a day later (session 3 is at least two days after it: the planner spreads them).
  const option2 = await moveOption(gp, 2, booked[1].startMs + DAY);
  assert.ok(option2, 'the mentor is free a day later, and the series allows it');
  await gp.getByLabel('New time').selectOption(String(option2));
  await gp.getByRole('button', { name: 'Move', exact: true }).click();
  await seriesSays(gp, 'Session 2 moved.');
  let after1 = await bookedRows(gp);
  assert.equal(after1[1].startMs, option2);
  assert.deepEqual(after1.map((b) => b.revision), [0, 1, 0, 0]);
  assert.deepEqual([after1[0], after1[2], after1[3]].map((b) => b.startMs), [booked[0], booked[2], booked[3]].map((b) => b.startMs));

  // Move session 3 and all later ones a day earlier (the proposal put the last on the mentor's last day): the same wall-clock time.
  const option3 = await moveOption(gp, 3, booked[2].startMs - DAY);
  assert.ok(option3, 'the mentor is free a day earlier for session 3');
  await gp.getByLabel('New time').selectOption(String(option3));
  // Ticked after choosing the time: the list is recomputed and keeps the time chosen.
  await gp.getByLabel('Move this and all later sessions by the same amount').check();
  assert.equal(await gp.getByLabel('New time').inputValue(), String(option3));
  await gp.getByRole('button', { name: 'Move', exact: true }).click();
  await seriesSays(gp, 'Sessions 3 to 4 moved.');
  after1 = await bookedRows(gp);
  assert.deepEqual(after1.map((b) => b.revision), [0, 1, 1, 1]);
  for (const i of [2, 3]) {
    assert.equal(london(after1[i].startMs).slice(-5), london(booked[i].startMs).slice(-5), `session ${i + 1}: same time in London`);
    assert.equal((londonDay(after1[i].startMs) - londonDay(booked[i].startMs)) / DAY, -1, `session ${i + 1}: a day earlier`);
  }

  // The series as an .ics file made in the browser: four events, the moved ones at SEQUENCE 1, each with a reminder.
  const [download] = await Promise.all([
    gp.waitForEvent('download'),
    gp.getByRole('button', { name: 'Add all sessions to my calendar (.ics)' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'mentoring-sessions.ics');
  const cal = new ICAL.Component(ICAL.parse(readFileSync(await download.path(), 'utf8')));
  for (const z of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(z);
  const events = cal.getAllSubcomponents('vevent').map((v) => ({
    uid: v.getFirstPropertyValue('uid'), seq: v.getFirstPropertyValue('sequence'),
    start: new ICAL.Event(v).startDate.toUnixTime() * 1000, alarm: !!v.getFirstSubcomponent('valarm'),
  }));
  assert.deepEqual(events.map((e) => e.start), after1.map((b) => b.startMs));
  assert.deepEqual(events.map((e) => e.seq), [0, 1, 1, 1]);
  assert.ok(events.every((e) => e.alarm && /^[0-9a-f]{32}-[1-4]$/.test(e.uid)), 'a reminder each; UIDs from the key, not the server');

  // The mentor, the note still unsaved, checks for bookings (as the panel's
  // poll also does): the moves are shown, and the note being written, its box
  // open, is left as it was (a refresh once redrew every mentee, taking both).
  await refreshMentor(cole);
  await cole.waitForFunction((seen) => document.querySelector('.mentee .sessions')?.textContent !== seen, sessionsSeen, { timeout: f.TIMEOUT });
  assert.equal(await menteeItem.locator('details.mentee-notes').evaluate((d) => d.open), true, 'the notes box stays open');
  assert.equal(await menteeItem.getByLabel('Notes').inputValue(), privateNote, 'what the mentor was writing is still there');
  await menteeItem.getByRole('button', { name: 'Save note' }).click();
  await menteeItem.getByText(/Saved on this device/).waitFor({ timeout: f.TIMEOUT });

  await closePage(cole);
  await closePage(gp);

  // --- the dashboard counts the requests; nothing of either note is in Redis ----------------------
  const dashboard = await openPage(null);
  await adminSignIn(dashboard);
  await dashboard.getByRole('link', { name: 'Charts' }).click();
  await dashboard.getByRole('heading', { name: 'Peer mentoring' }).waitFor({ timeout: f.TIMEOUT });
  await dashboard.locator('[data-chart="mentoring-requests"]')
    .filter({ hasText: '1 request from GPs: 1 accepted, 1 offer declined, 1 offer not answered in time' }).waitFor({ timeout: f.TIMEOUT });
  assert.match(await dashboard.locator('[data-chart="mentor-load"]').textContent(), /4 mentors, 1 active relationship, 0 requests waiting/);
  await closePage(dashboard);

  const redis = await everythingInRedis();
  assert.ok(!redis.includes(NOTE_CANARY), 'the GP\'s note is nowhere in Redis');
  assert.ok(!redis.includes(PRIVATE_CANARY), 'the mentor\'s private note is nowhere in Redis');
  assert.ok(!words.some((w, i) => i < 23 && redis.includes(`${w} ${words[i + 1]}`)), 'nor the key\'s words');

  for (const p of pages) assert.deepEqual(p.problems, [], `a clean console on ${p.url()}`);
  series = { words, last: after1[3] };
});

// Marked todo: it runs and reports without failing the suite. The grant test
// (on the series test's fourth mentor) needs "mentor" in GET
// /api/admin/accounts (PROTOCOL.md 10.7) for the dashboard to offer its
// buttons; this server does not list it yet (branch mentor-live adds it).
// Remove the mark when it does.
const GRANT_TODO = 'server: GET /api/admin/accounts does not list "mentor" yet (PROTOCOL.md 10.7)';

test('after the last session, on another device restored from the words, the GP answers the outcome question and the dashboard counts it', { skip }, async () => {
  assert.ok(series, 'the series of the test before');
  const { words, last } = series;
  await setServerClock(last.startMs + 3 * HOUR - Date.now());
  const gp2 = await openPage('/mentoring.html');
  await f.ready(gp2);
  await gp2.getByRole('button', { name: 'I already have a relationship key' }).click();
  await gp2.getByRole('textbox', { name: /Your 24 words/ }).fill(words.map((w, i) => `${i + 1}. ${w}`).join('\n'));
  await gp2.getByRole('button', { name: 'Open', exact: true }).click();
  await gp2.locator('#view-series:not([hidden])').waitFor({ timeout: f.TIMEOUT });
  assert.equal(await gp2.locator('#series-body tr').count(), 4, 'the same four sessions on the second device');
  await gp2.locator('#outcome-form:not([hidden])').waitFor({ timeout: f.TIMEOUT });
  await gp2.getByLabel('I have stayed in general practice').check();
  await gp2.getByRole('button', { name: 'Send my answer' }).click();
  await gp2.locator('#outcome-done:not([hidden])').waitFor({ timeout: f.TIMEOUT });
  f.assertNothingStored(await f.storageOf(gp2), 'the GP\'s second device');
  await closePage(gp2);

  const dashboard = await openPage(null);
  await adminSignIn(dashboard);
  await dashboard.getByRole('link', { name: 'Charts' }).click();
  await dashboard.locator('[data-chart="mentoring-outcomes"]').filter({ hasText: '1 answer: 1 stayed in practice' }).waitFor({ timeout: f.TIMEOUT });
  await closePage(dashboard);
});

test('the dashboard withdraws and grants the mentor capability', { skip, todo: GRANT_TODO }, async () => {
  const admin = await openPage(null);
  admin.on('dialog', (d) => void d.accept());
  await adminSignIn(admin);
  await admin.getByRole('link', { name: 'Accounts & certificates' }).click();
  const who = MENTORS[3].user;
  await admin.getByRole('button', { name: `Stop ${who} mentoring` }).click();
  await admin.getByText(`${who} no longer mentors.`).waitFor({ timeout: f.TIMEOUT });
  let cards = await stack.api('GET', '/api/mentoring/mentors');
  assert.ok(!cards.body.mentors.some((c) => c.display_name === MENTORS[3].name), 'the card is no longer published');
  await admin.getByRole('button', { name: `Make ${who} a mentor` }).click();
  await admin.getByText(`${who} is now a mentor.`).waitFor({ timeout: f.TIMEOUT });
  cards = await stack.api('GET', '/api/mentoring/mentors');
  assert.ok(cards.body.mentors.some((c) => c.display_name === MENTORS[3].name), 'published again');
  await closePage(admin);
});

test('a relationship key the server does not know opens nothing, and the page says so', { skip }, async () => {
  // 24 valid words (the checksum fits) of a key nobody asked with: the server answers 404 unknown_relationship.
  const words = entropyToMnemonic(globalThis.crypto.getRandomValues(new Uint8Array(32)), wordlist);
  const gp = await openPage('/mentoring.html');
  await f.ready(gp);
  await gp.getByRole('button', { name: 'I already have a relationship key' }).click();
  await gp.getByRole('textbox', { name: /Your 24 words/ }).fill(words);
  const [reply] = await Promise.all([
    gp.waitForResponse((r) => r.url().endsWith('/api/mentoring/relationship')),
    gp.getByRole('button', { name: 'Open', exact: true }).click(),
  ]);
  assert.equal(reply.status(), 404);
  // The reply has reached the browser; the page says so once its script has read it.
  await gp.locator('#restore-error:not([hidden])').waitFor({ timeout: f.TIMEOUT });
  assert.equal(await gp.locator('#restore-error').textContent(),
    'No mentoring was found for this key. Check the words against what you wrote down.');
  assert.equal(await gp.locator('#view-restore').isVisible(), true, 'nothing else is shown');
  f.assertNothingStored(await f.storageOf(gp), 'after a key that opens nothing');
  // The browser logs the refused request itself; nothing else may be in the console.
  assert.deepEqual(gp.problems.filter((p) => !/status of 404 .*\/api\/mentoring\/relationship\]$/.test(p)), []);
  pages.splice(pages.indexOf(gp), 1);
  await gp.context().close();
});
