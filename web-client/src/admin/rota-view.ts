// The rota: shifts, opening hours and closed days. Times are in the
// service's time zone (from GET /api/rota), not the browser's.

import { setTimeZone } from '../shared/datetime';
import { Api } from '../shared/api';
import { formatDateTime } from '../shared/datetime';
import { h, clear, field, StatusLine, stackTable } from '../shared/dom';
import { describeError } from './errors';
import type { Account } from './accounts-view';

interface Shift {
  id: string;
  listener: string;
  kind: 'weekly' | 'one_off';
  start: string;
  end: string;
  weekday?: number;
  date?: string;
}

interface RotaResponse {
  timezone: string;
  shifts: Shift[];
  open_now: boolean;
  staffed_now: boolean;
  next_staffed_ms?: number;
  hours: Record<string, string>;
  closed_days: string[];
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
// Monday first, as rotas are usually read.
const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0];
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const HHMM_END = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

function shiftWhen(s: Shift): string {
  const day = s.kind === 'weekly' ? `Every ${WEEKDAYS[s.weekday ?? 0]}` : s.date ?? '';
  const overnight = s.end <= s.start && s.end !== '24:00' ? ' (ends next day)' : '';
  return `${day}, ${s.start}–${s.end}${overnight}`;
}

export class RotaView {
  private status = new StatusLine();
  private summary: HTMLElement;
  private shiftsBody: HTMLTableSectionElement;
  private listenerList: HTMLDataListElement;
  private hoursRows = new Map<number, { open: HTMLInputElement; from: HTMLInputElement; to: HTMLInputElement }>();
  private closedDays: string[] = [];
  private closedList: HTMLUListElement;
  private rota: RotaResponse | null = null;

  constructor(root: HTMLElement, private readonly api: Api) {
    this.summary = h('p', { class: 'meta', id: 'rota-summary' });
    this.shiftsBody = h('tbody', { id: 'shifts-body' });
    this.listenerList = h('datalist', { id: 'listener-names' });
    this.closedList = h('ul', { class: 'closed-days', id: 'closed-days' });
    root.append(
      h('h1', { id: 'rota-title', tabindex: '-1' }, 'Rota'),
      this.summary,
      this.status.el,
      this.shiftsSection(),
      this.addShiftSection(),
      this.hoursSection(),
      this.listenerList,
    );
  }

  setAccounts(accounts: Account[]): void {
    clear(this.listenerList);
    for (const a of accounts)
      if (a.role === 'listener' && !a.disabled) this.listenerList.append(h('option', { value: a.username }));
  }

  async load(): Promise<void> {
    try {
      const rota = await this.api.get<RotaResponse>('/api/rota');
      this.rota = rota;
      this.render();
      this.status.clear();
    } catch (err) {
      this.status.error(`Could not load the rota. ${describeError(err)}`);
    }
  }

  private render(): void {
    const r = this.rota;
    if (!r) return;
    setTimeZone(r.timezone); // every date on the dashboard in the rota's zone
    const next = r.next_staffed_ms ? ` Next staffed: ${formatDateTime(r.next_staffed_ms)}.` : '';
    this.summary.textContent = `Times are in ${r.timezone}. Now: ${r.open_now ? 'open' : 'closed'}, ${
      r.staffed_now ? 'a listener is on shift' : 'nobody on shift'
    }.${r.staffed_now ? '' : next}`;
    clear(this.shiftsBody);
    const shifts = [...r.shifts].sort(
      (a, b) =>
        (a.kind === b.kind ? 0 : a.kind === 'weekly' ? -1 : 1) ||
        WEEK_ORDER.indexOf(a.weekday ?? 0) - WEEK_ORDER.indexOf(b.weekday ?? 0) ||
        (a.date ?? '').localeCompare(b.date ?? '') ||
        a.start.localeCompare(b.start) ||
        a.listener.localeCompare(b.listener),
    );
    if (shifts.length === 0)
      this.shiftsBody.append(h('tr', {}, h('td', { colspan: '3' }, 'No shifts yet: GPs are told nobody is on shift and shown the 24/7 alternatives.')));
    for (const s of shifts) {
      const del = h('button', { type: 'button', class: 'button secondary small', 'aria-label': `Delete ${s.listener}’s shift, ${shiftWhen(s)}` }, 'Delete');
      del.addEventListener('click', async () => {
        if (!window.confirm(`Delete ${s.listener}’s shift (${shiftWhen(s)})?`)) return;
        del.disabled = true;
        try {
          await this.api.del(`/api/rota/shifts/${encodeURIComponent(s.id)}`);
          this.status.ok(`Shift deleted: ${s.listener}, ${shiftWhen(s)}.`);
          await this.load();
        } catch (err) {
          del.disabled = false;
          this.status.error(`Could not delete the shift. ${describeError(err)}`);
        }
      });
      this.shiftsBody.append(
        h('tr', { 'data-shift': s.id }, h('th', { scope: 'row' }, s.listener), h('td', {}, shiftWhen(s)), h('td', {}, del)),
      );
    }
    const table = this.shiftsBody.closest('table');
    if (table) stackTable(table);
    for (const [day, row] of this.hoursRows) {
      const range = r.hours[String(day)];
      row.open.checked = !!range;
      row.from.value = range ? range.slice(0, 5) : '';
      row.to.value = range ? range.slice(6) : '';
    }
    this.closedDays = [...r.closed_days].sort();
    this.renderClosed();
  }

