// Mentoring sessions as .ics files (src/mentoring/session-calendar.ts and
// ical-text.ts), read back by an independent parser (Mozilla's ical.js) to
// check the times across the October and March clock changes, the escaping
// and the folding. Every date is given; nothing reads the clock.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import ICAL from 'ical.js';
import { load } from './bundle.mjs';

let C;
let T;
let K;
before(async () => {
  C = await load('session-calendar');
  T = await load('ical-text');
  K = await load('relationship-key');
  await K.ready();
});

const NOW = Date.UTC(2026, 8, 1, 12, 0); // 1 September 2026, 13:00 in London
const SERIES = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
// Clocks go back at 02:00 BST (01:00 UTC) on Sunday 25 October 2026.
const BEFORE = { number: 1, startMs: Date.UTC(2026, 9, 24, 9), endMs: Date.UTC(2026, 9, 24, 11) }; // Sat 24 Oct, 10:00 BST
const AFTER = { number: 2, startMs: Date.UTC(2026, 9, 31, 10), endMs: Date.UTC(2026, 9, 31, 12) }; // Sat 31 Oct, 10:00 GMT
const base = { seriesId: SERIES, seriesLength: 4, nowMs: NOW };

/** Events as ical.js reads them: uid, start/end as UTC ms, summary, zone, alarm trigger. */
function parse(text) {
  const cal = new ICAL.Component(ICAL.parse(text));
  for (const z of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(z);
  return cal.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    const alarm = v.getFirstSubcomponent('valarm');
    return {
      uid: e.uid, summary: e.summary, description: e.description,
      start: e.startDate.toUnixTime() * 1000, end: e.endDate.toUnixTime() * 1000, zone: e.startDate.zone.tzid,
      trigger: alarm ? alarm.getFirstPropertyValue('trigger').toSeconds() : null,
      action: alarm ? alarm.getFirstPropertyValue('action') : null,
      status: v.getFirstPropertyValue('status'), sequence: v.getFirstPropertyValue('sequence'),
    };
  });
}

test('a session on each side of the October change keeps its instant, in UTC and with TZID=Europe/London', () => {
  const utc = C.sessionsToIcs([BEFORE, AFTER], base);
  assert.match(utc, /\r\nDTSTART:20261024T090000Z\r\n/);
  assert.match(utc, /\r\nDTSTART:20261031T100000Z\r\n/);
  assert.doesNotMatch(utc, /VTIMEZONE/);
  const london = C.sessionsToIcs([BEFORE, AFTER], { ...base, times: 'london' });
  // Both are 10:00 on the wall clock; the zone tells them apart.
  assert.match(london, /\r\nDTSTART;TZID=Europe\/London:20261024T100000\r\n/);
  assert.match(london, /\r\nDTSTART;TZID=Europe\/London:20261031T100000\r\n/);
  assert.match(london, /BEGIN:VTIMEZONE\r\nTZID:Europe\/London\r\n/);
  for (const text of [utc, london]) {
    const [a, b] = parse(text);
    assert.equal(a.start, BEFORE.startMs);
    assert.equal(a.end, BEFORE.endMs);
    assert.equal(b.start, AFTER.startMs);
    assert.equal(b.end, AFTER.endMs);
  }
  assert.equal(parse(london)[0].zone, 'Europe/London');
});

