// The series with the mentor: a proposal from the mentor's free times
// (series-planner.ts) booked all at once, then each session moved on its own
// or with all later ones, cancelled, or added to the GP's calendar as an
// .ics file made here (session-calendar.ts, UIDs from the key's calendar id
// so a file downloaded again updates the events). After the last session,
// the outcome question.
import { calendarId } from '../mentoring/relationship-key';
import {
  DEFAULTS, PlannerError, type Series, type SeriesDefaults, type Slot, moveSession, moveThisAndLater, proposeSeries,
} from '../mentoring/series-planner';
import { type CalendarSession, icsFileName, sessionsToIcs } from '../mentoring/session-calendar';
import { describeApiError } from '../shared/api';
import { formatClock, formatDateTime } from '../shared/datetime';
import { $, $input, announce, h, setError, showView } from '../shared/dom';
import { OUTCOMES, type RelationshipJson, type SessionJson } from '../shared/mentoring-api';
import { offerDownload } from './download';
import { m } from './state';

let slots: Slot[] = [];
let moving: number | null = null;

export function seriesDefaults(): SeriesDefaults {
  const c = m.config;
  if (!c) return DEFAULTS;
  return { sessions: c.sessions, sessionMinutes: c.session_minutes, minMonths: c.min_months, maxMonths: c.max_months, minGapDays: c.min_gap_days };
}

const live = (r: RelationshipJson) => r.sessions.filter((x) => !x.cancelled);

/** The booked sessions as the planner's series (cancelled ones left out). */
function bookedSeries(r: RelationshipJson): Series {
  return {
    mentorId: r.mentor!.id,
    sessions: live(r).sort((a, b) => a.number - b.number)
      .map((x) => ({ number: x.number, startMs: x.start_ms, endMs: x.end_ms, revision: x.revision })),
  };
}

async function loadSlots(r: RelationshipJson): Promise<void> {
  const list = await m.api.slots(m.token!, Date.now());
  slots = list.map((x) => ({ mentorId: r.mentor!.id, startMs: x.start_ms, endMs: x.end_ms }));
}

/** Shows the series: a proposal when nothing is booked yet, else the booked sessions. */
export async function openSeries(r: RelationshipJson): Promise<void> {
  m.relationship = r;
  $('series-mentor').textContent = `Your mentor: ${r.mentor?.display_name ?? ''}.`;
  setError('series-error', null);
  $('move-box').hidden = true;
  showView('view-series');
  if (r.sessions.length === 0) {
    await propose(r);
  } else {
    renderBooked(r);
  }
}

async function propose(r: RelationshipJson): Promise<void> {
  $('series-table').hidden = true;
  $('series-downloads').hidden = true;
  $('outcome-form').hidden = true;
  try {
    await loadSlots(r);
    m.proposal = proposeSeries(slots, r.mentor!.id, Date.now(), { ...seriesDefaults(), sessions: r.series_length });
  } catch (e) {
    m.proposal = null;
    $('series-proposal').hidden = true;
    setError('series-error', e instanceof PlannerError && e.code === 'not_enough_slots'
      ? 'Your mentor has not published enough free times for a whole series yet. Please check again in a few days.'
      : describeApiError(e));
    return;
  }
  $('series-proposal').hidden = false;
  $('proposal-list').replaceChildren(...m.proposal.sessions.map((x) =>
    h('li', {}, `Session ${x.number}: ${when(x.startMs, x.endMs)}`)));
}

const when = (start: number, end: number) => `${formatDateTime(start)} to ${formatClock(end)}`;

$('series-book').addEventListener('click', async () => {
  const r = m.relationship;
  if (!r || !m.proposal) return;
  const btn = $<HTMLButtonElement>('series-book');
  btn.disabled = true;
  try {
    const next = await m.api.book(m.token!, m.proposal.sessions.map((x) => ({ number: x.number, start_ms: x.startMs, end_ms: x.endMs })));
    m.proposal = null;
    $('series-proposal').hidden = true;
    renderBooked(next);
    $('series-status').textContent = `Booked: ${next.sessions.length} sessions.`;
  } catch (e) {
    setError('series-error', conflictText(e));
    await propose(r);
  } finally {
    btn.disabled = false;
  }
});

function conflictText(e: unknown): string {
  const text = describeApiError(e);
  return /taken|conflict|booked/i.test(text) || (e as { status?: number }).status === 409
    ? 'One of those times was taken by someone else a moment ago. Here is a new proposal.' : text;
}

function renderBooked(r: RelationshipJson): void {
  m.relationship = r;
  const now = Date.now();
  $('series-proposal').hidden = true;
  $('series-table').hidden = false;
  $('series-downloads').hidden = live(r).length === 0;
  $('series-body').replaceChildren(...[...r.sessions].sort((a, b) => a.number - b.number).map((x) => row(x, r, now)));
  const ended = live(r).length > 0 && live(r).every((x) => x.end_ms <= now);
  $('outcome-form').hidden = !ended;
}

