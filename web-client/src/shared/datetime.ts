// The one date and time formatter of the web client: British English,
// 24-hour clock, in the service's time zone (Europe/London unless the server
// names another), with the year only when it is not the current year (so
// "Friday 1 January 2027" cannot be mistaken for this January).
export const SERVICE_TIME_ZONE = 'Europe/London';

let zone = SERVICE_TIME_ZONE;

/** Sets the zone every formatter below uses (the server's rota time zone). */
export function setTimeZone(tz: string | undefined): void {
  if (!tz) return;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    zone = tz;
  } catch {
    /* an unknown zone name: keep the current one */
  }
}

export function timeZone(): string {
  return zone;
}

function yearOf(ms: number): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric' }).format(ms));
}

function withYear(ms: number, now: number): boolean {
  return yearOf(ms) !== yearOf(now);
}

/** "Friday 11 December" (or "Friday 1 January 2027" in another year). */
export function formatDate(ms: number, now = Date.now()): string {
  // Weekday and date formatted apart: with a year, en-GB would put a comma
  // after the weekday ("Friday, 1 January 2027") but not without one.
  const weekday = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'long' }).format(ms);
  const date = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, day: 'numeric', month: 'long', year: withYear(ms, now) ? 'numeric' : undefined,
  }).format(ms);
  return `${weekday} ${date}`;
}

/** "14:05", or "14:05:09" with `withSeconds`. */
export function formatClock(ms: number, withSeconds = false): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, hour: '2-digit', minute: '2-digit', second: withSeconds ? '2-digit' : undefined, hourCycle: 'h23',
  }).format(ms);
}

/** "Friday 11 December, 14:05" (with the year when it is not this year). */
export function formatDateTime(ms: number, now = Date.now()): string {
  return `${formatDate(ms, now)}, ${formatClock(ms)}`;
}

/** "14:05" today, else the date and time. */
export function formatWhen(ms: number, now = Date.now()): string {
  const day = (t: number) => new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'short' }).format(t);
  return day(ms) === day(now) ? formatClock(ms) : formatDateTime(ms, now);
}
