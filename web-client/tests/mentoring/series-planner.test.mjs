// The series planner (src/mentoring/series-planner.ts) and its London
// calendar arithmetic (zoned-time.ts). Every date is given: nothing here
// reads the clock. The mentor publishes Tuesdays 10:00 and Thursdays 14:00,
// London time, so a slot's instant moves by an hour across each clock change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { load } from './bundle.mjs';

const P = await load('series-planner');
const Z = await load('zoned-time');

const DAY = 86_400_000;
const MENTOR = 'mentor-a';

/** Tuesdays 10:00–13:00 and Thursdays 14:00–16:00 (London) from `from` for `days` days. */
function weekly(from, days, mentorId = MENTOR) {
  const slots = [];
  for (let t = from; t < from + days * DAY; t += DAY) {
    const d = new Date(t);
    const local = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    if (d.getUTCDay() === 2) {
      const s = Z.fromLocal({ ...local, hour: 10, minute: 0 });
      slots.push({ mentorId, startMs: s, endMs: s + 3 * 3_600_000 });
    } else if (d.getUTCDay() === 4) {
      const s = Z.fromLocal({ ...local, hour: 14, minute: 0 });
      slots.push({ mentorId, startMs: s, endMs: s + 2 * 3_600_000 });
    }
  }
  return slots;
}

const london = (ms) => Z.toLocal(ms);
const FROM = Date.UTC(2026, 8, 1); // Tuesday 1 September 2026, 01:00 in London
const SLOTS = [...weekly(FROM, 500), ...weekly(FROM, 500, 'mentor-b')];

test('London arithmetic: the same wall-clock time across both changes, ambiguous and skipped times', () => {
  assert.equal(Z.fromLocal({ year: 2026, month: 10, day: 24, hour: 10, minute: 0 }), Date.UTC(2026, 9, 24, 9));
  assert.equal(Z.fromLocal({ year: 2026, month: 10, day: 31, hour: 10, minute: 0 }), Date.UTC(2026, 9, 31, 10));
  assert.equal(Z.addLocalDays(Date.UTC(2026, 9, 24, 9), 7), Date.UTC(2026, 9, 31, 10), '10:00 BST + 7 days = 10:00 GMT');
  assert.equal(Z.addLocalDays(Date.UTC(2027, 2, 27, 10), 1), Date.UTC(2027, 2, 28, 9), '10:00 GMT + 1 day = 10:00 BST');
  assert.equal(Z.fromLocal({ year: 2026, month: 10, day: 25, hour: 1, minute: 30 }), Date.UTC(2026, 9, 25, 0, 30), 'twice: the first');
  assert.equal(Z.fromLocal({ year: 2026, month: 3, day: 29, hour: 1, minute: 30 }), Date.UTC(2026, 2, 29, 1, 30), 'skipped: an hour on');
  assert.equal(Z.addLocalMonths(Date.UTC(2026, 0, 31, 10), 1), Date.UTC(2026, 1, 28, 10), 'the month\'s last day');
  assert.equal(Z.addLocalMonths(Date.UTC(2026, 0, 31, 10), 3), Date.UTC(2026, 3, 30, 9), 'into summer time');
  assert.equal(Z.localDaysBetween(Date.UTC(2026, 9, 24, 23, 30), Date.UTC(2026, 9, 25, 0, 30)), 0, '00:30 and 01:30 BST, one day');
});

