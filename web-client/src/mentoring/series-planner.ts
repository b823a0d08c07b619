// The series planner in the GP's browser (issue 15): from the mentor's
// published availability and the organisation's defaults (four sessions of
// two hours over six to twelve months), propose a whole series spread across
// the window; then "move one session" and "move this and all later ones".
// Every session stays with the same mentor and the series keeps its order.
// Pure: the time is always passed in (nowMs), never read from the clock; the
// server checks the bookings again, atomically, when they are made.
import { addLocalDays, addLocalMonths, localDaysBetween, toLocal, fromLocal, LONDON } from './zoned-time';

export interface Slot {
  mentorId: string;
  startMs: number;
  endMs: number;
}

export interface PlannedSession {
  /** 1-based place in the series, fixed for the life of the series. */
  number: number;
  startMs: number;
  endMs: number;
  /** Raised at every move (the .ics SEQUENCE). */
  revision: number;
}

export interface Series {
  mentorId: string;
  sessions: PlannedSession[];
}

export interface SeriesDefaults {
  sessions: number;
  sessionMinutes: number;
  /** The series spans at least this many months from first to last session… */
  minMonths: number;
  /** …and at most this many. */
  maxMonths: number;
  /** Sessions at least this many days apart. */
  minGapDays: number;
}

/** The organisation's defaults when it sets none (GP-S: four two-hour sessions over 6–12 months). */
export const DEFAULTS: SeriesDefaults = { sessions: 4, sessionMinutes: 120, minMonths: 6, maxMonths: 12, minGapDays: 14 };

export const LIMITS = { slots: 2000, sessions: 12, sessionMinutes: 240, months: 24 } as const;

export type PlannerErrorCode = 'bad_defaults' | 'bad_slots' | 'not_enough_slots' | 'unknown_session'
  | 'already_started' | 'in_the_past' | 'other_mentor' | 'slot_too_short' | 'out_of_order' | 'outside_window' | 'slot_taken';

export class PlannerError extends Error {
  constructor(readonly code: PlannerErrorCode, message: string) {
    super(message);
    this.name = 'PlannerError';
  }
}

function checkDefaults(d: SeriesDefaults): void {
  const whole = (n: number, lo: number, hi: number) => Number.isInteger(n) && n >= lo && n <= hi;
  if (!whole(d.sessions, 1, LIMITS.sessions) || !whole(d.sessionMinutes, 15, LIMITS.sessionMinutes)
    || !whole(d.minMonths, 0, LIMITS.months) || !whole(d.maxMonths, 1, LIMITS.months) || d.minMonths > d.maxMonths
    || !whole(d.minGapDays, 0, 366)) {
    throw new PlannerError('bad_defaults', 'The series defaults are out of range.');
  }
}

/** The mentor's usable slots: theirs, long enough, not before `fromMs`, sorted, without repeats. */
function usable(slots: Slot[], mentorId: string, minutes: number, fromMs: number): Slot[] {
  if (!Array.isArray(slots) || slots.length > LIMITS.slots) throw new PlannerError('bad_slots', `At most ${LIMITS.slots} slots.`);
  const seen = new Set<number>();
  return slots
    .filter((s) => {
      if (!Number.isFinite(s.startMs) || !Number.isFinite(s.endMs)) throw new PlannerError('bad_slots', 'A slot has no time.');
      return s.mentorId === mentorId && s.endMs - s.startMs >= minutes * 60_000 && s.startMs >= fromMs;
    })
    .sort((a, b) => a.startMs - b.startMs)
    .filter((s) => (seen.has(s.startMs) ? false : (seen.add(s.startMs), true)));
}

const sessionAt = (number: number, slot: Slot, minutes: number, revision = 0): PlannedSession =>
  ({ number, startMs: slot.startMs, endMs: slot.startMs + minutes * 60_000, revision });

/** Whether `b` starts at least `gapDays` calendar days (London) after `a`. */
const farEnough = (a: number, b: number, gapDays: number) => b > a && localDaysBetween(a, b, LONDON) >= gapDays;

/**
 * A proposed series: the first session at the mentor's first slot from
 * `fromMs` that can start one; the last aimed at the middle of the window
 * (nine months with the defaults) and never outside it; the others spread
 * evenly between, each at the slot nearest its target that still leaves room
 * for the rest. Throws PlannerError `not_enough_slots` when the availability
 * cannot hold a series. At most LIMITS.slots slots: the work grows with the
 * square of their number.
 */
