// Turns a support service's contact text into something a phone can act on:
// a number becomes a `tel:` link, "Text WORD to NUMBER" an `sms:` link with
// the word as the message. Anything else stays plain text. Only these two
// schemes are ever made, from digits we checked, so text from the network
// cannot smuggle in another kind of link.
import { h } from './dom';

const MAX_CONTACT_CHARS = 200;
/** 3 to 15 digits (E.164's longest), with spaces, dashes, brackets, a leading +. */
const PHONE = /^\+?[\d\s()-]{3,24}$/;
const TEXT_TO = /^text\s+([A-Za-z0-9]{1,20})\s+to\s+(\+?[\d\s]{3,20})$/i;

function digits(s: string): string | null {
  const d = s.replace(/[^\d]/g, '');
  if (d.length < 3 || d.length > 15) return null;
  return (s.trim().startsWith('+') ? '+' : '') + d;
}

/** The `tel:`/`sms:` address for `contact`, or null when it is neither a number nor "Text X to N". */
export function contactHref(contact: string): string | null {
  const c = contact.trim();
  if (c.length > MAX_CONTACT_CHARS) return null;
  const text = TEXT_TO.exec(c);
  if (text) {
    const n = digits(text[2]);
    return n ? `sms:${n}?body=${encodeURIComponent(text[1])}` : null;
  }
  if (PHONE.test(c)) {
    const n = digits(c);
    return n ? `tel:${n}` : null;
  }
  return null;
}

/** The contact as a link when it can be one (class `contact`), else as text. */
export function contactNode(contact: string): HTMLElement {
  const href = contactHref(contact);
  return href ? h('a', { class: 'contact', href }, contact) : h('span', { class: 'contact' }, contact);
}
