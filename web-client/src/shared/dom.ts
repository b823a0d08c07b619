// Small DOM helpers. Text from the network (messages, handles, signposting)
// only ever goes in through textContent: no innerHTML anywhere.
import { formatDateTime } from './datetime';

export function $(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} is missing from the page`);
  return e;
}

export function $input(id: string): HTMLInputElement {
  return $(id) as HTMLInputElement;
}

type Child = Node | string | null | undefined | false;

/** h('li', {class: 'x', 'data-id': id}, 'text', otherNode) */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
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

export function formatWait(seconds: number): string {
  if (seconds < 60) return 'less than a minute';
  const m = Math.round(seconds / 60);
  if (m < 60) return m === 1 ? 'about 1 minute' : `about ${m} minutes`;
  const hrs = Math.floor(m / 60);
  const rest = m % 60;
  return `about ${hrs} hour${hrs > 1 ? 's' : ''}${rest ? ` ${rest} minutes` : ''}`;
}
