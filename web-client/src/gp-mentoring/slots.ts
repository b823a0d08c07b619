// The mentor's free windows (GET /api/mentoring/relationship/slots) cut into
// session-length slots for the planner: a published window is often longer
// than one session (a whole afternoon), and the planner places a session at
// a slot's start. Pure.
import type { Slot } from '../mentoring/series-planner';

/** At most this many slots (the planner's own limit). */
export const MAX_SLOTS = 2000;

/** Slots of `minutes` starting every `stepMinutes` inside each window, in order, at most MAX_SLOTS. */
export function sessionSlots(windows: Slot[], minutes: number, stepMinutes = minutes): Slot[] {
  const len = minutes * 60_000;
  const step = Math.max(1, stepMinutes) * 60_000;
  const out: Slot[] = [];
  for (const w of [...windows].sort((a, b) => a.startMs - b.startMs)) {
    for (let t = w.startMs; t + len <= w.endMs && out.length < MAX_SLOTS; t += step) {
      out.push({ mentorId: w.mentorId, startMs: t, endMs: t + len });
    }
  }
  return out;
}
