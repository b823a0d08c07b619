// The series with the mentor: a proposal from the mentor's free times
// (series-planner.ts) booked all at once, then each session moved on its own
// or with all later ones, or cancelled with the later ones; each session's
// calendar file (calendar-files.ts) and, after the last, the outcome
// question (outcome-view.ts).
import {
  DEFAULTS, PlannerError, type Series, type SeriesDefaults, type Slot, moveSession, moveThisAndLater, proposeSeries,
} from '../mentoring/series-planner';
import { describeApiError } from '../shared/api';
import { formatClock, formatDateTime } from '../shared/datetime';
import { $, $input, announce, h, setError, showView } from '../shared/dom';
import type { BookingJson, RelationshipJson } from '../shared/mentoring-api';
import { downloadSessions } from './calendar-files';
import { sessionSlots } from './slots';
import { m } from './state';

let slots: Slot[] = [];
let moving: number | null = null;
/** How far ahead free times are asked for (the server allows at most 400 days). */
const SLOT_DAYS = 400;

export function seriesDefaults(r: RelationshipJson | null = m.relationship): SeriesDefaults {
  const p = r?.plan ?? m.defaults;
  if (!p) return DEFAULTS;
  return { sessions: p.sessions, sessionMinutes: p.session_minutes, minMonths: p.min_months, maxMonths: p.max_months, minGapDays: p.min_gap_days };
}

/** The planner's label for the mentor (every slot and session here is theirs). */
const mentorOf = (r: RelationshipJson) => r.mentor?.id ?? 'mentor';

const byNumber = (list: BookingJson[]) => [...list].sort((a, b) => a.number - b.number);

/** The booked sessions as the planner's series. */
function bookedSeries(r: RelationshipJson): Series {
  return {
    mentorId: mentorOf(r),
    sessions: byNumber(r.bookings).map((x) => ({ number: x.number, startMs: x.start_ms, endMs: x.end_ms, revision: x.revision })),
  };
}

async function loadSlots(r: RelationshipJson): Promise<void> {
  const now = Date.now();
  const list = await m.api.slots(m.token!, now, now + SLOT_DAYS * 86_400_000);
  slots = list.map((x) => ({ mentorId: mentorOf(r), startMs: x.start_ms, endMs: x.end_ms }));
}

/** Shows the sessions: those booked, and a proposal for any not yet booked. */
export async function openSeries(r: RelationshipJson): Promise<void> {
  m.relationship = r;
  $('series-mentor').textContent = r.mentor ? `Your mentor: ${r.mentor.display_name}.` : '';
  setError('series-error', null);
  $('move-box').hidden = true;
  showView('view-series');
  renderBooked(r);
  if (r.state === 'active' && (r.sessions_remaining ?? 0) > 0) await propose(r);
  else $('series-proposal').hidden = true;
}

/** Re-reads the relationship and shows it. */
async function reload(): Promise<RelationshipJson> {
  const r = await m.api.relationship(m.token!);
  renderBooked(r);
  return r;
}

async function propose(r: RelationshipJson): Promise<void> {
  const d = seriesDefaults(r);
  const remaining = r.sessions_remaining ?? 0;
  const booked = byNumber(r.bookings);
  const last = booked[booked.length - 1];
  try {
    await loadSlots(r);
    // After the sessions already booked: at least the gap after the last of them.
    const from = last ? Math.max(Date.now(), last.start_ms + d.minGapDays * 86_400_000) : Date.now();
    const plan = proposeSeries(sessionSlots(slots, d.sessionMinutes, d.sessionMinutes), mentorOf(r), from,
      { ...d, sessions: remaining, minMonths: booked.length ? 0 : d.minMonths });
    plan.sessions = plan.sessions.map((x, i) => ({ ...x, number: booked.length + i + 1 }));
    m.proposal = plan;
  } catch (e) {
    m.proposal = null;
    $('series-proposal').hidden = true;
    setError('series-error', e instanceof PlannerError && e.code === 'not_enough_slots'
      ? 'Your mentor has not published enough free times for the series yet. Please check again in a few days.'
      : e instanceof PlannerError ? e.message : describeApiError(e));
    return;
  }
  $('series-proposal').hidden = false;
  $('proposal-list').replaceChildren(...m.proposal.sessions.map((x) =>
    h('li', { value: x.number }, `Session ${x.number}: ${when(x.startMs, x.endMs)}`)));
}

