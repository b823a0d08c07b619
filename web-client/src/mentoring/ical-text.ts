// The text layer of iCalendar (RFC 5545 section 3.1 and 3.3): escaping TEXT
// values, folding content lines at 75 octets, CRLF line ends, and date-times
// in UTC or as local time in a named zone. Written here rather than taken
// from the `ics` package: ics 3.12 folds at 75 characters, not octets (a
// line of accented text came out at 109 octets), and writes no TZID or
// VTIMEZONE (docs/WEB-CLIENT.md, "Mentoring building blocks").

const encoder = new TextEncoder();

/** RFC 5545 3.3.11: backslash, semicolon, comma and line breaks escaped; other control characters dropped. */
export function escapeText(s: string): string {
  return s
    .replace(/\r\n|\r/g, '\n')
    // Control characters other than the line break are not allowed in TEXT.
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\n/g, '\\n');
}

/**
 * One content line folded (RFC 5545 3.1): no physical line longer than 75
 * octets without its CRLF; each continuation starts with one space, which
 * counts towards the 75. A UTF-8 sequence is never split.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const n = encoder.encode(ch).length;
    if (octets + n > 75) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += n;
  }
  out.push(current);
  return out.join('\r\n');
}

/** Content lines folded and joined with CRLF, with a final CRLF. */
export function joinLines(lines: string[]): string {
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `20261024T080000Z` (RFC 5545 3.3.5, form 2: UTC). Seconds kept, milliseconds dropped. */
export function utcDateTime(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new RangeError('not a time');
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T`
    + `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

/** The wall-clock fields of `ms` in `timeZone`. */
function wallClock(ms: number, timeZone: string): number[] {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(ms);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return [get('year'), get('month'), get('day'), get('hour'), get('minute'), get('second')];
}

/**
 * `20261024T090000` for use with `TZID=timeZone` (RFC 5545 3.3.5, form 3), or
 * null when that local time does not name `ms` alone: in the hour repeated
 * when clocks go back, RFC 5545 would read it as the first of the two. The
 * caller then writes UTC. (An instant never falls in the skipped hour.)
 */
export function localDateTime(ms: number, timeZone: string): string | null {
  const [y, mo, d, h, mi, s] = wallClock(ms, timeZone);
  const text = `${pad(y, 4)}${pad(mo)}${pad(d)}T${pad(h)}${pad(mi)}${pad(s)}`;
  // The same wall clock one hour before or after is the other reading of an
  // ambiguous local time (UK changes are one hour).
  const seconds = Math.floor(ms / 1000) * 1000;
  for (const other of [seconds - 3_600_000, seconds + 3_600_000]) {
    if (wallClock(other, timeZone).join() === [y, mo, d, h, mi, s].join()) return null;
  }
  return text;
}