function row(x: SessionJson, r: RelationshipJson, now: number): HTMLTableRowElement {
  const label = `Session ${x.number} of ${r.series_length}`;
  const future = !x.cancelled && x.start_ms > now;
  const confirmCancel = h('button', { type: 'button', class: 'danger', hidden: true, onclick: () => cancel(x.number) },
    `Yes, cancel session ${x.number}`);
  const cancelBtn = h('button', {
    type: 'button', class: 'secondary', 'aria-expanded': 'false',
    onclick: (e: Event) => {
      confirmCancel.hidden = false;
      (e.currentTarget as HTMLElement).setAttribute('aria-expanded', 'true');
      confirmCancel.focus();
    },
  }, `Cancel session ${x.number}`);
  return h('tr', { 'data-session': x.number },
    h('th', { scope: 'row' }, label),
    h('td', {}, x.cancelled ? `Cancelled (was ${when(x.start_ms, x.end_ms)})` : when(x.start_ms, x.end_ms),
      x.start_ms <= now && x.end_ms > now && !x.cancelled ? ' (now)' : ''),
    h('td', {}, h('div', { class: 'actions' },
      future ? h('button', { type: 'button', class: 'secondary', onclick: () => void openMove(x.number) }, `Move session ${x.number}`) : null,
      future ? cancelBtn : null,
      future ? confirmCancel : null,
      !x.cancelled ? h('button', { type: 'button', class: 'secondary', onclick: () => download([x]) }, `Calendar file for session ${x.number}`) : null)));
}

async function openMove(number: number): Promise<void> {
  const r = m.relationship!;
  moving = number;
  try {
    await loadSlots(r);
  } catch (e) {
    setError('series-error', describeApiError(e));
    return;
  }
  const minutes = seriesDefaults().sessionMinutes;
  const options = slots.filter((s) => s.endMs - s.startMs >= minutes * 60_000 && s.startMs > Date.now());
  $('move-n').textContent = String(number);
  $<HTMLSelectElement>('move-slot').replaceChildren(...options.map((s) =>
    h('option', { value: s.startMs }, formatDateTime(s.startMs))));
  $input('move-later').checked = false;
  $('move-box').hidden = false;
  $('move-slot').focus();
}

$('move-no').addEventListener('click', () => {
  const n = moving;
  moving = null;
  $('move-box').hidden = true;
  document.querySelector<HTMLButtonElement>(`tr[data-session="${n}"] button`)?.focus();
});

$('move-yes').addEventListener('click', async () => {
  const r = m.relationship;
  if (!r || moving === null) return;
  const startMs = Number($<HTMLSelectElement>('move-slot').value);
  const slot = slots.find((s) => s.startMs === startMs);
  if (!slot) return;
  const o = { nowMs: Date.now(), defaults: seriesDefaults() };
  let next: Series;
  try {
    next = $input('move-later').checked
      ? moveThisAndLater(bookedSeries(r), moving, slot, slots, o)
      : moveSession(bookedSeries(r), moving, slot, o);
  } catch (e) {
    setError('series-error', e instanceof PlannerError ? e.message : 'That move is not possible.');
    return;
  }
  const before = new Map(bookedSeries(r).sessions.map((x) => [x.number, x.startMs]));
  const changed = next.sessions.filter((x) => before.get(x.number) !== x.startMs);
  try {
    const updated = await m.api.move(m.token!, changed.map((x) => ({ number: x.number, start_ms: x.startMs, end_ms: x.endMs })));
    setError('series-error', null);
    $('move-box').hidden = true;
    moving = null;
    renderBooked(updated);
    const msg = changed.length === 1 ? `Session ${changed[0].number} moved.` : `${changed.length} sessions moved.`;
    $('series-status').textContent = `${msg} Download the calendar file again to update your calendar.`;
    announce(msg);
  } catch (e) {
    setError('series-error', describeApiError(e));
  }
});

async function cancel(number: number): Promise<void> {
  try {
    const updated = await m.api.cancel(m.token!, number);
    renderBooked(updated);
    $('series-status').textContent = `Session ${number} cancelled. Download the calendar file again to remove it from your calendar.`;
    $('series-title').focus();
  } catch (e) {
    setError('series-error', describeApiError(e));
  }
}

/** The .ics for `sessions` (one, or the whole series with cancelled ones marked so calendars drop them). */
export function icsFor(sessions: SessionJson[], r: RelationshipJson, nowMs: number, joinUrl?: string): string {
  const list: CalendarSession[] = sessions.map((x) => ({
    number: x.number, startMs: x.start_ms, endMs: x.end_ms, revision: x.revision, cancelled: x.cancelled,
  }));
  return sessionsToIcs(list, {
    seriesId: calendarId(m.key!), seriesLength: r.series_length, nowMs, times: 'london',
    mentorName: r.mentor?.display_name, joinUrl,
  });
}

function joinUrl(): string | undefined {
  const u = `${location.origin}/mentoring.html`;
  const local = location.protocol === 'http:' && ['127.0.0.1', 'localhost'].includes(location.hostname);
  return location.protocol === 'https:' || local ? u : undefined;
}

function download(sessions: SessionJson[]): void {
  const r = m.relationship!;
  const text = icsFor(sessions, r, Date.now(), joinUrl());
  offerDownload(text, icsFileName(sessions.map((x) => ({ number: x.number, startMs: x.start_ms, endMs: x.end_ms }))), 'text/calendar');
}

$('ics-all').addEventListener('click', () => {
  if (m.relationship) download(m.relationship.sessions);
});

$('outcome-options').replaceChildren(...OUTCOMES.map(([v, label]) =>
  h('label', { class: 'check' }, h('input', { type: 'radio', name: 'outcome', value: v }), ' ', label)));

$('outcome-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const chosen = document.querySelector<HTMLInputElement>('input[name="outcome"]:checked');
  if (!chosen || !m.token) return;
  const btn = $<HTMLButtonElement>('outcome-send');
  btn.disabled = true;
  try {
    await m.api.outcome(m.token, chosen.value as (typeof OUTCOMES)[number][0]);
    $('outcome-done').hidden = false;
  } catch (err) {
    btn.disabled = false;
    setError('series-error', describeApiError(err));
  }
});
