// The pure parts of the mentoring screens, in Node: the API client's checks
// of the server's replies (src/shared/mentoring-api.ts), the free windows cut
// into session-length slots for the planner (src/gp-mentoring/slots.ts), the
// defaults in words (wording.ts) and the dashboard's mentoring charts
// (src/admin/mentoring-charts.ts). Every date is given.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { webClient } from './bundle.mjs';

/** `src/<path>.ts` bundled for the browser, as the build resolves it. */
async function load(path) {
  const out = join(webClient, 'test-output', `screens-${path.replace(/\//g, '-')}.mjs`);
  mkdirSync(dirname(out), { recursive: true });
  await build({
    entryPoints: [join(webClient, 'src', `${path}.ts`)], bundle: true, format: 'esm', platform: 'browser',
    outfile: out, external: ['libsodium-wrappers'], logLevel: 'error',
  });
  return import(pathToFileURL(out).href);
}

const A = await load('shared/mentoring-api');
const S = await load('gp-mentoring/slots');
const W = await load('gp-mentoring/wording');
const C = await load('admin/mentoring-charts');

const HOUR = 3_600_000;
const T = Date.UTC(2027, 2, 2, 10); // Tuesday 2 March 2027, 10:00 London (GMT)
const PLAN = { sessions: 4, session_minutes: 120, min_months: 6, max_months: 12, min_gap_days: 14 };

test('a relationship reply is checked before a page uses it', () => {
  const ok = A.checkRelationship({ state: 'offered', choice: 1, choices: 3, expires_at_ms: T });
  assert.deepEqual(ok.bookings, [], 'no bookings yet is an empty list');
  const active = A.checkRelationship({
    state: 'active', relationship_id: 'r1', plan: PLAN, sessions_remaining: 3,
    mentor: { id: 'a'.repeat(32), display_name: 'Dr A' }, bookings: [{ number: 1, start_ms: T, end_ms: T + 2 * HOUR }],
  });
  assert.equal(active.bookings[0].revision, 0, 'a missing revision reads as 0');
  const refused = [
    null, [], { state: 'accepted' }, { state: 'active', bookings: [] }, { state: 'active', plan: PLAN, mentor: 'x', bookings: [] },
    { state: 'active', plan: PLAN, mentor: {}, bookings: [{ number: 1, start_ms: T, end_ms: T }] },
    { state: 'active', plan: PLAN, mentor: {}, bookings: [{ number: 0, start_ms: T, end_ms: T + 1 }] },
    { state: 'active', plan: PLAN, mentor: {}, bookings: Array.from({ length: 13 }, (_, i) => ({ number: i + 1, start_ms: T, end_ms: T + 1 })) },
    { state: 'active', plan: { ...PLAN, sessions: 0 }, mentor: {}, bookings: [] },
    { state: 'active', plan: { ...PLAN, session_minutes: 100_000 }, mentor: {}, bookings: [] },
    { state: 'offered', bookings: 'none' },
  ];
  for (const r of refused) {
    assert.throws(() => A.checkRelationship(r), (e) => e.code === 'bad_reply', JSON.stringify(r));
  }
});

test('free windows become session-length slots, in order and bounded', () => {
  const w = [
    { mentorId: 'm', startMs: T + 7 * 24 * HOUR, endMs: T + 7 * 24 * HOUR + 6 * HOUR },
    { mentorId: 'm', startMs: T, endMs: T + 6 * HOUR },
    { mentorId: 'm', startMs: T + 30 * HOUR, endMs: T + 31 * HOUR }, // shorter than a session: nothing
  ];
  const whole = S.sessionSlots(w, 120);
  assert.deepEqual(whole.map((s) => (s.startMs - T) / HOUR), [0, 2, 4, 168, 170, 172]);
  assert.ok(whole.every((s) => s.endMs - s.startMs === 2 * HOUR && s.mentorId === 'm'));
  const hourly = S.sessionSlots(w.slice(1, 2), 120, 60);
  assert.deepEqual(hourly.map((s) => (s.startMs - T) / HOUR), [0, 1, 2, 3, 4]);
  const many = S.sessionSlots([{ mentorId: 'm', startMs: 0, endMs: 10_000 * HOUR }], 60);
  assert.equal(many.length, S.MAX_SLOTS);
});

test('the organisation\'s defaults in plain words', () => {
  assert.equal(W.describeSeries(4, 120, 6, 12), 'four two-hour sessions over six to twelve months');
  assert.equal(W.describeSeries(1, 90, 0, 3), 'one 90-minute session over up to three months');
  assert.equal(W.describeHours(72), 'three days');
  assert.equal(W.describeHours(24), 'one day');
  assert.equal(W.describeHours(36), '36 hours');
});

test('the dashboard\'s mentoring charts: load per mentor, requests and answers, series and outcomes when counted, honest empty states', () => {
  const empty = C.mentoringSpecs({ mentors: [], requests_waiting: 0, relationships_active: 0, counts: {} });
  assert.deepEqual(empty.map((s) => [s.key, s.empty]), [['mentor-load', true], ['mentoring-requests', true]],
    'series and outcomes only when the server counts them');
  const specs = C.mentoringSpecs({
    mentors: [
      { mentor_id: 'a', username: 'mentor.a', display_name: 'Dr A', active_relationships: 2, sessions_this_month: 3, requests_waiting: 1, oldest_request_wait_s: 5400 },
      { mentor_id: 'b', username: 'mentor.b', active_relationships: 0, sessions_this_month: 0, requests_waiting: 0 },
    ],
    requests_waiting: 1, oldest_request_wait_s: 5400, relationships_active: 2,
    // As PROTOCOL.md 10.7 has them: ended early and outcomes are counts, absent while 0.
    counts: {
      requests: 3, accepted: 2, offers_declined: 1, offers_expired: 1, ended_early_referred_on: 1, ended_early_not_a_fit: 2,
      outcome_stayed_in_practice: 4, outcome_changed_how_i_work: 1, outcome_prefer_not_to_say: 1,
    },
    series_completed: 5,
  });
  const [load, requests, series, outcomes] = specs;
  assert.deepEqual(load.labels, ['Dr A', 'mentor.b'], 'a mentor without a card is shown by username');
  assert.equal(load.plotted, 3, 'the oldest wait is in the table, not the chart');
  assert.deepEqual(load.series[3].text, ['1 h 30 min', '—']);
  assert.equal(load.summary, '2 mentors, 2 active relationships, 1 request waiting (the oldest for 1 h 30 min).');
  assert.deepEqual(requests.series[0].values, [3, 2, 1, 1, 0], 'a count the server leaves out is 0');
  assert.equal(requests.summary, '3 requests from GPs: 2 accepted, 1 offer declined, 1 offer not answered in time, 0 declined by every choice.');
  assert.deepEqual(series.series[0].values, [5, 1, 0, 2, 0]);
  assert.equal(series.summary, '5 series completed, 3 ended early.');
  assert.equal(outcomes.summary, '6 answers: 4 stayed in practice, 1 changed how they work, 0 left general practice, 1 preferred not to say.');
  assert.ok(specs.every((s) => !s.empty));
});