test('the March change too, and a session in the repeated October hour is written in UTC', () => {
  // Sat 28 March 2026 10:00 GMT, Sun 29 March 2026 10:00 BST.
  const march = [
    { number: 1, startMs: Date.UTC(2026, 2, 28, 10), endMs: Date.UTC(2026, 2, 28, 12) },
    { number: 2, startMs: Date.UTC(2026, 2, 29, 9), endMs: Date.UTC(2026, 2, 29, 11) },
  ];
  const text = C.sessionsToIcs(march, { ...base, times: 'london' });
  assert.match(text, /DTSTART;TZID=Europe\/London:20260328T100000/);
  assert.match(text, /DTSTART;TZID=Europe\/London:20260329T100000/);
  assert.deepEqual(parse(text).map((e) => e.start), march.map((s) => s.startMs));
  // 01:30 on 25 October 2026 happens twice; each reading is its own instant.
  const first = { number: 1, startMs: Date.UTC(2026, 9, 25, 0, 30), endMs: Date.UTC(2026, 9, 25, 0, 45) };
  const second = { number: 2, startMs: Date.UTC(2026, 9, 25, 1, 30), endMs: Date.UTC(2026, 9, 25, 1, 45) };
  const amb = C.sessionsToIcs([first, second], { ...base, times: 'london' });
  assert.match(amb, /DTSTART:20261025T003000Z/);
  assert.match(amb, /DTSTART:20261025T013000Z/);
  assert.deepEqual(parse(amb).map((e) => e.start), [first.startMs, second.startMs]);
  assert.equal(T.localDateTime(first.startMs, 'Europe/London'), null);
  assert.equal(T.localDateTime(BEFORE.startMs, 'Europe/London'), '20261024T100000');
});

test('a whole series: four events with stable UIDs, a reminder alarm each, CRLF only', () => {
  const key = new Uint8Array(32).fill(7);
  const id = K.calendarId(key);
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.equal(id, K.calendarId(Uint8Array.from(key)), 'the same key gives the same id on another device');
  const sessions = [0, 1, 2, 3].map((i) => ({ number: i + 1, startMs: Date.UTC(2027, i * 2, 10, 9), endMs: Date.UTC(2027, i * 2, 10, 11) }));
  const o = { ...base, seriesId: id, reminderMinutes: 1440 };
  const text = C.sessionsToIcs(sessions, o);
  assert.equal(text, C.sessionsToIcs(sessions, o), 'the same input gives the same bytes');
  assert.ok(text.endsWith('END:VCALENDAR\r\n'));
  assert.doesNotMatch(text.replace(/\r\n/g, ''), /[\r\n]/, 'no bare CR or LF');
  const events = parse(text);
  assert.deepEqual(events.map((e) => e.uid), [1, 2, 3, 4].map((n) => `${id}-${n}`));
  assert.deepEqual(events.map((e) => e.summary), [1, 2, 3, 4].map((n) => `Peer mentoring session ${n} of 4`));
  for (const e of events) {
    assert.equal(e.trigger, -1440 * 60, 'a day before');
    assert.equal(e.action, 'DISPLAY');
    assert.equal(e.status, 'CONFIRMED');
  }
  assert.equal((text.match(/BEGIN:VALARM/g) ?? []).length, 4);
  // One session of the series has the same UID as in the series file.
  const one = C.sessionsToIcs([{ ...sessions[2], revision: 1 }], o);
  assert.equal(parse(one)[0].uid, `${id}-3`);
  assert.equal(parse(one)[0].sequence, 1, 'a moved session replaces the old copy');
  assert.equal(C.icsFileName([sessions[2]]), 'mentoring-session-3.ics');
  assert.equal(C.icsFileName(sessions), 'mentoring-sessions.ics');
  const cancelled = parse(C.sessionsToIcs([{ ...sessions[1], cancelled: true, revision: 2 }], o))[0];
  assert.equal(cancelled.status, 'CANCELLED');
  assert.equal(cancelled.trigger, null, 'no reminder for a cancelled session');
});

