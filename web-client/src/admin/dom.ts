// Small DOM helpers. Everything is built with createElement/textContent:
// no innerHTML, so nothing from the server is ever parsed as markup, and no
// inline style attributes (the page runs under style-src 'self').
import { formatDateTime as sharedFormatDateTime } from '../shared/datetime';

export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value as EventListener);
    } else if (name === 'class') {
      el.className = String(value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el as T;
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

/** The web client's one date/time formatter (src/shared/datetime.ts: en-GB, 24-hour, the service's zone). */
export function formatDateTime(ms: number): string {
  return sharedFormatDateTime(ms);
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
