// Alerts a listener to an offer that will expire in seconds, even when the
// console is in a background tab: the tab title, a badge on the tab's icon,
// an optional short sound (off until the listener turns it on; the choice is
// remembered in this browser) and, when the listener allows it, a system
// notification. None of them says anything about the GP beyond "a GP is
// waiting": no topic, no urgency (a notification can be read by anyone near
// the screen, and by the operating system's notification history).
import { $, $input } from '../shared/dom';

export const ALERT_TEXT = 'A GP is waiting';
const SOUND_KEY = 'peerline.listener.offer-sound';
const PLAIN_ICON = 'data:,';
// A red dot: the tab's icon while an offer is waiting.
const BADGE_ICON = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#b3261e"/></svg>')}`;

const baseTitle = document.title;
let audio: AudioContext | null = null;
let notification: Notification | null = null;

function icon(): HTMLLinkElement {
  return document.querySelector<HTMLLinkElement>('link[rel="icon"]')!;
}

function soundWanted(): boolean {
  try {
    return localStorage.getItem(SOUND_KEY) === 'on';
  } catch {
    return false;
  }
}

/** Browsers let a page play sound only after a user gesture: call from one (sign-in, the checkbox). */
export function unlockSound(): void {
  if (!soundWanted() || audio) return;
  try {
    audio = new AudioContext();
  } catch {
    audio = null;
  }
}

function playSound(): void {
  if (!audio || !soundWanted()) return;
  void audio.resume();
  const t0 = audio.currentTime;
  for (const [i, freq] of [660, 880].entries()) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, t0 + i * 0.2);
    gain.gain.exponentialRampToValueAtTime(0.2, t0 + i * 0.2 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + i * 0.2 + 0.18);
    osc.connect(gain).connect(audio.destination);
    osc.start(t0 + i * 0.2);
    osc.stop(t0 + i * 0.2 + 0.2);
  }
}

function notify(): void {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  try {
    notification?.close();
    notification = new Notification('Peerline', { body: ALERT_TEXT, tag: 'peerline-offer' });
    notification.onclick = () => {
      window.focus();
      notification?.close();
    };
  } catch {
    notification = null; // some browsers allow notifications only from a service worker
  }
}

/** The number of offers waiting changed (from offers.ts). */
export function offersWaiting(count: number, isNew: boolean): void {
  document.title = count > 0 ? `(${count}) ${ALERT_TEXT} — ${baseTitle}` : baseTitle;
  icon().href = count > 0 ? BADGE_ICON : PLAIN_ICON;
  if (count > 0 && isNew) {
    playSound();
    notify();
  }
  if (count === 0) {
    notification?.close();
    notification = null;
  }
}

function renderNotifyButton(): void {
  const supported = 'Notification' in window;
  const button = $('notify-allow') as HTMLButtonElement;
  const state = $('notify-state');
  if (!supported) {
    button.hidden = true;
    state.textContent = 'This browser cannot show notifications.';
  } else if (Notification.permission === 'granted') {
    button.hidden = true;
    state.textContent = 'Notifications are on for this browser.';
  } else if (Notification.permission === 'denied') {
    button.hidden = true;
    state.textContent = 'Notifications are blocked for this site; your browser’s site settings can allow them.';
  } else {
    button.hidden = false;
    state.textContent = '';
  }
}

$('offer-sound').addEventListener('change', () => {
  const on = $input('offer-sound').checked;
  try {
    if (on) localStorage.setItem(SOUND_KEY, 'on');
    else localStorage.removeItem(SOUND_KEY);
  } catch {
    /* storage disabled: the choice lasts for this page only */
  }
  if (on) {
    unlockSound();
    playSound(); // a sample, so the listener knows what to listen for
  }
});

$('notify-allow').addEventListener('click', () => {
  void Notification.requestPermission().then(renderNotifyButton);
});

$input('offer-sound').checked = soundWanted();
renderNotifyButton();
