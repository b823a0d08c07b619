// The live tiles: pushed `live_stats` for the queue and listeners, and this
// hour's counters (percentiles, missed offers, abandonment) from
// GET /api/admin/stats, refreshed when the push says something changed.

import { formatClock } from '../shared/datetime';
import { $, h, formatDuration } from '../shared/dom';
import type { LiveStats } from '../shared/protocol';
import {
  type StatsResponse,
  count,
  abandonmentRate,
  formatPercent,
  formatBound,
  histogramQuantile,
  waitSamples,
  plural,
} from './stats';

interface Tile {
  value: HTMLElement;
  sub: HTMLElement;
  box: HTMLElement;
}

export class LiveView {
  private tiles = new Map<string, Tile>();
  private updated: HTMLElement;
  private source: HTMLElement;
  private announceBox: HTMLInputElement;
  private lastAnnounced: number | null = null;
  private lastAnnounceMs = 0;
  private pendingAnnounce: number | undefined;
  private lastLive: LiveStats | null = null;

  constructor(root: HTMLElement) {
    this.updated = h('span', { id: 'live-updated' }, 'Waiting for the first update…');
    this.source = h('span', { id: 'live-source', 'data-source': 'none' });
    this.announceBox = h('input', { type: 'checkbox', id: 'announce-queue', checked: true });
    const queue = h(
      'div',
      { class: 'tiles', role: 'group', 'aria-labelledby': 'tiles-queue-title' },
      this.tile('waiting', 'Waiting now', 'GPs in the queue'),
      this.tile('longest_wait', 'Longest wait', 'of those waiting now'),
      this.tile('wait_percentiles', 'Waits this hour', 'before a listener accepted'),
      this.tile('conversations_active', 'Conversations', 'in progress'),
      this.tile('offers_pending', 'Offers pending', 'awaiting a listener'),
      this.tile('offers_missed', 'Missed offers', 'timed out, this hour'),
      this.tile('abandonment', 'Abandonment', 'this hour'),
      this.tile('escalations', 'Escalations', 'to the duty supervisor, this hour'),
    );
    const listeners = h(
      'div',
      { class: 'tiles tiles-small', role: 'group', 'aria-labelledby': 'tiles-listeners-title' },
      this.tile('rostered', 'Rostered', 'on shift now'),
      this.tile('online', 'Online', 'connected'),
      this.tile('available', 'Available', 'ready for a GP'),
      this.tile('busy', 'Busy', 'at capacity'),
      this.tile('wrapup', 'Wrap-up', 'pause after a conversation'),
      this.tile('away', 'Away', 'connected, not taking GPs'),
    );
    root.append(
      h('h1', { id: 'live-title', tabindex: '-1' }, 'Live queue'),
      h('p', { class: 'meta' }, this.updated, ' ', this.source),
      h('h2', { id: 'tiles-queue-title', class: 'subhead' }, 'Queue'),
      queue,
      h('h2', { id: 'tiles-listeners-title', class: 'subhead' }, 'Listeners'),
      listeners,
      h(
        'div',
        { class: 'field-inline' },
        this.announceBox,
        h('label', { for: 'announce-queue' }, 'Announce changes in the number waiting (for screen readers)'),
      ),
      h(
        'p',
        { class: 'hint' },
        'Counts only. Nobody’s identity or anything said in a conversation is shown here or kept by the server.',
      ),
    );
    this.showEmpty();
  }

  private tile(key: string, label: string, sub: string): HTMLElement {
    const value = h('p', { class: 'tile-value', 'data-tile': key }, '—');
    const subEl = h('p', { class: 'tile-sub' }, sub);
    const labelId = `tile-${key}-label`;
    const box = h(
      'div',
      { class: 'tile', 'data-tile-box': key, role: 'group', 'aria-labelledby': labelId },
      h('h3', { class: 'tile-label', id: labelId }, label),
      value,
      subEl,
    );
    this.tiles.set(key, { value, sub: subEl, box });
    return box;
  }

  private set(key: string, value: string, sub?: string, alert = false): void {
    const t = this.tiles.get(key);
    if (!t) return;
    t.value.textContent = value;
    if (sub !== undefined) t.sub.textContent = sub;
    t.box.classList.toggle('tile-alert', alert);
  }

  private showEmpty(): void {
    for (const t of this.tiles.values()) t.value.textContent = '—';
  }

