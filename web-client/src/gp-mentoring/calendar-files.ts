// The GP's calendar files, made on this device (session-calendar.ts): one
// session or the whole series, with a reminder; UIDs from the key's calendar
// id, so a file downloaded again replaces the events, and sessions cancelled
// in this tab written as cancelled so calendars drop them. The server never
// sees them or holds an address to send reminders to.
import { calendarId } from '../mentoring/relationship-key';
import { type CalendarSession, icsFileName, sessionsToIcs } from '../mentoring/session-calendar';
import { $ } from '../shared/dom';
import { offerDownload } from '../shared/download';
import type { BookingJson, RelationshipJson } from '../shared/mentoring-api';
import { m } from './state';

/**
 * The .ics for `sessions` (one, or the whole series with the sessions
 * cancelled in this tab marked so calendars drop them). UIDs come from the
 * key's calendar id, so a file downloaded again replaces the events.
 */
export function icsFor(sessions: CalendarSession[], r: RelationshipJson, nowMs: number, joinUrl?: string): string {
  const total = Math.max(r.bookings.length + (r.sessions_remaining ?? 0), ...sessions.map((x) => x.number));
  return sessionsToIcs(sessions, {
    seriesId: calendarId(m.key!), seriesLength: total, nowMs, times: 'london', mentorName: r.mentor?.display_name, joinUrl,
  });
}

const toCalendar = (x: BookingJson, cancelled = false): CalendarSession =>
  ({ number: x.number, startMs: x.start_ms, endMs: x.end_ms, revision: x.revision, cancelled });

function joinUrl(): string | undefined {
  const u = `${location.origin}/mentoring.html`;
  const local = location.protocol === 'http:' && ['127.0.0.1', 'localhost'].includes(location.hostname);
  return location.protocol === 'https:' || local ? u : undefined;
}

/** Offers the .ics of `bookings` (and of `cancelled`, marked so), made on this device. */
export function downloadSessions(bookings: BookingJson[], cancelled: BookingJson[] = []): void {
  const r = m.relationship!;
  const list = [...bookings.map((x) => toCalendar(x)), ...cancelled.filter((c) => !bookings.some((b) => b.number === c.number)).map((x) => toCalendar(x, true))];
  if (list.length === 0) return;
  offerDownload(icsFor(list, r, Date.now(), joinUrl()), icsFileName(list), 'text/calendar');
}

$('ics-all').addEventListener('click', () => {
  if (m.relationship) downloadSessions(m.relationship.bookings, [...m.cancelled.values()]);
});

