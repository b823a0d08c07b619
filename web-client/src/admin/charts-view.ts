// Charts over the last 24 hours (hourly buckets) and 30 days (daily sums),
// drawn by Chart.js on canvas (nothing injected into the page's styles, so it
// runs under style-src 'self'). Every chart has a table with the same numbers,
// and an honest "no data yet" when there is nothing to draw.

import { formatClock } from '../shared/datetime';
import {
  Chart,
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Legend,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { h, clear } from '../shared/dom';
import type { MentoringStatsJson } from '../shared/mentoring-api';
import { mentoringSpecs } from './mentoring-charts';
import {
  type Bucket,
  type StatsResponse,
  ABANDON_REASONS,
  FEEDBACK_QUESTIONS,
  OFFER_OUTCOMES,
  WAIT_BOUNDS,
  abandonmentRate,
  chronological,
  count,
  dayLabel,
  formatBound,
  formatPercent,
  histogramQuantile,
  hourLabel,
  isEmpty,
  plural,
  waitSamples,
} from './stats';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

// Colours with at least 3:1 contrast against white (WCAG 1.4.11).
const COLOURS = ['#1f5f99', '#b34700', '#6b3fa0', '#2e6b30', '#a3142a'];
const CAP_S = WAIT_BOUNDS[WAIT_BOUNDS.length - 1];

type Period = 'hours' | 'days';

interface Series {
  label: string;
  values: (number | null)[];
  text?: (string | number)[];
}

interface ChartSpec {
  key: string;
  title: string;
  description: string;
  emptyText: string;
  kind: 'bar' | 'line';
  stacked?: boolean;
  yTitle: string;
  yMax?: number;
  yTick?: (v: number) => string;
  labels: string[];
  series: Series[];
  /** How many series are drawn; the rest are in the table only (all when unset). */
  plotted?: number;
  empty: boolean;
  summary: string;
}

export class ChartsView {
  private charts: Chart[] = [];
  private period: Period = 'hours';
  private stats: StatsResponse | null = null;
  private daysSupported = true;
  private body: HTMLElement;
  private status: HTMLElement;
  private visible = false;
  /** Peer mentoring's figures, below the queue's charts (no period: they are counts as of now). */
  private mentoringBody: HTMLElement;
  private mentoringStatus: HTMLElement;
  private mentoringCharts: Chart[] = [];
  private mentoring: MentoringStatsJson | null = null;
  /** Asks for fresh statistics (the "Refresh" button). */
  onRefresh: () => void = () => {};

  constructor(root: HTMLElement) {
    this.body = h('div', { class: 'charts' });
    this.status = h('p', { class: 'status-line', role: 'status', 'aria-live': 'polite' }, 'Loading statistics…');
    const radio = (value: Period, label: string) => {
      const input = h('input', {
        type: 'radio',
        name: 'chart-period',
        id: `period-${value}`,
        value,
        checked: value === this.period,
        onchange: () => {
          this.period = value;
          this.render();
        },
      });
      return h('span', { class: 'radio' }, input, h('label', { for: `period-${value}` }, label));
    };
    root.append(
      h('h1', { id: 'charts-title', tabindex: '-1' }, 'Charts'),
      h(
        'fieldset',
        { class: 'period' },
        h('legend', {}, 'Period'),
        radio('hours', 'Last 24 hours (hourly)'),
        radio('days', 'Last 30 days (daily)'),
      ),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button secondary', onclick: () => this.onRefresh() }, 'Refresh now')),
      this.status,
      this.body,
    );
    this.mentoringBody = h('div', { class: 'charts' });
    this.mentoringStatus = h('p', { class: 'status-line', role: 'status', 'aria-live': 'polite' }, 'Loading mentoring figures…');
    root.append(h('section', { class: 'mentoring-charts', 'aria-labelledby': 'mentoring-charts-title' },
      h('h2', { id: 'mentoring-charts-title' }, 'Peer mentoring'),
      this.mentoringStatus,
      this.mentoringBody));
  }

  /** The mentoring figures, or why there are none (null with a message). */
  showMentoring(stats: MentoringStatsJson | null, message?: string): void {
    this.mentoring = stats;
    this.mentoringStatus.textContent = stats
      ? `Mentoring figures as of ${formatClock(Date.now())}. Counts only: nothing identifies a GP.` : message ?? '';
    this.mentoringStatus.classList.toggle('error', !stats && !!message);
    if (this.visible) this.renderMentoring();
  }

  private renderMentoring(): void {
    for (const c of this.mentoringCharts) c.destroy();
    this.mentoringCharts = [];
    clear(this.mentoringBody);
    if (!this.mentoring) return;
    for (const spec of mentoringSpecs(this.mentoring)) this.mentoringBody.append(this.figure(spec, this.mentoringCharts));
  }

  setVisible(v: boolean): void {
    this.visible = v;
    if (v) {
      this.render();
      this.renderMentoring();
    }
  }

  update(stats: StatsResponse, daysSupported: boolean): void {
    this.stats = stats;
    this.daysSupported = daysSupported;
    const t = formatClock(Date.now());
    this.status.textContent = `Statistics as of ${t}. Counts only: no per-GP records exist.`;
    this.status.classList.remove('error');
    if (this.visible) this.render();
  }

  showError(message: string): void {
    this.status.textContent = message;
    this.status.classList.add('error');
  }

  private destroy(): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
  }

  render(): void {
    if (!this.stats) return;
    this.destroy();
    clear(this.body);
    let buckets: Bucket[];
    let labels: string[];
    let unit: string;
    if (this.period === 'hours') {
      const hours = chronological(this.stats.hours ?? [], 'hour_start_ms');
      buckets = hours;
      labels = hours.map((b) => hourLabel(b.hour_start_ms));
      unit = 'hour';
    } else {
      if (!this.daysSupported || !this.stats.days) {
        this.body.append(
          h('p', { class: 'empty', 'data-empty': 'days' },
            'This server does not provide 30-day statistics yet (GET /api/admin/stats?days=30).'),
        );
        return;
      }
      const days = chronological(this.stats.days, 'day_start_ms');
      buckets = days;
      labels = days.map((b) => dayLabel(b.day_start_ms, this.stats?.timezone));
      unit = 'day';
    }
    const periodText = this.period === 'hours' ? 'the last 24 hours' : 'the last 30 days';
    for (const spec of this.specs(buckets, labels, unit, periodText)) {
      if (this.period === 'days') spec.description += ' Days run from midnight to midnight UTC.';
      this.body.append(this.figure(spec, this.charts));
    }
  }

  private specs(buckets: Bucket[], labels: string[], unit: string, periodText: string): ChartSpec[] {
    const waitKeys = [...WAIT_BOUNDS.map((b) => `wait_le_${b}`), 'wait_le_inf'];
    const q = (p: number) => buckets.map((b) => histogramQuantile(b, p));
    const p50 = q(0.5);
    const p90 = q(0.9);
    // Seconds while every wait is short, minutes otherwise.
    const longest = Math.max(0, ...p90.filter((v): v is number => v !== null).map((v) => Math.min(v, CAP_S)));
    const inMinutes = longest > 120;
    const scale = inMinutes ? 60 : 1;
    const plot = (v: number | null) => (v === null ? null : Math.min(v, CAP_S) / scale);
    const gps = (n: number) => plural(n, 'GP');
    const total = (key: string) => buckets.reduce((a, b) => a + count(b, key), 0);
    const allWaits: Bucket = {};
    for (const k of waitKeys) allWaits[k] = total(k);
    const reasons = Object.keys(ABANDON_REASONS);
    const otherAbandoned = buckets.map(
      (b) => count(b, 'abandoned') - reasons.reduce((a, r) => a + count(b, r), 0),
    );
    const hasOther = otherAbandoned.some((v) => v > 0);
    const rate = abandonmentRate({ abandoned: total('abandoned'), matched: total('matched') });

    return [
      {
        key: 'waits',
        title: 'Waits before a listener accepted',
        description: `Median and 90th percentile wait per ${unit}, in ${inMinutes ? 'minutes' : 'seconds'} (the upper bound of the histogram bucket${inMinutes ? '; 60 means an hour or more' : ''}).`,
        emptyText: `No data yet: no GP has been connected to a listener in ${periodText}.`,
        kind: 'line',
        yTitle: inMinutes ? 'minutes' : 'seconds',
        yTick: inMinutes ? (v) => (v >= CAP_S / 60 ? '60+' : String(v)) : undefined,
        labels,
        series: [
          { label: 'Median wait', values: p50.map(plot), text: p50.map(formatBound) },
          { label: '90th percentile', values: p90.map(plot), text: p90.map(formatBound) },
          { label: 'GPs connected', values: buckets.map((b) => waitSamples(b)) },
        ],
        empty: waitSamples(allWaits) === 0,
        summary: `Over ${periodText}, ${gps(waitSamples(allWaits))} connected to a listener; median wait ${formatBound(
          histogramQuantile(allWaits, 0.5),
        )}, 90th percentile ${formatBound(histogramQuantile(allWaits, 0.9))}.`,
      },
      {
        key: 'demand',
        title: `Demand by ${unit}`,
        description: `GPs who asked to talk, per ${unit}; urgent requests shown separately.`,
        emptyText: `No data yet: no GP has asked to talk in ${periodText}.`,
        kind: 'bar',
        yTitle: 'requests',
        labels,
        series: [
          { label: 'Requests', values: buckets.map((b) => count(b, 'requests')) },
          { label: 'of which urgent', values: buckets.map((b) => count(b, 'requests_urgent')) },
        ],
        empty: isEmpty(buckets, ['requests']),
        summary: `${plural(total('requests'), 'request')} to talk in ${periodText}, ${total('requests_urgent')} urgent.`,
      },
      {
        key: 'abandonment',
        title: 'Abandonment',
        description: `GPs who left the queue before being connected, per ${unit}, by reason.`,
        emptyText: `No data yet: no GP has left the queue or been connected in ${periodText}.`,
        kind: 'bar',
        stacked: true,
        yTitle: 'GPs',
        labels,
        series: [
          ...reasons.map((r) => ({
            label: ABANDON_REASONS[r],
            values: buckets.map((b) => count(b, r)),
          })),
          ...(hasOther ? [{ label: 'other', values: otherAbandoned }] : []),
        ],
        empty: isEmpty(buckets, ['abandoned', 'matched']),
        summary: `${gps(total('abandoned'))} left before being connected and ${gps(total('matched'))} connected in ${periodText}: abandonment ${formatPercent(rate)}.`,
      },
      {
        key: 'offers',
        title: 'Offer outcomes',
        description: `What happened to offers made to listeners, per ${unit}.`,
        emptyText: `No data yet: no offer has been made to a listener in ${periodText}.`,
        kind: 'bar',
        stacked: true,
        yTitle: 'offers',
        labels,
        series: OFFER_OUTCOMES.map((o) => ({ label: o.label, values: buckets.map((b) => count(b, o.key)) })),
        empty: isEmpty(buckets, ['offers_made', ...OFFER_OUTCOMES.map((o) => o.key)]),
        summary: `${plural(total('offers_made'), 'offer')} in ${periodText}: ${OFFER_OUTCOMES.map(
          (o) => `${total(o.key)} ${o.label.toLowerCase()}`,
        ).join(', ')}.`,
      },
      ...FEEDBACK_QUESTIONS.map((q) => ({
        key: q.key,
        title: q.title,
        description: `GPs' anonymous answers after a conversation, per ${unit} (counts only, never linked to a GP or a conversation).`,
        emptyText: `No answers yet: no GP has sent feedback in ${periodText}.`,
        kind: 'bar' as const,
        stacked: true,
        yTitle: 'answers',
        labels,
        series: q.answers.map((a) => ({ label: a.label, values: buckets.map((b) => count(b, a.key)) })),
        empty: isEmpty(buckets, q.answers.map((a) => a.key)),
        summary: `${plural(q.answers.reduce((n, a) => n + total(a.key), 0), 'answer')} in ${periodText}: ${q.answers
          .map((a) => `${total(a.key)} ${a.label.toLowerCase()}`)
          .join(', ')}.`,
      })),
    ];
  }

  private figure(spec: ChartSpec, charts: Chart[]): HTMLElement {
    const titleId = `chart-${spec.key}-title`;
    const fig = h('figure', { class: 'chart', 'data-chart': spec.key, 'aria-labelledby': titleId });
    fig.append(h('h2', { id: titleId, class: 'chart-title' }, spec.title));
    if (spec.empty) {
      fig.append(h('p', { class: 'empty', 'data-empty': spec.key }, spec.emptyText));
      return fig;
    }
    fig.append(h('p', { class: 'hint' }, spec.description));
    const canvas = h('canvas', { role: 'img', 'aria-label': `${spec.title}. ${spec.summary} The table below has the numbers.` });
    fig.append(h('div', { class: 'chart-box' }, canvas));
    fig.append(h('figcaption', { class: 'chart-summary' }, spec.summary));
    fig.append(this.table(spec));
    const chartSeries = spec.key === 'waits' ? spec.series.slice(0, 2) : spec.series.slice(0, spec.plotted ?? spec.series.length);
    const config: ChartConfiguration = {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: chartSeries.map((s, i) => ({
          label: s.label,
          data: s.values,
          backgroundColor: COLOURS[i % COLOURS.length],
          borderColor: COLOURS[i % COLOURS.length],
          borderWidth: spec.kind === 'line' ? 2 : 0,
          pointRadius: spec.kind === 'line' ? 3 : 0,
          spanGaps: false,
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { stacked: !!spec.stacked, ticks: { autoSkip: true, autoSkipPadding: 12, maxRotation: 0, color: '#333' } },
          y: {
            stacked: !!spec.stacked,
            beginAtZero: true,
            max: spec.yMax,
            title: { display: true, text: spec.yTitle, color: '#333' },
            ticks: {
              precision: 0,
              color: '#333',
              callback: spec.yTick ? (v) => spec.yTick!(Number(v)) : undefined,
            },
          },
        },
        plugins: { legend: { position: 'bottom', labels: { color: '#222' } } },
      },
    };
    charts.push(new Chart(canvas, config));
    return fig;
  }

  private table(spec: ChartSpec): HTMLElement {
    const rows = spec.labels.map((label, i) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, label),
        spec.series.map((s) => h('td', {}, s.text ? String(s.text[i]) : String(s.values[i] ?? '—'))),
      ),
    );
    return h(
      'details',
      { class: 'chart-table' },
      h('summary', {}, `${spec.title}: show as a table`),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          {},
          h('caption', {}, spec.title),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Period'), spec.series.map((s) => h('th', { scope: 'col' }, s.label)))),
          h('tbody', {}, rows),
        ),
      ),
    );
  }
}