  /** Pushed live numbers (or polled, when push is unavailable). */
  showLive(live: LiveStats, via: 'push' | 'poll'): void {
    this.lastLive = live;
    const stuck = live.waiting > 0 && live.listeners.available === 0;
    const inQueue = live.waiting === 1 ? 'GP in the queue' : 'GPs in the queue';
    this.set('waiting', String(live.waiting), stuck ? `${inQueue}, and no listener is available` : inQueue, stuck);
    this.set('longest_wait', live.waiting > 0 ? formatDuration(live.longest_wait_s) : '—',
      live.waiting > 0 ? 'of those waiting now' : 'nobody is waiting');
    this.set('conversations_active', String(live.conversations_active));
    this.set('offers_pending', String(live.offers_pending));
    const l = live.listeners;
    this.set('rostered', String(l.rostered));
    this.set('online', String(l.online));
    const absent = l.rostered > 0 && l.online === 0;
    this.set('available', String(l.available), absent ? 'ready for a GP; nobody on shift is online' : 'ready for a GP', absent);
    this.set('busy', String(l.busy));
    this.set('wrapup', String(l.wrapup));
    this.set('away', String(l.away));
    const time = formatClock(Date.now(), true);
    this.updated.textContent = `Updated ${time}`;
    this.source.dataset.source = via;
    this.source.textContent =
      via === 'push' ? '(live, pushed by the server)' : '(checked every few seconds: live push unavailable)';
    this.maybeAnnounce(live.waiting);
  }

  showHour(stats: StatsResponse): void {
    const hour = stats.this_hour ?? {};
    // this_hour carries the percentiles; the histogram behind them is in the
    // newest hourly bucket (the server's current hour).
    const histogram = [...(stats.hours ?? [])].sort((a, b) => b.hour_start_ms - a.hour_start_ms)[0];
    const q = hour.wait_s ?? {};
    const samples = waitSamples(histogram);
    // The server sends null both for "no data" and for "above the last
    // bucket"; with samples present, the histogram tells which.
    const pick = (name: 'p50' | 'p90' | 'p99', p: number): number | null => {
      const v = q[name];
      if (typeof v === 'number') return v;
      return histogramQuantile(histogram, p);
    };
    if (samples === 0) {
      this.set('wait_percentiles', 'No data yet', 'no GP has been connected this hour');
    } else {
      const p50 = pick('p50', 0.5);
      const p90 = pick('p90', 0.9);
      const p99 = pick('p99', 0.99);
      // One bound said once when the three agree (few samples often put
      // every wait in the same histogram bucket).
      const same = p50 === p90 && p90 === p99;
      this.set(
        'wait_percentiles',
        same ? formatBound(p50) : `${formatBound(p50)} · ${formatBound(p90)} · ${formatBound(p99)}`,
        `${same ? 'median, 90th and 99th percentile alike' : 'median · 90th · 99th percentile'}; ${plural(samples, 'GP')} connected`,
      );
    }
    const missed = count(hour, 'offers_timed_out');
    const made = count(hour, 'offers_made');
    this.set('offers_missed', String(missed), made ? `of ${plural(made, 'offer')} this hour` : 'timed out, this hour', missed > 0);
    const escalated = count(hour, 'escalations');
    this.set('escalations', String(escalated), 'to the duty supervisor, this hour', escalated > 0);
    const rate = abandonmentRate(hour);
    const abandoned = count(hour, 'abandoned');
    this.set(
      'abandonment',
      formatPercent(rate),
      rate === null
        ? 'no GP has left or been connected this hour'
        : `${abandoned} left before being connected, ${count(hour, 'matched')} connected`,
      (rate ?? 0) >= 0.25,
    );
  }

  get last(): LiveStats | null {
    return this.lastLive;
  }

  private maybeAnnounce(waiting: number): void {
    if (!this.announceBox.checked || waiting === this.lastAnnounced) return;
    // At most one announcement every 10 seconds: the latest number wins.
    const announce = () => {
      this.pendingAnnounce = undefined;
      const now = this.lastLive?.waiting ?? waiting;
      if (now === this.lastAnnounced) return;
      this.lastAnnounced = now;
      this.lastAnnounceMs = Date.now();
      $('announcer').textContent = now === 1 ? '1 GP waiting.' : `${now} GPs waiting.`;
    };
    if (this.lastAnnounced === null) {
      this.lastAnnounced = waiting; // no announcement for the first value
      return;
    }
    if (this.pendingAnnounce !== undefined) return;
    const wait = Math.max(0, 10_000 - (Date.now() - this.lastAnnounceMs));
    this.pendingAnnounce = window.setTimeout(announce, wait);
  }
}
