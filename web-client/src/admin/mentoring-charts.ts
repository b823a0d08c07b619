// The dashboard's mentoring figures (GET /api/admin/mentoring) as chart
// specifications for ChartsView, beside the queue's charts: each mentor's
// load (active relationships, sessions this month, requests waiting and the
// oldest one's wait), requests and how they were answered, and, once the
// server counts them, series completed and ended early by reason and the
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
  const oldest = m.oldest_request_wait_s;
  const count = (k: string) => m.counts?.[k] ?? 0;
  const specs: MentoringChartSpec[] = [
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
      key: 'mentoring-requests',
      title: 'Mentoring requests and answers',
      description: 'Since counting began: requests from GPs, accepted, offers a mentor declined or did not answer in time (the request then passed on), and requests every choice declined.',
      emptyText: 'No GP has asked for mentoring yet.',
      kind: 'bar',
      yTitle: 'count',
      labels: ['Requests from GPs', 'Accepted', 'Offers declined', 'Offers not answered in time', 'Declined by every choice'],
      series: [{ label: 'Count', values: ['requests', 'accepted', 'offers_declined', 'offers_expired', 'requests_declined'].map(count) }],
      empty: count('requests') === 0,
      summary: `${plural(count('requests'), 'request')} from GPs: ${count('accepted')} accepted, ${plural(count('offers_declined'), 'offer')} declined, `
        + `${plural(count('offers_expired'), 'offer')} not answered in time, ${count('requests_declined')} declined by every choice.`,
    },
  ];
  // A server that reports series_completed also counts relationships ended
  // early (counts.ended_early_<reason>) and the outcome answers
  // (counts.outcome_<answer>), PROTOCOL.md 10.7; an older one has none of them.
  if (m.series_completed !== undefined) {
    const endedLabels = END_REASONS.filter(([k]) => k !== 'completed');
    const ended = (k: string) => count(`ended_early_${k}`);
    const endedTotal = END_REASONS.reduce((a, [k]) => a + ended(k), 0);
    const completed = m.series_completed ?? 0;
    specs.push({
      key: 'mentoring-series',
      title: 'Mentoring series completed and ended early',
      description: 'Series completed, and relationships a mentor ended early, by the reason given (only counted).',
      emptyText: 'No mentoring series has finished yet.',
      kind: 'bar',
      yTitle: 'relationships',
      labels: ['Completed', ...endedLabels.map(([, l]) => `Ended early: ${l.toLowerCase()}`)],
      series: [{ label: 'Relationships', values: [completed, ...endedLabels.map(([k]) => ended(k))] }],
      empty: completed === 0 && endedTotal === 0,
      summary: `${plural(completed, 'series', 'series')} completed, ${endedTotal} ended early.`,
    });
  }
  if (m.series_completed !== undefined) {
    const keys = OUTCOMES.map(([k]) => k);
    const answers = (k: string) => count(`outcome_${k}`);
    const total = keys.reduce((a, k) => a + answers(k), 0);
    specs.push({
      key: 'mentoring-outcomes',
      title: 'Mentoring outcomes',
      description: 'GPs\' anonymous answers after their last session (counts only, never linked to a GP or a mentor).',
      emptyText: 'No answers yet: no GP has answered the question after a series.',
      kind: 'bar',
      yTitle: 'answers',
      labels: keys.map((k) => OUTCOME_LABELS[k]),
      series: [{ label: 'Answers', values: keys.map(answers) }],
      empty: total === 0,
      summary: `${plural(total, 'answer')}: ${keys.map((k) => `${answers(k)} ${OUTCOME_LABELS[k].toLowerCase()}`).join(', ')}.`,
    });
  }
  return specs;
}
