// Small DOM helpers for every page. Everything is built with
// createElement/textContent: text from the network (messages, handles,
// signposting, account names) never goes in through innerHTML, and no
// inline style attributes (the pages run under style-src 'self').
import { formatDateTime } from './datetime';

/** The page's element with this id (throws if the page lacks it). */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} is missing from the page`);
  return e as T;
}

export function $input(id: string): HTMLInputElement {
  return $<HTMLInputElement>(id);
}

export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/**
 * h('li', {class: 'x', 'data-id': id, onclick: fn}, 'text', otherNode, [more]):
 * `on…` attributes given a function become event listeners; true is an empty
 * attribute; false, null and undefined leave it out.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      if (name.startsWith('on')) e.addEventListener(name.slice(2), value);
    } else {
      e.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(e, children);
  return e;
}

export function append(e: Element, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(e: Element): void {
  while (e.firstChild) e.removeChild(e.firstChild);
}

let uid = 0;
export function uniqueId(prefix: string): string {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled form field: <div class="field"><label for>…</label><input id>…<p hint></div>. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: string,
): HTMLDivElement {
  if (!control.id) control.id = uniqueId('f');
  const parts: Child[] = [h('label', { for: control.id }, label), control];
  if (hint) {
    const hintId = uniqueId('hint');
    const existing = control.getAttribute('aria-describedby');
    control.setAttribute('aria-describedby', existing ? `${existing} ${hintId}` : hintId);
    parts.push(h('p', { class: 'hint', id: hintId }, hint));
  }
  return h('div', { class: 'field' }, parts);
}

/** A status line for a form: polite announcements, errors marked as such. */
export class StatusLine {
  readonly el: HTMLParagraphElement;
  constructor(extraClass = '') {
    this.el = h('p', { class: `status-line ${extraClass}`.trim(), role: 'status', 'aria-live': 'polite' });
  }
  ok(text: string): void {
    this.el.classList.remove('error');
    this.el.classList.add('ok');
    this.el.textContent = text;
  }
  error(text: string): void {
    this.el.classList.remove('ok');
    this.el.classList.add('error');
    this.el.textContent = text;
  }
  info(text: string): void {
    this.el.classList.remove('ok', 'error');
    this.el.textContent = text;
  }
  clear(): void {
    this.info('');
  }
}

/**
 * Lets a table fall into one card per row on narrow screens (CSS class
 * "stack"), each cell captioned by its column header. Explicit ARIA roles
 * keep the table semantics that a CSS display change would otherwise drop
 * in some browsers.
 */
export function stackTable(table: HTMLTableElement): void {
  table.classList.add('stack');
  table.setAttribute('role', 'table');
  const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent ?? '');
  for (const g of table.querySelectorAll('thead, tbody')) g.setAttribute('role', 'rowgroup');
  for (const tr of table.querySelectorAll('tr')) {
    tr.setAttribute('role', 'row');
    [...tr.children].forEach((cell, i) => {
      const inHead = cell.parentElement?.parentElement?.tagName === 'THEAD';
      if (inHead) cell.setAttribute('role', 'columnheader');
      else cell.setAttribute('role', cell.tagName === 'TH' ? 'rowheader' : 'cell');
      if (!inHead && heads[i] && !cell.hasAttribute('colspan')) cell.setAttribute('data-label', heads[i]);
    });
  }
}

/** Polite screen-reader announcement (the page has #announcer, aria-live=polite). */
export function announce(text: string): void {
  const a = document.getElementById('announcer');
  if (!a) return;
  a.textContent = '';
  // A fresh text node so the same sentence twice is announced twice.
  window.setTimeout(() => {
    a.textContent = text;
  }, 50);
}

/** Shows one of the page's views (sections with class "view") and moves focus to its heading. */
export function showView(id: string, focus = true): void {
  for (const v of document.querySelectorAll<HTMLElement>('.view')) v.hidden = v.id !== id;
  if (!focus) return;
  const heading = document.querySelector<HTMLElement>(`#${id} h1, #${id} h2`);
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

/** Shows `text` in an error area (role=alert), or hides it when text is null. */
export function setError(id: string, text: string | null): void {
  const e = $(id);
  e.textContent = text ?? '';
  e.hidden = !text;
}

/** A date and time for people: datetime.ts's one formatter (en-GB, 24-hour, Europe/London). */
export function formatTime(ms: number): string {
  return formatDateTime(ms);
}

/** A duration for the dashboard: "45 s", "3 min 20 s", "1 h 5 min"; "—" when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  if (m < 60) return rest ? `${m} min ${rest} s` : `${m} min`;
  const hrs = Math.floor(m / 60);
  const mins = m % 60;
  return mins ? `${hrs} h ${mins} min` : `${hrs} h`;
}

/** A wait for a GP: "less than a minute", "about 3 minutes", "about 1 hour 5 minutes". */
export function formatWait(seconds: number): string {
  if (seconds < 60) return 'less than a minute';
  const m = Math.round(seconds / 60);
  if (m < 60) return m === 1 ? 'about 1 minute' : `about ${m} minutes`;
  const hrs = Math.floor(m / 60);
  const rest = m % 60;
  return `about ${hrs} hour${hrs > 1 ? 's' : ''}${rest ? ` ${rest} minutes` : ''}`;
}
