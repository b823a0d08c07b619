// "My shifts": the listener's own upcoming shifts (GET /api/rota).
import { describeApiError } from '../shared/api';
import { $, formatTime, h } from '../shared/dom';
import { s } from './state';

interface RotaReply {
  upcoming?: { start_ms: number; end_ms: number }[];
  on_shift_until_ms?: number;
  next_staffed_ms?: number;
}

export async function loadRota(): Promise<void> {
  try {
    const r = (await s.api.rota()) as RotaReply;
    const up = [...(r.upcoming ?? [])].sort((a, b) => a.start_ms - b.start_ms);
    $('rota-now').textContent = r.on_shift_until_ms
      ? `You are on shift until ${formatTime(r.on_shift_until_ms)}.`
      : 'You are not on shift now.';
    $('rota-body').replaceChildren(...up.slice(0, 7).map((i) =>
      h('tr', {}, h('td', {}, formatTime(i.start_ms)), h('td', {}, formatTime(i.end_ms)))));
    $('rota-table').hidden = up.length === 0;
    $('rota-empty').hidden = up.length > 0;
  } catch (err) {
    $('rota-now').textContent = `Shifts could not be loaded: ${describeApiError(err)}`;
  }
}