export function proposeSeries(slots: Slot[], mentorId: string, fromMs: number, d: SeriesDefaults = DEFAULTS): Series {
  checkDefaults(d);
  const free = usable(slots, mentorId, d.sessionMinutes, fromMs);
  // Local day numbers once per slot: the gap rule counts calendar days in London.
  const day = new Map(free.map((f) => [f.startMs, localDaysBetween(0, f.startMs, LONDON)]));
  const gapOk = (a: Slot, b: Slot) => b.startMs > a.startMs && day.get(b.startMs)! - day.get(a.startMs)! >= d.minGapDays;
  for (const first of free) {
    const earliestLast = addLocalMonths(first.startMs, d.minMonths);
    const windowEnd = addLocalMonths(first.startMs, d.maxMonths);
    const aimLast = addLocalMonths(first.startMs, Math.round((d.minMonths + d.maxMonths) / 2));
    const fits = (s: Slot, isLast: boolean) => s.startMs <= windowEnd && (!isLast || s.startMs >= earliestLast);
    /** Whether `left` more sessions fit after `from` (taking the earliest each time). */
    const roomAfter = (from: Slot, left: number): boolean => {
      let at = from;
      for (let k = 0; k < left; k++) {
        const next = free.find((s) => gapOk(at, s) && fits(s, k === left - 1));
        if (!next) return false;
        at = next;
      }
      return true;
    };
    if (!roomAfter(first, d.sessions - 1)) continue;
    const chosen: Slot[] = [first];
    for (let i = 1; i < d.sessions; i++) {
      const target = first.startMs + ((aimLast - first.startMs) * i) / (d.sessions - 1);
      const isLast = i === d.sessions - 1;
      const next = free
        .filter((s) => gapOk(chosen[i - 1], s) && fits(s, isLast))
        .sort((a, b) => Math.abs(a.startMs - target) - Math.abs(b.startMs - target) || a.startMs - b.startMs)
        .find((s) => roomAfter(s, d.sessions - 1 - i));
      // roomAfter(first) found a way, so some candidate always leaves room.
      chosen.push(next!);
    }
    return { mentorId, sessions: chosen.map((s, i) => sessionAt(i + 1, s, d.sessionMinutes)) };
  }
  throw new PlannerError('not_enough_slots',
    `The mentor's availability does not hold ${d.sessions} sessions ${d.minGapDays} days apart over ${d.minMonths} to ${d.maxMonths} months.`);
}

export interface MoveOptions {
  nowMs: number;
  defaults?: SeriesDefaults;
}

function find(series: Series, number: number, nowMs: number): number {
  const i = series.sessions.findIndex((s) => s.number === number);
  if (i < 0) throw new PlannerError('unknown_session', `There is no session ${number}.`);
  if (series.sessions[i].startMs <= nowMs) throw new PlannerError('already_started', `Session ${number} has already started.`);
  return i;
}

function checkSlot(series: Series, slot: Slot, nowMs: number, d: SeriesDefaults): void {
  if (slot.mentorId !== series.mentorId) throw new PlannerError('other_mentor', 'A session can only move to a time of the same mentor.');
  if (slot.startMs <= nowMs) throw new PlannerError('in_the_past', 'That time has passed.');
  if (slot.endMs - slot.startMs < d.sessionMinutes * 60_000) throw new PlannerError('slot_too_short', 'That time is shorter than a session.');
}

function checkOrder(sessions: PlannedSession[], d: SeriesDefaults): void {
  for (let i = 1; i < sessions.length; i++) {
    if (!farEnough(sessions[i - 1].startMs, sessions[i].startMs, d.minGapDays)) {
      throw new PlannerError('out_of_order',
        `Session ${sessions[i].number} would not be at least ${d.minGapDays} days after session ${sessions[i - 1].number}.`);
    }
  }
  if (sessions[sessions.length - 1].startMs > addLocalMonths(sessions[0].startMs, d.maxMonths)) {
    throw new PlannerError('outside_window', `The series would run over ${d.maxMonths} months.`);
  }
}

/** Session `number` moved to `slot`; the others stay. Keeps order and gaps, the same mentor. */
export function moveSession(series: Series, number: number, slot: Slot, o: MoveOptions): Series {
  const d = o.defaults ?? DEFAULTS;
  const i = find(series, number, o.nowMs);
  checkSlot(series, slot, o.nowMs, d);
  const sessions = series.sessions.map((s, k) => (k === i ? sessionAt(s.number, slot, d.sessionMinutes, s.revision + 1) : s));
  checkOrder(sessions, d);
  return { mentorId: series.mentorId, sessions };
}

/**
 * Session `number` moved to `slot`, and every later one by the same number of
 * calendar days to the same new time of day (so 10:00 stays 10:00 across a
 * clock change), each on a published slot of the same mentor at exactly that
 * time. Throws `slot_taken` naming the first later session whose new time is
 * not available (the GP then moves that one on its own).
 */
export function moveThisAndLater(series: Series, number: number, slot: Slot, slots: Slot[], o: MoveOptions): Series {
  const d = o.defaults ?? DEFAULTS;
  const i = find(series, number, o.nowMs);
  checkSlot(series, slot, o.nowMs, d);
  const old = series.sessions[i].startMs;
  const days = localDaysBetween(old, slot.startMs);
  const at = toLocal(slot.startMs);
  // Slots held by this series are free to the series itself.
  const free = usable(slots, series.mentorId, d.sessionMinutes, o.nowMs);
  const sessions = series.sessions.map((s, k) => {
    if (k < i) return s;
    if (k === i) return sessionAt(s.number, slot, d.sessionMinutes, s.revision + 1);
    const day = toLocal(addLocalDays(s.startMs, days));
    const want = fromLocal({ ...day, hour: at.hour, minute: at.minute });
    const hit = free.find((f) => f.startMs === want)
      ?? series.sessions.map((x) => ({ mentorId: series.mentorId, startMs: x.startMs, endMs: x.endMs })).find((f) => f.startMs === want);
    if (!hit) {
      throw new PlannerError('slot_taken', `The mentor has no time for session ${s.number} on the new pattern; move it on its own.`);
    }
    return sessionAt(s.number, hit, d.sessionMinutes, s.revision + 1);
  });
  checkOrder(sessions, d);
  return { mentorId: series.mentorId, sessions };
}