test('long lines fold at 75 octets without splitting a character; commas, semicolons and newlines are escaped', () => {
  const name = 'Dr Siân Ó Súilleabháin, MBE; retired GP — Ölçer\\Pärt '.repeat(3);
  const text = C.sessionsToIcs([BEFORE], { ...base, mentorName: name, joinUrl: 'https://peerline.example/mentoring' });
  const lines = text.split('\r\n');
  let folded = 0;
  for (const l of lines) {
    assert.ok(Buffer.byteLength(l, 'utf8') <= 75, `${Buffer.byteLength(l)} octets: ${l}`);
    assert.ok(!l.includes('\uFFFD'));
    if (l.startsWith(' ')) folded++;
  }
  assert.ok(folded >= 4, 'the long SUMMARY and DESCRIPTION were folded');
  const summaryLine = text.split('\r\nSUMMARY:')[1].split(/\r\n(?! )/)[0];
  assert.ok(summaryLine.includes('\r\n '), 'SUMMARY is folded');
  assert.match(text.replace(/\r\n /g, ''), /SUMMARY:Peer mentoring session 1 of 4 with Dr Siân Ó Súilleabháin\\, MBE\\; retired GP — Ölçer\\\\Pärt /);
  const [e] = parse(text);
  assert.equal(e.summary, `Peer mentoring session 1 of 4 with ${name}`);
  assert.equal(e.description, 'Open Peerline at the time with your relationship key to join your mentor.\nJoin at https://peerline.example/mentoring');
  // The text layer alone.
  assert.equal(T.escapeText('a,b;c\\d\r\ne\nf\rg\u0007'), 'a\\,b\\;c\\\\d\\ne\\nf\\ng');
  const long = `X-TEST:${'é'.repeat(100)}`;
  const f = T.foldLine(long).split('\r\n');
  assert.ok(f.every((l) => Buffer.byteLength(l) <= 75));
  assert.equal(f.map((l, i) => (i ? l.slice(1) : l)).join(''), long, 'unfolding gives the line back');
  assert.equal(T.foldLine('short'), 'short');
  assert.equal(T.foldLine('x'.repeat(75)), 'x'.repeat(75), 'exactly 75 octets is not folded');
  assert.equal(T.foldLine('x'.repeat(76)), `${'x'.repeat(75)}\r\n x`);
});

test('nothing of the GP or the relationship key reaches the file; join links cannot carry one', () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i + 100);
  const text = C.sessionsToIcs([BEFORE, AFTER], { ...base, seriesId: K.calendarId(key), joinUrl: 'https://peerline.example/' });
  assert.ok(!text.includes(K.relationshipToken(key)));
  for (const w of K.toPassphrase(key).split(' ')) assert.doesNotMatch(text, new RegExp(`\\b${w}\\b`, 'i'));
  assert.doesNotMatch(text, /ATTENDEE|ORGANIZER|MAILTO|CONTACT/i);
  for (const url of ['https://peerline.example/?t=abc', 'https://peerline.example/#k=abc', 'https://u:p@peerline.example/',
    'http://peerline.example/', 'javascript:alert(1)', 'not a url']) {
    assert.throws(() => C.sessionsToIcs([BEFORE], { ...base, joinUrl: url }), { name: 'CalendarError', code: 'bad_url' }, url);
  }
  assert.doesNotThrow(() => C.sessionsToIcs([BEFORE], { ...base, joinUrl: 'http://127.0.0.1:8080/' }));
});

test('bad input is refused with a clear code', () => {
  const bad = (sessions, o, code) => assert.throws(() => C.sessionsToIcs(sessions, { ...base, ...o }), { name: 'CalendarError', code });
  bad([BEFORE], { seriesId: 'short' }, 'bad_series');
  bad([BEFORE], { seriesId: `${SERIES}\r\nATTENDEE:x` }, 'bad_series');
  bad([], {}, 'bad_series');
  bad([BEFORE], { seriesLength: 0 }, 'bad_series');
  bad([BEFORE, { ...BEFORE }], {}, 'bad_session');
  bad([{ ...BEFORE, number: 5 }], {}, 'bad_session');
  bad([{ ...BEFORE, endMs: BEFORE.startMs }], {}, 'bad_session');
  bad([{ ...BEFORE, startMs: Number.NaN }], {}, 'bad_session');
  bad([BEFORE], { reminderMinutes: -5 }, 'bad_reminder');
  bad([BEFORE], { reminderMinutes: 1.5 }, 'bad_reminder');
  bad([BEFORE], { mentorName: 'x'.repeat(501) }, 'bad_text');
  assert.match(C.sessionsToIcs([BEFORE], { ...base, reminderMinutes: 0 }), /TRIGGER;RELATED=START:PT0M/);
  // A name cannot start a property of its own.
  const injected = C.sessionsToIcs([BEFORE], { ...base, mentorName: 'Ann\r\nATTENDEE:mailto:gp@example.org\nX' });
  assert.doesNotMatch(injected, /\r\nATTENDEE/);
  assert.match(injected.replace(/\r\n /g, ''), /with Ann\\nATTENDEE:mailto:gp@example.org\\nX/);
});
