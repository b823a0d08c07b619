// Choosing mentors: every published card, filtered and ranked on this device
// (mentor-cards.ts), each with the reasons for its place; "I know this
// person" hides a card; up to three choices in order, each with an optional
// note for that mentor only (sealed later, in request.ts). The server learns
// nothing from any of this until the request is sent.
import {
  AREAS, AREA_LABELS, type Area, MentorCardError, addChoice, keepShownChoices, moveChoice, parseMentorCards, rankCards,
  removeChoice, LIMITS,
} from '../mentoring/mentor-cards';
import { MAX_NOTE_CHARS } from '../mentoring/request-note';
import { describeApiError } from '../shared/api';
import { $, announce, h, setError, showView } from '../shared/dom';
import { m } from './state';
import { showDefaults } from './wording';

/** Drawn once per visit: equal cards keep one order while the GP looks, but no name always comes first. */
const tieSeed = globalThis.crypto.getRandomValues(new Uint32Array(1))[0]!;
const hiddenIds = new Set<string>();

/** Loads the cards and shows the browsing view. */
export async function openBrowse(): Promise<void> {
  setError('page-error', null);
  try {
    const all = await m.api.mentors();
    m.defaults = all.defaults;
    m.offerHours = all.offer_hours;
    showDefaults();
    const raw = all.mentors;
    m.cards = parseMentorCards(raw);
    m.raw = raw;
    m.certificates = new Map(raw.map((c) => [c.id, c.certificate]));
  } catch (e) {
    setError('page-error', e instanceof MentorCardError
      ? 'The list of mentors could not be read. Please try again later.' : describeApiError(e));
    return;
  }
  buildFilters();
  render();
  showView('view-browse');
}

function buildFilters(): void {
  const box = $('filter-areas');
  if (!box.querySelector('input')) {
    box.append(...AREAS.map((a) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'area', value: a, onchange: render }), ' ', AREA_LABELS[a])));
  }
  const fill = (id: string, values: string[], first: string) => {
    const sel = $<HTMLSelectElement>(id);
    const was = sel.value;
    sel.replaceChildren(h('option', { value: '' }, first), ...values.map((v) => h('option', { value: v }, v)));
    sel.value = values.includes(was) ? was : '';
  };
  const sorted = (xs: string[]) => [...new Set(xs)].sort((a, b) => a.localeCompare(b, 'en-GB'));
  fill('filter-language', sorted(m.cards.flatMap((c) => c.languages)), 'Any language');
  fill('filter-avoid-region', sorted(m.cards.map((c) => c.region)), 'Show every region');
}

for (const id of ['filter-language', 'filter-avoid-region']) $(id).addEventListener('change', render);
$('filter-exclude').addEventListener('input', render);
$('filter-form').addEventListener('submit', (e) => e.preventDefault());

function currentFilter() {
  const areas = [...document.querySelectorAll<HTMLInputElement>('#filter-areas input:checked')].map((i) => i.value as Area);
  const language = $<HTMLSelectElement>('filter-language').value;
  const avoid = $<HTMLSelectElement>('filter-avoid-region').value;
  const names = $<HTMLTextAreaElement>('filter-exclude').value.split('\n').map((n) => n.trim()).filter(Boolean)
    .slice(0, LIMITS.exclusions).map((n) => n.slice(0, LIMITS.exclusionChars));
  return {
    areas, languages: language ? [language] : [], avoidRegions: avoid ? [avoid] : [],
    excludeNames: names, excludeIds: [...hiddenIds], tieSeed,
  };
}

/** Ranks the cards again and redraws the list and the choices. */
export function render(): void {
  m.filter = currentFilter();
  m.shown = rankCards(m.cards, m.filter);
  const before = m.choices.length;
  m.choices = keepShownChoices(m.choices, m.shown);
  const hidden = m.cards.length - m.shown.length;
  $('browse-count').textContent = `${m.shown.length} mentor${m.shown.length === 1 ? '' : 's'} shown`
    + (hidden ? `, ${hidden} hidden by your choices above` : '') + '.'
    + (m.choices.length < before ? ' A mentor you had chosen is now hidden and was taken off your list.' : '');
  $('card-list').replaceChildren(...m.shown.map((r, i) => cardItem(r.card.id, i)));
  renderChoices();
}