  private shiftsSection(): HTMLElement {
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'shifts-title' },
      h('h2', { id: 'shifts-title' }, 'Shifts'),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { id: 'shifts-table' },
          h('caption', { class: 'visually-hidden' }, 'Rota shifts'),
          h('thead', {}, h('tr', {}, ['Listener', 'When', 'Action'].map((c) => h('th', { scope: 'col' }, c)))),
          this.shiftsBody,
        ),
      ),
    );
  }

  private addShiftSection(): HTMLElement {
    const status = new StatusLine();
    const listener = h('input', { id: 'shift-listener', list: 'listener-names', required: true, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
    const weekly = h('input', { type: 'radio', name: 'shift-kind', id: 'shift-kind-weekly', value: 'weekly', checked: true });
    const oneOff = h('input', { type: 'radio', name: 'shift-kind', id: 'shift-kind-one-off', value: 'one_off' });
    const weekday = h('select', { id: 'shift-weekday' }, WEEK_ORDER.map((d) => h('option', { value: String(d) }, WEEKDAYS[d])));
    const date = h('input', { type: 'date', id: 'shift-date' });
    const start = h('input', { id: 'shift-start', inputmode: 'numeric', placeholder: 'HH:MM', maxlength: '5', required: true, autocomplete: 'off' });
    const end = h('input', { id: 'shift-end', inputmode: 'numeric', placeholder: 'HH:MM', maxlength: '5', required: true, autocomplete: 'off' });
    const weekdayField = field('Day of the week', weekday);
    const dateField = field('Date', date);
    const syncKind = () => {
      weekdayField.hidden = !weekly.checked;
      dateField.hidden = weekly.checked;
    };
    weekly.addEventListener('change', syncKind);
    oneOff.addEventListener('change', syncKind);
    syncKind();
    const submit = h('button', { type: 'submit', class: 'button primary' }, 'Add shift');
    const form = h(
      'form',
      { id: 'add-shift', novalidate: true },
      field('Listener (username)', listener),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Repeats'),
        h('span', { class: 'radio' }, weekly, h('label', { for: weekly.id }, 'Every week')),
        h('span', { class: 'radio' }, oneOff, h('label', { for: oneOff.id }, 'Once')),
      ),
      weekdayField,
      dateField,
      h('div', { class: 'row' }, field('Start (HH:MM)', start), field('End (HH:MM)', end, 'An end at or before the start runs past midnight; 24:00 is midnight.')),
      h('div', { class: 'actions' }, submit),
      status.el,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body: Record<string, unknown> = {
        listener: listener.value.trim(),
        kind: weekly.checked ? 'weekly' : 'one_off',
        start: start.value.trim(),
        end: end.value.trim(),
      };
      if (!body.listener) return this.invalid(status, listener, 'Enter the listener’s username.');
      if (!HHMM.test(String(body.start))) return this.invalid(status, start, 'Enter the start as HH:MM, for example 09:00.');
      if (!HHMM_END.test(String(body.end)) || body.end === '00:00')
        return this.invalid(status, end, 'Enter the end as HH:MM, for example 17:30 (24:00 for midnight).');
      if (body.start === body.end) return this.invalid(status, end, 'The end must differ from the start.');
      if (weekly.checked) body.weekday = Number(weekday.value);
      else {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date.value)) return this.invalid(status, date, 'Choose the date of the shift.');
        body.date = date.value;
      }
      submit.disabled = true;
      try {
        await this.api.post<{ id: string }>('/api/rota/shifts', body);
        status.ok(`Shift added for ${String(body.listener)}.`);
        start.value = '';
        end.value = '';
        await this.load();
      } catch (err) {
        status.error(`Could not add the shift. ${describeError(err)}`);
      } finally {
        submit.disabled = false;
      }
    });
    return h('section', { class: 'card', 'aria-labelledby': 'add-shift-title' }, h('h2', { id: 'add-shift-title' }, 'Add a shift'), form);
  }

  private invalid(status: StatusLine, el: HTMLElement, message: string): void {
    status.error(message);
    el.setAttribute('aria-invalid', 'true');
    el.addEventListener('input', () => el.removeAttribute('aria-invalid'), { once: true });
    el.focus();
  }

  private hoursSection(): HTMLElement {
    const status = new StatusLine();
    const rows = WEEK_ORDER.map((d) => {
      const open = h('input', { type: 'checkbox', id: `hours-open-${d}` });
      const from = h('input', { class: 'time-input', id: `hours-from-${d}`, inputmode: 'numeric', placeholder: 'HH:MM', maxlength: '5', autocomplete: 'off', 'aria-label': `${WEEKDAYS[d]} opens at (HH:MM)` });
      const to = h('input', { class: 'time-input', id: `hours-to-${d}`, inputmode: 'numeric', placeholder: 'HH:MM', maxlength: '5', autocomplete: 'off', 'aria-label': `${WEEKDAYS[d]} closes at (HH:MM)` });
      this.hoursRows.set(d, { open, from, to });
      return h(
        'tr',
        {},
        h('th', { scope: 'row' }, h('label', { for: open.id }, WEEKDAYS[d])),
        h('td', {}, open),
        h('td', {}, from),
        h('td', {}, to),
      );
    });
    const newDay = h('input', { type: 'date', id: 'closed-new' });
    const addDay = h('button', { type: 'button', class: 'button secondary small' }, 'Add closed day');
    addDay.addEventListener('click', () => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(newDay.value)) {
        status.error('Choose a date to add.');
        newDay.focus();
        return;
      }
      if (!this.closedDays.includes(newDay.value)) this.closedDays = [...this.closedDays, newDay.value].sort();
      this.renderClosed();
      status.info(`${newDay.value} added; save to apply.`);
      newDay.value = '';
    });
    const save = h('button', { type: 'submit', class: 'button primary' }, 'Save opening hours and closed days');
    const form = h(
      'form',
      { id: 'hours-form', novalidate: true },
      h(
        'p',
        { class: 'hint' },
        'With no day ticked the service is open at all hours, and shifts alone decide when GPs can be connected. Once any day is ticked, unticked days are closed.',
      ),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          {},
          h('caption', { class: 'visually-hidden' }, 'Opening hours'),
          h('thead', {}, h('tr', {}, ['Day', 'Open', 'Opens', 'Closes'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, rows),
        ),
      ),
      h('h3', {}, 'Closed days'),
      this.closedList,
      h('div', { class: 'row row-end' }, field('Date', newDay), h('div', { class: 'actions' }, addDay)),
      h('div', { class: 'actions' }, save),
      status.el,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const hours: Record<string, string> = {};
      for (const [d, row] of this.hoursRows) {
        if (!row.open.checked) continue;
        const from = row.from.value.trim();
        const to = row.to.value.trim();
        if (!HHMM.test(from)) return this.invalid(status, row.from, `Enter when ${WEEKDAYS[d]} opens, as HH:MM.`);
        if (!HHMM_END.test(to)) return this.invalid(status, row.to, `Enter when ${WEEKDAYS[d]} closes, as HH:MM (24:00 for midnight).`);
        hours[String(d)] = `${from}-${to}`;
      }
      save.disabled = true;
      try {
        await this.api.put('/api/rota/hours', { hours, closed_days: this.closedDays });
        status.ok('Opening hours and closed days saved.');
        await this.load();
      } catch (err) {
        status.error(`Could not save. ${describeError(err)}`);
      } finally {
        save.disabled = false;
      }
    });
    return h('section', { class: 'card', 'aria-labelledby': 'hours-title' }, h('h2', { id: 'hours-title' }, 'Opening hours and closed days'), form);
  }

  private renderClosed(): void {
    clear(this.closedList);
    if (this.closedDays.length === 0) this.closedList.append(h('li', { class: 'empty' }, 'No closed days.'));
    for (const d of this.closedDays) {
      const remove = h('button', { type: 'button', class: 'button secondary small', 'aria-label': `Remove closed day ${d}` }, 'Remove');
      remove.addEventListener('click', () => {
        this.closedDays = this.closedDays.filter((x) => x !== d);
        this.renderClosed();
        (this.closedList.querySelector('button') as HTMLButtonElement | null)?.focus();
      });
      this.closedList.append(h('li', {}, h('span', {}, d), ' ', remove));
    }
  }
}
