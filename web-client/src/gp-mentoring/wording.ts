// The organisation's mentoring defaults in plain words on the page ("four
// two-hour sessions over six to twelve months", "three days to answer"),
// once the cards have brought them.
import { $ } from '../shared/dom';
import { m } from './state';

const WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
const say = (n: number) => WORDS[n] ?? String(n);

export function showDefaults(): void {
  $('answer-days').textContent = describeHours(m.offerHours);
  const d = m.defaults;
  if (d) $('start-series').textContent = describeSeries(d.sessions, d.session_minutes, d.min_months, d.max_months);
}

export function describeHours(hours: number): string {
  if (hours >= 24 && hours % 24 === 0) return `${say(hours / 24)} day${hours === 24 ? '' : 's'}`;
  return `${say(hours)} hour${hours === 1 ? '' : 's'}`;
}

export function describeSeries(sessions: number, minutes: number, minMonths: number, maxMonths: number): string {
  const length = minutes % 60 === 0 ? `${say(minutes / 60)}-hour` : `${minutes}-minute`;
  const span = minMonths > 0 ? `${say(minMonths)} to ${say(maxMonths)}` : `up to ${say(maxMonths)}`;
  return `${say(sessions)} ${length} session${sessions === 1 ? '' : 's'} over ${span} month${maxMonths === 1 ? '' : 's'}`;
}