test('a proposed series: four two-hour sessions with the same mentor, spread over six to twelve months', () => {
  const s = P.proposeSeries(SLOTS, MENTOR, FROM);
  assert.equal(s.mentorId, MENTOR);
  assert.equal(s.sessions.length, 4);
  assert.deepEqual(s.sessions.map((x) => x.number), [1, 2, 3, 4]);
  assert.equal(s.sessions[0].startMs, Date.UTC(2026, 8, 1, 9), 'the first slot: Tuesday 1 September, 10:00 BST');
  const starts = s.sessions.map((x) => x.startMs);
  for (let i = 1; i < 4; i++) {
    const gap = (starts[i] - starts[i - 1]) / DAY;
    assert.ok(gap >= 75 && gap <= 110, `evenly spread: gap ${gap} days`);
  }
  const span = Z.localDaysBetween(starts[0], starts[3]);
  assert.ok(span >= 182 && span <= 365, `span ${span} days`);
  for (const x of s.sessions) {
    assert.equal(x.endMs - x.startMs, 2 * 3_600_000);
    assert.equal(x.revision, 0);
    const t = london(x.startMs);
    assert.ok((t.hour === 10 || t.hour === 14) && t.minute === 0, 'on a published slot, at its London time');
    assert.ok(SLOTS.some((sl) => sl.mentorId === MENTOR && sl.startMs === x.startMs), 'on one of this mentor\'s slots');
  }
  // Winter sessions are 10:00 GMT = 10:00Z; the first, in summer, 09:00Z.
  assert.ok(s.sessions.some((x) => new Date(x.startMs).getUTCHours() === 10 || new Date(x.startMs).getUTCHours() === 14));
  assert.deepEqual(P.proposeSeries(SLOTS, MENTOR, FROM), s, 'the same slots give the same proposal');
});

test('the organisation\'s defaults are used, and availability that cannot hold a series is said so', () => {
  const d = { sessions: 6, sessionMinutes: 90, minMonths: 3, maxMonths: 4, minGapDays: 7 };
  const s = P.proposeSeries(SLOTS, MENTOR, FROM, d);
  assert.equal(s.sessions.length, 6);
  assert.equal(s.sessions[0].endMs - s.sessions[0].startMs, 90 * 60_000);
  const span = s.sessions[5].startMs - s.sessions[0].startMs;
  assert.ok(span >= 89 * DAY && span <= 123 * DAY, `3–4 months: ${span / DAY} days`);
  const refused = (slots, code, dd) => assert.throws(() => P.proposeSeries(slots, MENTOR, FROM, dd), { name: 'PlannerError', code });
  refused(SLOTS.filter((x) => x.mentorId === MENTOR).slice(0, 3), 'not_enough_slots');
  refused(weekly(FROM, 120), 'not_enough_slots', undefined); // four months of slots cannot span six
  refused(SLOTS.filter((x) => x.mentorId === 'mentor-b'), 'not_enough_slots'); // another mentor's slots are not this mentor's
  refused(SLOTS.filter((x) => x.mentorId === MENTOR).map((x) => ({ ...x, endMs: x.startMs + 60 * 60_000 })), 'not_enough_slots'); // too short
  refused(SLOTS, 'bad_defaults', { ...P.DEFAULTS, minMonths: 13 });
  refused(SLOTS, 'bad_defaults', { ...P.DEFAULTS, sessions: 0 });
  refused(Array(2001).fill(SLOTS[0]), 'bad_slots');
  refused([{ mentorId: MENTOR, startMs: Number.NaN, endMs: 0 }], 'bad_slots');
  // Slots before "from" are not offered.
  const later = P.proposeSeries(SLOTS, MENTOR, Date.UTC(2026, 9, 1));
  assert.ok(later.sessions[0].startMs >= Date.UTC(2026, 9, 1));
});

test('move one session: the others stay, order and gaps are kept, the same mentor only', () => {
  const s = P.proposeSeries(SLOTS, MENTOR, FROM);
  const now = FROM + DAY;
  const near = SLOTS.find((x) => x.mentorId === MENTOR && x.startMs > s.sessions[1].startMs + 7 * DAY);
  const moved = P.moveSession(s, 2, near, { nowMs: now });
  assert.equal(moved.sessions[1].startMs, near.startMs);
  assert.equal(moved.sessions[1].revision, 1);
  assert.deepEqual([0, 2, 3].map((i) => moved.sessions[i]), [0, 2, 3].map((i) => s.sessions[i]));
  assert.equal(s.sessions[1].revision, 0, 'the old plan is unchanged');
  const err = (fn, code) => assert.throws(fn, { name: 'PlannerError', code });
  const afterThird = SLOTS.find((x) => x.mentorId === MENTOR && x.startMs > s.sessions[2].startMs + 20 * DAY);
  err(() => P.moveSession(s, 2, afterThird, { nowMs: now }), 'out_of_order');
  const tooClose = SLOTS.find((x) => x.mentorId === MENTOR && x.startMs > s.sessions[2].startMs - 10 * DAY);
  err(() => P.moveSession(s, 2, tooClose, { nowMs: now }), 'out_of_order');
  err(() => P.moveSession(s, 2, { ...near, mentorId: 'mentor-b' }, { nowMs: now }), 'other_mentor');
  err(() => P.moveSession(s, 2, { ...near, endMs: near.startMs + 3_600_000 }, { nowMs: now }), 'slot_too_short');
  err(() => P.moveSession(s, 2, SLOTS[0], { nowMs: now }), 'in_the_past');
  err(() => P.moveSession(s, 1, near, { nowMs: s.sessions[0].startMs + 60_000 }), 'already_started');
  err(() => P.moveSession(s, 7, near, { nowMs: now }), 'unknown_session');
  const far = SLOTS.find((x) => x.mentorId === MENTOR && x.startMs > s.sessions[3].startMs + 120 * DAY);
  err(() => P.moveSession(s, 4, far, { nowMs: now }), 'outside_window');
});

