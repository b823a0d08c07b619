// The 24/7 services a GP is shown (the crisis panel on every screen, and
// signposting): the configured list, or two national ones when the
// configuration could not be loaded or is empty.
import type { Alternative } from '../shared/protocol';
import { contactNode } from '../shared/contact';
import { h } from '../shared/dom';

export const DEFAULT_ALTERNATIVES: Alternative[] = [
  { name: 'Samaritans', contact: '116 123', hours: '24/7' },
  { name: 'NHS 111 (option 2 for mental health)', contact: '111', hours: '24/7' },
];

export function renderAlternatives(list: HTMLElement, alts: Alternative[]): void {
  list.replaceChildren(...alts.map((a) => h('li', {},
    h('span', { class: 'name' }, a.name),
    contactNode(a.contact), ' ',
    h('span', { class: 'hours' }, a.hours))));
}
