// Calendar arithmetic in the service's time zone (Europe/London), for the
// series planner: "the same local time, N days or months later" across a
// clock change, and a local date and time back to an instant. Built on
// Intl.DateTimeFormat, the zone data the browser already has.
export const LONDON = 'Europe/London';

export interface LocalTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function format(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23',
    });
    formats.set(zone, f);
  }
  return f;
}

/** The wall clock of `ms` in `zone` (seconds dropped). */
export function toLocal(ms: number, zone = LONDON): LocalTime {
  const parts = format(zone).formatToParts(ms);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

const asUtc = (t: LocalTime) => Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);
const same = (a: LocalTime, b: LocalTime) =>
  a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;

/**
 * The instant whose wall clock in `zone` is `t`. Day overflow is normalised
 * (day 32 of January is 1 February). A time that happens twice (clocks go
 * back) gives the first; one that is skipped (clocks go forward) gives the
 * instant an hour later on the wall clock, as calendars do.
 */
export function fromLocal(t: LocalTime, zone = LONDON): number {
  const guess = asUtc(t);
  const norm = toLocalNormalised(t);
  // The zone's offset a day either side of the guess covers any one change.
  const offset = (ms: number) => asUtc(toLocal(ms, zone)) - Math.floor(ms / 60_000) * 60_000;
  const candidates = [...new Set([guess - offset(guess - 86_400_000), guess - offset(guess + 86_400_000)])]
    .filter((ms) => same(toLocal(ms, zone), norm))
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0];
  return guess - offset(guess - 86_400_000);
}

function toLocalNormalised(t: LocalTime): LocalTime {
  const d = new Date(asUtc(t));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

/** The same wall-clock time `days` calendar days later (or earlier). */
export function addLocalDays(ms: number, days: number, zone = LONDON): number {
  const t = toLocal(ms, zone);
  return fromLocal({ ...t, day: t.day + days }, zone);
}

/** The same wall-clock time `months` later, on the same day or the month's last. */
export function addLocalMonths(ms: number, months: number, zone = LONDON): number {
  const t = toLocal(ms, zone);
  const first = new Date(Date.UTC(t.year, t.month - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return fromLocal({ ...t, year: first.getUTCFullYear(), month: first.getUTCMonth() + 1, day: Math.min(t.day, last) }, zone);
}

/** Whole calendar days from the local date of `a` to that of `b`. */
export function localDaysBetween(a: number, b: number, zone = LONDON): number {
  const x = toLocal(a, zone);
  const y = toLocal(b, zone);
  return Math.round((Date.UTC(y.year, y.month - 1, y.day) - Date.UTC(x.year, x.month - 1, x.day)) / 86_400_000);
}