function cardItem(id: string, place: number): HTMLLIElement {
  const r = m.shown[place];
  const c = r.card;
  const chosen = m.choices.includes(id);
  const full = m.choices.length >= LIMITS.choices;
  const title = `mentor-${place}-name`;
  return h('li', { class: 'mentor-card', 'aria-labelledby': title, 'data-mentor': id },
    h('h3', { id: title }, c.displayName),
    h('p', {}, c.profile || 'No profile written yet.'),
    h('p', { class: 'hint' }, `Areas: ${c.areas.map((a) => AREA_LABELS[a]).join(', ')}. Region: ${c.region}. `
      + `Languages: ${c.languages.join(', ')}.`),
    r.reasons.length ? h('p', { class: 'reasons' }, `Why here: ${r.reasons.join('; ')}.`) : null,
    h('div', { class: 'actions' },
      h('button', {
        type: 'button', disabled: chosen || full, 'aria-describedby': title,
        onclick: () => choose(id),
      }, chosen ? 'Chosen' : `Choose ${c.displayName}`),
      h('button', { type: 'button', class: 'secondary', onclick: () => hide(id, c.displayName) }, `I know ${c.displayName}: hide`)));
}

function choose(id: string): void {
  try {
    m.choices = addChoice(m.choices, id, m.shown);
  } catch (e) {
    setError('choices-error', e instanceof MentorCardError ? e.message : 'That mentor cannot be chosen.');
    return;
  }
  setError('choices-error', null);
  render();
  // The list was redrawn: keep the keyboard in the same card (its other button), so Tab goes on to the next card.
  document.querySelector<HTMLButtonElement>(`#card-list [data-mentor="${CSS.escape(id)}"] button:not([disabled])`)?.focus();
  const name = m.shown.find((r) => r.card.id === id)?.card.displayName ?? '';
  announce(`${name} is choice ${m.choices.indexOf(id) + 1} of ${m.choices.length}.`);
}

function hide(id: string, name: string): void {
  hiddenIds.add(id);
  m.notes.delete(id);
  render();
  announce(`${name} is hidden.`);
  $('browse-count').focus();
}

function renderChoices(): void {
  const list = $('choices-list');
  $('choices-empty').hidden = m.choices.length > 0;
  $<HTMLButtonElement>('choices-next').disabled = m.choices.length === 0;
  list.replaceChildren(...m.choices.map((id, i) => {
    const card = m.cards.find((c) => c.id === id)!;
    const noteId = `note-${id}`;
    const note = h('textarea', { id: noteId, rows: 3, maxlength: MAX_NOTE_CHARS, 'data-mentor': id });
    note.value = m.notes.get(id) ?? '';
    note.addEventListener('input', () => m.notes.set(id, note.value));
    const name = card.displayName;
    return h('li', { class: 'choice' },
      h('p', {}, h('strong', {}, `${i + 1}. ${name}`)),
      h('div', { class: 'field' },
        h('label', { for: noteId }, `Note to ${name} `, h('span', { class: 'hint' }, `(optional, up to ${MAX_NOTE_CHARS.toLocaleString('en-GB')} characters; only ${name} can read it)`)),
        note),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', disabled: i === 0, onclick: () => reorder(id, -1) }, `Move ${name} up`),
        h('button', { type: 'button', class: 'secondary', disabled: i === m.choices.length - 1, onclick: () => reorder(id, 1) }, `Move ${name} down`),
        h('button', { type: 'button', class: 'secondary', onclick: () => unchoose(id) }, `Remove ${name}`)));
  }));
}

function reorder(id: string, by: -1 | 1): void {
  m.choices = moveChoice(m.choices, id, by);
  render();
  const name = m.cards.find((c) => c.id === id)?.displayName ?? '';
  announce(`${name} is now choice ${m.choices.indexOf(id) + 1}.`);
  // Keep the keyboard where it was: on the same button of the moved choice, or its other one at an end.
  const label = by === -1 ? `Move ${name} up` : `Move ${name} down`;
  const other = by === -1 ? `Move ${name} down` : `Move ${name} up`;
  const buttons = [...document.querySelectorAll<HTMLButtonElement>('#choices-list button')];
  (buttons.find((b) => b.textContent === label && !b.disabled) ?? buttons.find((b) => b.textContent === other))?.focus();
}

function unchoose(id: string): void {
  m.choices = removeChoice(m.choices, id);
  m.notes.delete(id);
  render();
  announce('Removed from your choices.');
  $('choices-title').focus();
}

$('choices-title').tabIndex = -1;
$('browse-count').tabIndex = -1;
$('browse-back').addEventListener('click', () => showView('view-start'));
