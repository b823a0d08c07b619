// "My shifts": the listener's own upcoming shifts (GET /api/rota).
import { describeApiError } from '../shared/api';
import { setTimeZone } from '../shared/datetime';
import { $, formatTime, h } from '../shared/dom';
import { s } from './state';

interface RotaReply {
  upcoming?: { start_ms: number; end_ms: number }[];
  on_shift_until_ms?: number;
  next_staffed_ms?: number;
  timezone?: string;
}

const SHOWN = 7;

export async function loadRota(): Promise<void> {
  try {
    const r = (await s.api.rota()) as RotaReply;
    setTimeZone(r.timezone);
    const up = [...(r.upcoming ?? [])].sort((a, b) => a.start_ms - b.start_ms);
    $('rota-now').textContent = r.on_shift_until_ms
      ? `You are on shift until ${formatTime(r.on_shift_until_ms)}${
        up.length > 0 && r.on_shift_until_ms > up[Math.min(up.length, SHOWN) - 1].end_ms ? ' (shifts that follow one another count as one)' : ''}.`
      : 'You are not on shift now.';
    // The table shows the next few; say so when there are more, so its last
    // row is not read as the end of the rota.
    $('rota-more').textContent = up.length > SHOWN ? `The next ${SHOWN} of ${up.length} shifts.` : '';
    $('rota-body').replaceChildren(...up.slice(0, SHOWN).map((i) =>
      h('tr', {}, h('td', {}, formatTime(i.start_ms)), h('td', {}, formatTime(i.end_ms)))));
    $('rota-table').hidden = up.length === 0;
    $('rota-empty').hidden = up.length > 0;
  } catch (err) {
    $('rota-now').textContent = `Shifts could not be loaded: ${describeApiError(err)}`;
  }
}

