// Mentoring sessions as an iCalendar file (RFC 5545), made in the GP's
// browser so that reminders come from the GP's own calendar and the server
// never holds an address (issue 15). One session or the whole series, each
// with a reminder alarm (VALARM), in UTC or as Europe/London local time with
// its VTIMEZONE. What goes in is only what the GP chose to book: times, the
// session's number, optionally the mentor's display name and the service's
// address. Nothing that identifies the GP, and never the relationship key or
// token (the join link may not carry a query or fragment).
import { escapeText, joinLines, localDateTime, utcDateTime } from './ical-text';

export const PRODID = '-//Peerline//Mentoring//EN';
export const LONDON = 'Europe/London';
export const MAX_SESSIONS = 24;
export const MAX_TEXT_CHARS = 500;
/** Four weeks: the longest reminder lead allowed. */
export const MAX_REMINDER_MINUTES = 40_320;

export interface CalendarSession {
  /** 1-based place in the series; with the series id it makes the stable UID. */
  number: number;
  startMs: number;
  endMs: number;
  /** Raised each time the session moves, so calendars replace the old copy (RFC 5545 SEQUENCE). */
  revision?: number;
  cancelled?: boolean;
}

export interface CalendarOptions {
  /**
   * An opaque id of the series, the same on every download (relationship-key.ts
   * calendarId): 16 to 64 characters of [A-Za-z0-9_-]. Never the relationship
   * token or the server's id of the relationship.
   */
  seriesId: string;
  /** Sessions in the whole series (for "session 2 of 4"). */
  seriesLength: number;
  /** DTSTAMP: when the file is made (passed in; tests drive it). */
  nowMs: number;
  /** 'utc' (default) or 'london': local times with TZID=Europe/London. */
  times?: 'utc' | 'london';
  /** Minutes before the start for the reminder (default 60; 0 = at the start). */
  reminderMinutes?: number;
  /** Shown as "with NAME". */
  mentorName?: string;
  /** The page to open at the time, e.g. https://peerline.example/ (no query, no fragment). */
  joinUrl?: string;
}

export class CalendarError extends Error {
  constructor(readonly code: 'bad_series' | 'bad_session' | 'bad_text' | 'bad_url' | 'bad_reminder', message: string) {
    super(message);
    this.name = 'CalendarError';
  }
}

const SERIES_ID = /^[A-Za-z0-9_-]{16,64}$/;

function checkText(label: string, s: string | undefined): void {
  if (s !== undefined && (typeof s !== 'string' || s.length > MAX_TEXT_CHARS)) {
    throw new CalendarError('bad_text', `${label} is text of at most ${MAX_TEXT_CHARS} characters.`);
  }
}

function checkUrl(url: string | undefined): void {
  if (url === undefined) return;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CalendarError('bad_url', 'The join link is not an address.');
  }
  const local = u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost');
  if (u.protocol !== 'https:' && !local) throw new CalendarError('bad_url', 'The join link must be https.');
  if (u.search || u.hash || u.username || u.password || url.length > MAX_TEXT_CHARS) {
    throw new CalendarError('bad_url', 'The join link may not carry a query, fragment or credentials.');
  }
}

function check(sessions: CalendarSession[], o: CalendarOptions): void {
  if (!SERIES_ID.test(o.seriesId)) throw new CalendarError('bad_series', 'The series id is 16–64 characters of A–Z, a–z, 0–9, _ and -.');
  if (!Number.isInteger(o.seriesLength) || o.seriesLength < 1 || o.seriesLength > MAX_SESSIONS) {
    throw new CalendarError('bad_series', `A series has 1 to ${MAX_SESSIONS} sessions.`);
  }
  if (sessions.length < 1 || sessions.length > o.seriesLength) throw new CalendarError('bad_series', 'No session, or more than the series has.');
  if (!Number.isFinite(o.nowMs)) throw new CalendarError('bad_series', 'The time the file is made is needed.');
  const r = o.reminderMinutes ?? 60;
  if (!Number.isInteger(r) || r < 0 || r > MAX_REMINDER_MINUTES) {
    throw new CalendarError('bad_reminder', `A reminder is 0 to ${MAX_REMINDER_MINUTES} minutes before.`);
  }
  checkText('The mentor\'s name', o.mentorName);
  checkUrl(o.joinUrl);
  const seen = new Set<number>();
  for (const s of sessions) {
    if (!Number.isInteger(s.number) || s.number < 1 || s.number > o.seriesLength || seen.has(s.number)) {
      throw new CalendarError('bad_session', `Session numbers are 1 to ${o.seriesLength}, each once.`);
    }
    seen.add(s.number);
    if (!Number.isFinite(s.startMs) || !Number.isFinite(s.endMs) || s.endMs <= s.startMs) {
      throw new CalendarError('bad_session', `Session ${s.number} must end after it starts.`);
    }
    if (s.revision !== undefined && (!Number.isInteger(s.revision) || s.revision < 0 || s.revision > 10_000)) {
      throw new CalendarError('bad_session', `Session ${s.number} has a revision that is not a small whole number.`);
    }
  }
}