test('move this and all later ones: the same days later at the new London time, across the clock change', () => {
  // A series on Tuesdays at 10:00: 20 October 2026 (BST), then January, April, July.
  const at = (y, m, d, h) => Z.fromLocal({ year: y, month: m, day: d, hour: h, minute: 0 });
  const series = {
    mentorId: MENTOR,
    sessions: [[2026, 10, 20], [2027, 1, 19], [2027, 4, 20], [2027, 7, 20]].map(([y, m, d], i) =>
      ({ number: i + 1, startMs: at(y, m, d, 10), endMs: at(y, m, d, 10) + 7_200_000, revision: 0 })),
  };
  const now = Date.UTC(2026, 9, 1);
  // Session 2 to Thursday 28 January 2027 14:00 GMT: nine days later, at 14:00.
  const slot = SLOTS.find((x) => x.mentorId === MENTOR && x.startMs === at(2027, 1, 28, 14));
  assert.ok(slot);
  const moved = P.moveThisAndLater(series, 2, slot, SLOTS, { nowMs: now });
  assert.deepEqual(moved.sessions[0], series.sessions[0], 'an earlier session stays');
  assert.equal(moved.sessions[1].startMs, Date.UTC(2027, 0, 28, 14), '14:00 GMT');
  assert.equal(moved.sessions[2].startMs, Date.UTC(2027, 3, 29, 13), 'Thursday 29 April, 14:00 BST = 13:00 UTC');
  assert.equal(moved.sessions[3].startMs, Date.UTC(2027, 6, 29, 13), 'Thursday 29 July, 14:00 BST');
  assert.deepEqual(moved.sessions.map((x) => x.revision), [0, 1, 1, 1]);
  assert.deepEqual(moved.sessions.map((x) => x.number), [1, 2, 3, 4]);
  assert.equal(moved.mentorId, MENTOR);
  // Session 1 across the October change: Tuesday 20 October 10:00 BST to Thursday 29 October 14:00 GMT.
  const first = SLOTS.find((x) => x.mentorId === MENTOR && x.startMs === at(2026, 10, 29, 14));
  const all = P.moveThisAndLater(series, 1, first, SLOTS, { nowMs: now });
  assert.deepEqual(all.sessions.map((x) => london(x.startMs)).map((t) => `${t.year}-${t.month}-${t.day} ${t.hour}:${t.minute}`),
    ['2026-10-29 14:0', '2027-1-28 14:0', '2027-4-29 14:0', '2027-7-29 14:0']);
  assert.equal(all.sessions[0].startMs, Date.UTC(2026, 9, 29, 14));
  // The mentor has no Thursday 29 April: the move is refused, naming session 3.
  const gap = SLOTS.filter((x) => x.startMs !== at(2027, 4, 29, 14));
  assert.throws(() => P.moveThisAndLater(series, 2, slot, gap, { nowMs: now }),
    (e) => e.code === 'slot_taken' && /session 3/.test(e.message));
  // Another mentor's identical times do not count.
  assert.throws(() => P.moveThisAndLater(series, 2, slot, SLOTS.filter((x) => x.mentorId !== MENTOR || x.startMs < at(2027, 2, 1, 0)), { nowMs: now }),
    { code: 'slot_taken' });
  assert.throws(() => P.moveThisAndLater(series, 2, { ...slot, mentorId: 'mentor-b' }, SLOTS, { nowMs: now }), { code: 'other_mentor' });
});