const when = (start: number, end: number) => `${formatDateTime(start)} to ${formatClock(end)}`;

$('series-book').addEventListener('click', async () => {
  const r = m.relationship;
  if (!r || !m.proposal) return;
  const btn = $<HTMLButtonElement>('series-book');
  btn.disabled = true;
  try {
    await m.api.book(m.token!, m.proposal.sessions.map((x) => ({ start_ms: x.startMs, end_ms: x.endMs })));
    m.proposal = null;
    $('series-proposal').hidden = true;
    const next = await reload();
    for (const b of next.bookings) m.cancelled.delete(b.number);
    setError('series-error', null);
    say(`Booked. You have ${next.bookings.length} session${next.bookings.length === 1 ? '' : 's'} with your mentor.`);
  } catch (e) {
    setError('series-error', (e as { code?: string }).code === 'slot_taken'
      ? 'One of those times was taken a moment ago. Nothing was booked; here is a new proposal.' : describeApiError(e));
    await propose(await reload().catch(() => r));
  } finally {
    btn.disabled = false;
  }
});

function say(text: string): void {
  $('series-status').textContent = text;
  announce(text);
}

function renderBooked(r: RelationshipJson): void {
  m.relationship = r;
  const now = Date.now();
  const booked = byNumber(r.bookings);
  $('series-table').hidden = booked.length === 0;
  $('series-downloads').hidden = booked.length === 0 && m.cancelled.size === 0;
  const total = booked.length + (r.sessions_remaining ?? 0);
  $('series-body').replaceChildren(...booked.map((x, i) => row(x, total, now, i === booked.length - 1)));
  $('outcome-form').hidden = !r.outcome_due;
}

function row(x: BookingJson, total: number, now: number, isLast: boolean): HTMLTableRowElement {
  const future = x.start_ms > now;
  const cancelLabel = isLast ? `Cancel session ${x.number}` : `Cancel session ${x.number} and the later ones`;
  const confirmCancel = h('button', { type: 'button', class: 'danger', hidden: true, onclick: () => void cancelFrom(x.number) },
    `Yes, ${cancelLabel.toLowerCase()}`);
  const cancelBtn = h('button', {
    type: 'button', class: 'secondary', 'aria-expanded': 'false',
    onclick: (e: Event) => {
      confirmCancel.hidden = false;
      (e.currentTarget as HTMLElement).setAttribute('aria-expanded', 'true');
      confirmCancel.focus();
    },
  }, cancelLabel);
  return h('tr', { 'data-session': x.number, 'data-start-ms': x.start_ms, 'data-revision': x.revision },
    h('th', { scope: 'row' }, `Session ${x.number} of ${total}`),
    h('td', {}, when(x.start_ms, x.end_ms), x.start_ms <= now && x.end_ms > now ? ' (now)' : x.end_ms <= now ? ' (held)' : ''),
    h('td', {}, h('div', { class: 'actions' },
      future ? h('button', { type: 'button', class: 'secondary', onclick: () => void openMove(x.number) }, `Move session ${x.number}`) : null,
      future ? cancelBtn : null,
      future ? confirmCancel : null,
      h('button', { type: 'button', class: 'secondary', onclick: () => downloadSessions([x]) }, `Calendar file for session ${x.number}`))));
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
  $('move-n').textContent = String(number);
  $input('move-later').checked = false;
  fillMoveOptions();
  $('move-box').hidden = false;
  $('move-slot').focus();
}

