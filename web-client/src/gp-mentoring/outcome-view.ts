// The outcome question after the last session (stayed in practice, changed
// how I work, left, prefer not to say), sent once and only counted.
import { describeApiError } from '../shared/api';
import { $, h, setError } from '../shared/dom';
import { OUTCOMES } from '../shared/mentoring-api';
import { m } from './state';

$('outcome-options').replaceChildren(...OUTCOMES.map(([v, label]) =>
  h('label', { class: 'check' }, h('input', { type: 'radio', name: 'outcome', value: v }), ' ', label)));

$('outcome-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const chosen = document.querySelector<HTMLInputElement>('input[name="outcome"]:checked');
  if (!chosen || !m.token) return;
  const btn = $<HTMLButtonElement>('outcome-send');
  btn.disabled = true;
  try {
    await m.api.outcome(m.token, chosen.value as (typeof OUTCOMES)[number][0]);
    $('outcome-done').hidden = false;
    $('outcome-done').focus();
  } catch (err) {
    btn.disabled = false;
    setError('series-error', describeApiError(err));
  }
});
