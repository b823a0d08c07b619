// Availability: the state the server confirms (available, busy, wrap-up
// with its end time, away) and the buttons that ask to change it.
import { formatClock } from '../shared/datetime';
import { $, announce, setError } from '../shared/dom';
import { s } from './state';

export const STATE_TEXT: Record<string, string> = {
  available: 'Available',
  busy: 'Busy',
  wrapup: 'Wrap-up pause',
  away: 'Away',
  offline: 'Offline',
};

export const REASON_TEXT: Record<string, string> = {
  offer_missed: 'You were set to away because an offer was not answered in time.',
  shift_ended: 'Your shift has ended.',
  shift_limit: 'You have reached this shift’s conversation limit.',
  wrapup: 'A short pause after your conversation before the next offer.',
};

let wrapupUntilMs = 0;

function wrapupLeft(): string {
  const left = Math.max(0, Math.ceil((wrapupUntilMs - Date.now()) / 1000));
  return `${left} s`;
}

export function setAvailability(state: string, reason?: string, untilMs?: number): void {
  s.availability = state;
  const pill = $('avail-state');
  pill.dataset.state = state;
  pill.textContent = STATE_TEXT[state] ?? state;
  window.clearInterval(s.wrapTimer);
  const detail = $('avail-detail');
  $('avail-note').textContent = '';
  detail.textContent = reason ? REASON_TEXT[reason] ?? '' : '';
  wrapupUntilMs = state === 'wrapup' && untilMs ? untilMs : 0;
  if (state === 'wrapup' && untilMs) {
    const tick = () => {
      detail.textContent = `${REASON_TEXT.wrapup} Next offer possible in ${wrapupLeft()} (at ${formatClock(untilMs)}); you need not press anything.`;
    };
    tick();
    s.wrapTimer = window.setInterval(tick, 1000);
  }
  updateAvailabilityButtons();
}

export function updateAvailabilityButtons(): void {
  const online = s.ws?.isOnline ?? false;
  ($('go-available') as HTMLButtonElement).disabled =
    !online || !s.certified || s.availability === 'available' || s.availability === 'busy';
  $('avail-needs-key').hidden = s.certified;
  ($('go-away') as HTMLButtonElement).disabled = !online || s.availability === 'away' || s.availability === 'offline';
}

$('go-available').addEventListener('click', () => {
  setError('avail-error', null);
  if (s.availability === 'wrapup' && wrapupUntilMs > Date.now()) {
    // Already available: the pause simply has to run out. Say so, rather than
    // send a request whose answer changes nothing on screen.
    const text = `You are already set to take GPs. The pause after your conversation has ${wrapupLeft()} left; offers start again after it.`;
    $('avail-note').textContent = text;
    announce(text);
    return;
  }
  s.ws?.send({ type: 'set_availability', state: 'available' });
});
$('go-away').addEventListener('click', () => {
  setError('avail-error', null);
  s.ws?.send({ type: 'set_availability', state: 'away' });
});