// Europe/London since 1996 (EU rules): BST from 01:00 UTC on the last Sunday
// of March to 01:00 UTC on the last Sunday of October. Each DTSTART is the
// local time, before the change, of the first such Sunday on or after 1970.
const LONDON_VTIMEZONE = [
  'BEGIN:VTIMEZONE', `TZID:${LONDON}`,
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0000', 'TZOFFSETTO:+0100', 'TZNAME:BST',
  'DTSTART:19700329T010000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0000', 'TZNAME:GMT',
  'DTSTART:19701025T020000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
  'END:VTIMEZONE',
];

/** DTSTART and DTEND, both local with TZID or, if either local time is ambiguous, both UTC. */
function timeProperties(s: CalendarSession, times: 'utc' | 'london'): string[] {
  if (times === 'london') {
    const start = localDateTime(s.startMs, LONDON);
    const end = localDateTime(s.endMs, LONDON);
    if (start && end) return [`DTSTART;TZID=${LONDON}:${start}`, `DTEND;TZID=${LONDON}:${end}`];
  }
  return [`DTSTART:${utcDateTime(s.startMs)}`, `DTEND:${utcDateTime(s.endMs)}`];
}

function eventLines(s: CalendarSession, o: CalendarOptions, times: 'utc' | 'london'): string[] {
  const title = `Peer mentoring session ${s.number} of ${o.seriesLength}${o.mentorName ? ` with ${o.mentorName}` : ''}`;
  const details = [
    'Open Peerline at the time with your relationship key to join your mentor.',
    o.joinUrl ? `Join at ${o.joinUrl}` : '',
  ].filter(Boolean).join('\n');
  const reminder = o.reminderMinutes ?? 60;
  return [
    'BEGIN:VEVENT',
    `UID:${o.seriesId}-${s.number}`,
    `DTSTAMP:${utcDateTime(o.nowMs)}`,
    ...timeProperties(s, times),
    `SEQUENCE:${s.revision ?? 0}`,
    `STATUS:${s.cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
    `SUMMARY:${escapeText(title)}`,
    `DESCRIPTION:${escapeText(details)}`,
    ...(o.joinUrl ? [`URL:${o.joinUrl}`] : []),
    'TRANSP:OPAQUE',
    'CLASS:PRIVATE',
    ...(s.cancelled ? [] : [
      'BEGIN:VALARM', 'ACTION:DISPLAY', `DESCRIPTION:${escapeText(title)}`,
      `TRIGGER;RELATED=START:${reminder === 0 ? 'PT0M' : `-PT${reminder}M`}`, 'END:VALARM',
    ]),
    'END:VEVENT',
  ];
}

/**
 * An .ics file (text/calendar, UTF-8, CRLF) of `sessions`, which may be one
 * session or all of them; cancelled sessions are written with
 * STATUS:CANCELLED so a calendar that has them removes them. Throws
 * CalendarError for bad input.
 */
export function sessionsToIcs(sessions: CalendarSession[], o: CalendarOptions): string {
  check(sessions, o);
  const times = o.times ?? 'utc';
  const sorted = [...sessions].sort((a, b) => a.number - b.number);
  const events = sorted.flatMap((s) => eventLines(s, o, times));
  const zone = times === 'london' && events.some((l) => l.includes(`TZID=${LONDON}`)) ? LONDON_VTIMEZONE : [];
  return joinLines([
    'BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${PRODID}`, 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH',
    ...zone, ...events, 'END:VCALENDAR',
  ]);
}

/** The file name to offer: "mentoring-session-2.ics" or "mentoring-sessions.ics". */
export function icsFileName(sessions: CalendarSession[]): string {
  return sessions.length === 1 ? `mentoring-session-${sessions[0].number}.ics` : 'mentoring-sessions.ics';
}
