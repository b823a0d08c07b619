// Quick exit: the button, and Escape, leave at once for a neutral page,
// replacing this one in the history, after forgetting everything in memory
// (and the kept continuity code too, if the GP asked for that).
import { $ } from '../shared/dom';
import { forgetCode, forgetOnExit } from './continuity';
import { s } from './state';

/** Where quick exit goes: a neutral page, replacing this one in the history. */
export const QUICK_EXIT_URL = 'https://www.bbc.co.uk/weather';

/** Forgets everything in memory and replaces the page with a neutral one. */
function quickExit(): void {
  try {
    // The one thing the GP may have saved goes too, if they asked for that.
    if (forgetOnExit()) forgetCode();
    // Leave the queue or end the conversation first, so nobody is left waiting
    // (frames written before close() still go out, in order).
    if (s.ws && s.phase === 'queued') s.ws.send({ type: 'leave_queue' });
    if (s.ws && s.conv) s.ws.send({ type: 'end_conversation', channel: s.conv.channel, reason: 'gp_left' });
    s.ws?.close();
    s.conv?.close();
    s.api.logoutBeacon();
  } finally {
    s.ws = null;
    s.conv = null;
    s.chat = null;
    s.trust = null;
    s.offeredCode = null;
    document.title = 'Weather';
    document.body.replaceChildren();
    location.replace(QUICK_EXIT_URL);
  }
}

$('quick-exit').addEventListener('click', quickExit);

/**
 * Escape is quick exit, except where a GP may press it for something else
 * while writing (to dismiss autocomplete, out of habit): in a text field the
 * first Escape only arms it and says so, and a second Escape straight after
 * (no other key between) leaves. The button is always one press.
 */
let escapeArmed = false;

function isTextEntry(t: EventTarget | null): boolean {
  if (t instanceof HTMLTextAreaElement) return true;
  if (t instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(t.type);
  return t instanceof HTMLElement && t.isContentEditable;
}

function disarmEscape(): void {
  escapeArmed = false;
  $('escape-hint').hidden = true;
}

document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape') {
    if (escapeArmed) disarmEscape();
    return;
  }
  if (e.isComposing) return; // closing an input method's candidate list
  if (escapeArmed || !isTextEntry(e.target)) {
    e.preventDefault();
    quickExit();
    return;
  }
  escapeArmed = true;
  $('escape-hint').hidden = false;
}, { capture: true });
document.addEventListener('focusin', () => { if (escapeArmed) disarmEscape(); });
document.addEventListener('pointerdown', () => { if (escapeArmed) disarmEscape(); });

// In-page links ("Skip to main content", "24/7 help") move focus without a
// history entry: quick exit replaces only the current entry, so an earlier
// one for the same page (#crisis) would let Back return to Peerline.
document.addEventListener('click', (e) => {
  const link = (e.target as Element | null)?.closest?.('a[href^="#"]');
  if (!link) return;
  const target = document.getElementById(link.getAttribute('href')!.slice(1));
  if (!target) return;
  e.preventDefault();
  target.scrollIntoView({ block: 'start' });
  target.focus({ preventScroll: true });
});
