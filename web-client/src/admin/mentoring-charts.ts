// The dashboard's mentoring figures (GET /api/admin/mentoring) as chart
// specifications for ChartsView, beside the queue's charts: each mentor's
// load (active relationships, sessions this month, requests waiting and the
// oldest one's wait), series completed and ended early by reason, and the
// outcome answers. Counts only: the server sends nothing about any GP.
import { formatDuration } from '../shared/dom';
import { END_REASONS, type MentoringStatsJson, OUTCOMES } from '../shared/mentoring-api';
import { plural } from './stats';

/** The parts of a chart specification this module fills in (charts-view.ts ChartSpec). */
export interface MentoringChartSpec {
  key: string;
  title: string;
  description: string;
  emptyText: string;
  kind: 'bar';
  stacked?: boolean;
  yTitle: string;
  labels: string[];
  series: { label: string; values: (number | null)[]; text?: (string | number)[] }[];
  /** How many of the series are drawn (the rest are in the table only). */
  plotted?: number;
  empty: boolean;
  summary: string;
}

const OUTCOME_LABELS: Record<string, string> = {
  stayed_in_practice: 'Stayed in practice',
  changed_how_i_work: 'Changed how they work',
  left: 'Left general practice',
  prefer_not_to_say: 'Preferred not to say',
};

export function mentoringSpecs(m: MentoringStatsJson): MentoringChartSpec[] {
  const names = m.mentors.map((x) => x.display_name || x.username);
  const waits = m.mentors.map((x) => x.oldest_request_wait_s ?? null);
  const endedLabels = END_REASONS.map(([k, l]) => [k, l] as const).filter(([k]) => k !== 'completed');
  const ended = (k: string) => m.ended_early?.[k] ?? 0;
  const endedTotal = Object.values(m.ended_early ?? {}).reduce((a, b) => a + b, 0);
  const outcomeKeys = OUTCOMES.map(([k]) => k);
  const outcomeTotal = outcomeKeys.reduce((a, k) => a + (m.outcomes[k] ?? 0), 0);
  const oldest = m.oldest_request_wait_s;
  return [
    {
      key: 'mentor-load',
      title: 'Mentors and their load',
      description: 'Per mentor: relationships active now, sessions booked this month, and requests waiting for an answer.',
      emptyText: 'No mentor yet: grant the mentor capability to a certified listener under Accounts.',
      kind: 'bar',
      yTitle: 'count',
      labels: names,
      series: [
        { label: 'Active relationships', values: m.mentors.map((x) => x.active_relationships) },
        { label: 'Sessions this month', values: m.mentors.map((x) => x.sessions_this_month) },
        { label: 'Requests waiting', values: m.mentors.map((x) => x.requests_waiting) },
        { label: 'Oldest request waiting', values: waits, text: waits.map((w) => (w === null ? '—' : formatDuration(w))) },
      ],
      plotted: 3,
      empty: m.mentors.length === 0,
      summary: `${plural(m.mentors.length, 'mentor')}, ${plural(m.relationships_active, 'active relationship')}, `
        + `${plural(m.requests_waiting, 'request')} waiting${oldest !== undefined && m.requests_waiting > 0 ? ` (the oldest for ${formatDuration(oldest)})` : ''}.`,
    },
    {
      key: 'mentoring-series',
      title: 'Mentoring series completed and ended early',
      description: 'Series completed, and relationships a mentor ended early, by the reason given (only counted).',
      emptyText: 'No mentoring series has finished yet.',
      kind: 'bar',
      yTitle: 'relationships',
      labels: ['Completed', ...endedLabels.map(([, l]) => `Ended early: ${l.toLowerCase()}`)],
      series: [{ label: 'Relationships', values: [m.series_completed, ...endedLabels.map(([k]) => ended(k))] }],
      empty: m.series_completed === 0 && endedTotal === 0,
      summary: `${plural(m.series_completed, 'series', 'series')} completed, ${endedTotal} ended early.`,
    },
    {
      key: 'mentoring-outcomes',
      title: 'Mentoring outcomes',
      description: 'GPs\' anonymous answers after their last session (counts only, never linked to a GP or a mentor).',
      emptyText: 'No answers yet: no GP has answered the question after a series.',
      kind: 'bar',
      yTitle: 'answers',
      labels: outcomeKeys.map((k) => OUTCOME_LABELS[k]),
      series: [{ label: 'Answers', values: outcomeKeys.map((k) => m.outcomes[k] ?? 0) }],
      empty: outcomeTotal === 0,
      summary: `${plural(outcomeTotal, 'answer')}: ${outcomeKeys.map((k) => `${m.outcomes[k] ?? 0} ${OUTCOME_LABELS[k].toLowerCase()}`).join(', ')}.`,
    },
  ];
}