/** The move as the planner makes it (throws PlannerError when the series' rules do not allow it). */
function plannedMove(r: RelationshipJson, from: number, startMs: number, andLater: boolean): Series {
  const d = seriesDefaults(r);
  const slot = { mentorId: mentorOf(r), startMs, endMs: startMs + d.sessionMinutes * 60_000 };
  const o = { nowMs: Date.now(), defaults: { ...d, sessions: Math.max(1, r.bookings.length) } };
  return andLater
    ? moveThisAndLater(bookedSeries(r), from, slot, sessionSlots(slots, d.sessionMinutes, 15), o)
    : moveSession(bookedSeries(r), from, slot, o);
}

/** Only the times the series' rules allow (order, gaps, the window, and for "this and later" the mentor free at each new time). */
function fillMoveOptions(): void {
  const r = m.relationship;
  if (!r || moving === null) return;
  const from = moving;
  const andLater = $input('move-later').checked;
  const d = seriesDefaults(r);
  const options = sessionSlots(slots, d.sessionMinutes, 60).filter((s) => {
    try {
      plannedMove(r, from, s.startMs, andLater);
      return true;
    } catch {
      return false;
    }
  });
  const select = $<HTMLSelectElement>('move-slot');
  const was = select.value;
  select.replaceChildren(...options.map((s) => h('option', { value: s.startMs }, formatDateTime(s.startMs))));
  // Ticking "this and all later" keeps the time chosen, when it is still allowed.
  if (options.some((s) => String(s.startMs) === was)) select.value = was;
  else if (was && options.length) announce('The time you chose is not possible for the later sessions; the list shows the times that are.');
  $('move-none').hidden = options.length > 0;
  $<HTMLButtonElement>('move-yes').disabled = options.length === 0;
}

$('move-later').addEventListener('change', fillMoveOptions);

$('move-no').addEventListener('click', () => {
  const n = moving;
  moving = null;
  $('move-box').hidden = true;
  document.querySelector<HTMLButtonElement>(`tr[data-session="${n}"] button`)?.focus();
});

$('move-yes').addEventListener('click', async () => {
  const r = m.relationship;
  if (!r || moving === null) return;
  const from = moving;
  const startMs = Number($<HTMLSelectElement>('move-slot').value);
  const andLater = $input('move-later').checked;
  let next: Series;
  try {
    next = plannedMove(r, from, startMs, andLater);
  } catch (e) {
    setError('series-error', e instanceof PlannerError ? e.message : 'That move is not possible.');
    return;
  }
  const moved = next.sessions.filter((x) => (andLater ? x.number >= from : x.number === from));
  try {
    await m.api.move(m.token!, from, moved.map((x) => ({ start_ms: x.startMs, end_ms: x.endMs })));
    setError('series-error', null);
    $('move-box').hidden = true;
    moving = null;
    await reload();
    say(`${moved.length === 1 ? `Session ${from} moved.` : `Sessions ${from} to ${moved[moved.length - 1].number} moved.`}`
      + ' Download the calendar file again to update your calendar.');
    $('series-title').focus();
  } catch (e) {
    setError('series-error', (e as { code?: string }).code === 'slot_taken'
      ? 'That time was taken a moment ago. Nothing was moved; please choose another.' : describeApiError(e));
  }
});

async function cancelFrom(number: number): Promise<void> {
  const r = m.relationship!;
  try {
    await m.api.cancelFrom(m.token!, number);
    for (const b of r.bookings) if (b.number >= number) m.cancelled.set(b.number, { ...b, revision: b.revision + 1 });
    const next = await reload();
    say(`Cancelled from session ${number}. You can book ${next.sessions_remaining ?? 0} session${next.sessions_remaining === 1 ? '' : 's'} again below; `
      + 'download the calendar file again to remove the cancelled ones from your calendar.');
    if ((next.sessions_remaining ?? 0) > 0) await propose(next);
    $('series-title').focus();
  } catch (e) {
    setError('series-error', describeApiError(e));
  }
}
