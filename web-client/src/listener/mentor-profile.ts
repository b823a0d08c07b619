// The mentor's card and availability (PROTOCOL.md 10.4): the card GPs see
// (checked here against the same limits as the server's, so a mistake is
// named before it is sent), and the weekly pattern and one-off times, local
// to the service's time zone like the rota.
import { AREAS, AREA_LABELS } from '../mentoring/mentor-cards';
import { describeApiError } from '../shared/api';
import { $, $input, h, StatusLine } from '../shared/dom';
import type { AvailabilityJson, CardBody, MentorSelfJson, OneOffJson, WeeklyJson } from '../shared/mentoring-api';
import { mentor } from './mentor-state';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MAX_WEEKLY = 28;
const MAX_ONE_OFF = 200;

export function showProfile(me: MentorSelfJson): void {
  const box = $('card-areas');
  if (!box.querySelector('input')) {
    box.append(...AREAS.map((a) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'card-area', value: a }), ' ', AREA_LABELS[a])));
  }
  const c = me.card;
  $input('card-name').value = c?.display_name ?? '';
  $<HTMLTextAreaElement>('card-profile').value = c?.profile ?? '';
  $input('card-region').value = c?.region ?? '';
  $input('card-languages').value = (c?.languages ?? ['English']).join(', ');
  for (const i of document.querySelectorAll<HTMLInputElement>('#card-areas input')) i.checked = c?.areas.includes(i.value) ?? false;
  if (!c) ($('mentor-card-box') as HTMLDetailsElement).open = true;
  $('mentor-tz').textContent = me.timezone;
  $('weekly-list').replaceChildren(...me.availability.weekly.map(weeklyRow));
  $('oneoff-list').replaceChildren(...me.availability.one_off.map(oneOffRow));
}

/** The card as typed, or the first thing wrong with it. */
export function readCard(): CardBody | string {
  const display_name = $input('card-name').value.trim();
  const profile = $<HTMLTextAreaElement>('card-profile').value.trim();
  const region = $input('card-region').value.trim();
  const languages = [...new Set($input('card-languages').value.split(',').map((l) => l.trim()).filter(Boolean))];
  const areas = [...document.querySelectorAll<HTMLInputElement>('#card-areas input:checked')].map((i) => i.value);
  if (!display_name || display_name.length > 80) return 'Give the name GPs see (1 to 80 characters).';
  if (profile.length > 1000) return 'About me is at most 1,000 characters.';
  if (areas.length === 0) return 'Choose at least one area.';
  if (!region || region.length > 60) return 'Give your region (1 to 60 characters).';
  if (languages.length === 0 || languages.length > 10 || languages.some((l) => l.length > 40)) {
    return 'Give 1 to 10 languages, separated by commas.';
  }
  return { display_name, profile, areas, region, languages };
}

const cardStatus = new StatusLine();
$('card-status').replaceWith(cardStatus.el);
cardStatus.el.id = 'card-status';

$('mentor-card-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const card = readCard();
  if (typeof card === 'string') {
    cardStatus.error(card);
    return;
  }
  try {
    await mentor.api!.saveCard(card);
    cardStatus.ok('Your card is saved. GPs looking for a mentor now see it.');
  } catch (err) {
    cardStatus.error(describeApiError(err));
  }
});

/** A 24-hour HH:MM field, as the rota's (a browser's own time picker may show a 12-hour clock). */
function timeInput(label: string, value: string): HTMLElement {
  return h('input', {
    type: 'text', class: 'time-input', inputmode: 'numeric', placeholder: 'HH:MM', maxlength: 5, autocomplete: 'off',
    value, required: true, 'aria-label': `${label} (HH:MM)`,
  });
}

function removeButton(label: string): HTMLButtonElement {
  return h('button', {
    type: 'button', class: 'secondary',
    onclick: (e: Event) => {
      const li = (e.currentTarget as HTMLElement).closest('li');
      const list = li?.parentElement;
      li?.remove();
      (list?.parentElement?.querySelector<HTMLButtonElement>('.actions button') ?? null)?.focus();
    },
  }, label);
}

let rowCount = 0;

function weeklyRow(w: WeeklyJson): HTMLLIElement {
  const n = ++rowCount;
  const day = h('select', { 'aria-label': `Day (weekly time ${n})`, 'data-part': 'weekday' },
    ...WEEKDAYS.map((d, i) => h('option', { value: i, selected: i === w.weekday }, d)));
  return h('li', { 'data-kind': 'weekly' }, day,
    ' from ', timeInput(`Start (weekly time ${n})`, w.start), ' to ', timeInput(`End (weekly time ${n})`, w.end), ' ',
    removeButton(`Remove weekly time ${n}`));
}

function oneOffRow(o: OneOffJson): HTMLLIElement {
  const n = ++rowCount;
  return h('li', { 'data-kind': 'one_off' },
    h('input', { type: 'date', value: o.date, required: true, 'aria-label': `Date (one-off time ${n})` }),
    ' from ', timeInput(`Start (one-off time ${n})`, o.start), ' to ', timeInput(`End (one-off time ${n})`, o.end), ' ',
    removeButton(`Remove one-off time ${n}`));
}

$('weekly-add').addEventListener('click', () => {
  const row = weeklyRow({ weekday: 2, start: '14:00', end: '18:00' });
  $('weekly-list').append(row);
  row.querySelector('select')?.focus();
});
$('oneoff-add').addEventListener('click', () => {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(Date.now());
  const row = oneOffRow({ date: today, start: '09:00', end: '12:00' });
  $('oneoff-list').append(row);
  row.querySelector('input')?.focus();
});

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The availability as entered, or the first thing wrong with it. */
export function readAvailability(): AvailabilityJson | string {
  const weekly: WeeklyJson[] = [];
  const one_off: OneOffJson[] = [];
  for (const li of document.querySelectorAll<HTMLLIElement>('#weekly-list li, #oneoff-list li')) {
    const times = [...li.querySelectorAll<HTMLInputElement>('input.time-input')].map((i) => i.value.trim());
    const [start, end] = times;
    if (!HHMM.test(start ?? '') || !HHMM.test(end ?? '') || start === end) return 'Enter every start and end as HH:MM on the 24-hour clock, for example 14:00, and make them differ.';
    if (li.dataset.kind === 'weekly') {
      weekly.push({ weekday: Number(li.querySelector('select')!.value), start, end });
    } else {
      const date = li.querySelector<HTMLInputElement>('input[type="date"]')!.value;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return 'Every one-off time needs a date.';
      one_off.push({ date, start, end });
    }
  }
  if (weekly.length > MAX_WEEKLY) return `At most ${MAX_WEEKLY} weekly times.`;
  if (one_off.length > MAX_ONE_OFF) return `At most ${MAX_ONE_OFF} one-off times.`;
  return { weekly, one_off };
}

const availStatus = new StatusLine();
$('avail-save-status').replaceWith(availStatus.el);
availStatus.el.id = 'avail-save-status';

$('avail-save').addEventListener('click', async () => {
  const a = readAvailability();
  if (typeof a === 'string') {
    availStatus.error(a);
    return;
  }
  try {
    await mentor.api!.saveAvailability(a);
    availStatus.ok(`Saved: ${a.weekly.length} weekly and ${a.one_off.length} one-off time${a.one_off.length === 1 ? '' : 's'}.`);
  } catch (err) {
    availStatus.error(describeApiError(err));
  }
});
