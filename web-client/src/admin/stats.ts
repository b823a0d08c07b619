// Pure helpers over the statistics the server keeps: hourly (and daily)
// buckets of counts and wait-time histograms. Counts only — there is no
// per-GP record anywhere to show.

/** Wait histogram bounds in seconds, as written by the server (offer_accept.lua). */
import { formatClock } from '../shared/datetime';
export const WAIT_BOUNDS = [10, 30, 60, 120, 300, 600, 1200, 1800, 3600];

export type Bucket = Record<string, number>;

export interface HourBucket extends Bucket {
  hour_start_ms: number;
}
export interface DayBucket extends Bucket {
  day_start_ms: number;
}

export interface Quantiles {
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export interface StatsResponse {
  live: unknown;
  this_hour: Bucket & { wait_s?: Partial<Quantiles>; conversation_s?: Partial<Quantiles> };
  hours: HourBucket[];
  days?: DayBucket[];
  /** The time zone whose calendar days `days` sums (absent from older servers: UTC). */
  timezone?: string;
}

export function count(b: Bucket | undefined, key: string): number {
  const v = b?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/**
 * The q-quantile as the bucket's upper bound (the same rule as the server's
 * estimates::histogram_quantile): null when there is no data, and
 * Infinity when it lies above the last bound.
 */
export function histogramQuantile(b: Bucket | undefined, q: number, bounds = WAIT_BOUNDS, prefix = 'wait_le_'): number | null {
  const counts = bounds.map((x) => count(b, `${prefix}${x}`));
  counts.push(count(b, `${prefix}inf`));
  const total = counts.reduce((a, c) => a + c, 0);
  if (total === 0 || q <= 0 || q > 1) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < bounds.length; i++) {
    seen += counts[i];
    if (seen >= rank) return bounds[i];
  }
  return Infinity;
}

export function waitSamples(b: Bucket | undefined): number {
  return WAIT_BOUNDS.reduce((a, x) => a + count(b, `wait_le_${x}`), count(b, 'wait_le_inf'));
}

/** "≤ 2 min", "> 1 h", "—". */
export function formatBound(v: number | null): string {
  if (v === null) return '—';
  if (v === Infinity) return `> ${formatShort(WAIT_BOUNDS[WAIT_BOUNDS.length - 1])}`;
  return `≤ ${formatShort(v)}`;
}

export function formatShort(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 360) / 10} h`;
}

/** Requests that ended without a conversation, as a share of those that ended either way. */
export function abandonmentRate(b: Bucket | undefined): number | null {
  const abandoned = count(b, 'abandoned');
  const matched = count(b, 'matched');
  const total = abandoned + matched;
  return total === 0 ? null : abandoned / total;
}

/** "1 GP", "2 GPs", "1 offer", "3 offers". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function formatPercent(r: number | null): string {
  return r === null ? '—' : `${Math.round(r * 100)}%`;
}

/** True when no bucket has any count at all (the service has not been used yet). */
export function isEmpty(buckets: Bucket[], keys: string[]): boolean {
  return buckets.every((b) => keys.every((k) => count(b, k) === 0));
}

export const OFFER_OUTCOMES: { key: string; label: string }[] = [
  { key: 'offers_accepted', label: 'Accepted' },
  { key: 'offers_declined', label: 'Declined' },
  { key: 'offers_timed_out', label: 'Missed (timed out)' },
];

/** The two feedback questions (feedback_record.lua's counters). */
export const FEEDBACK_QUESTIONS: { key: string; title: string; answers: { key: string; label: string }[] }[] = [
  {
    key: 'feedback-helped',
    title: 'Feedback: did talking help?',
    answers: [
      { key: 'feedback_helped_yes', label: 'Yes' },
      { key: 'feedback_helped_somewhat', label: 'Somewhat' },
      { key: 'feedback_helped_no', label: 'No' },
    ],
  },
  {
    key: 'feedback-stay',
    title: 'Feedback: more or less likely to stay in general practice?',
    answers: [
      { key: 'feedback_stay_more', label: 'More likely' },
      { key: 'feedback_stay_same', label: 'No change' },
      { key: 'feedback_stay_less', label: 'Less likely' },
    ],
  },
];

export const ABANDON_REASONS: Record<string, string> = {
  abandoned_left: 'left the queue',
  abandoned_max_wait: 'reached the longest wait',
  abandoned_disconnected: 'connection lost',
  abandoned_node_lost: 'server node lost',
};

/** Oldest first, for charts that read left to right. */
export function chronological<T extends Bucket>(buckets: T[], key: 'hour_start_ms' | 'day_start_ms'): T[] {
  return [...buckets].sort((a, b) => count(a, key) - count(b, key));
}

/** "14:00" in the service's time zone (src/shared/datetime.ts). */
export function hourLabel(ms: number): string {
  return formatClock(ms);
}

/**
 * "7 Dec" for a day that starts at `ms` in `zone`: the server sums the days
 * of the service's time zone and names that zone in the reply (UTC from an
 * older server).
 */
export function dayLabel(ms: number, zone = 'UTC'): string {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: zone }).format(ms);
}
