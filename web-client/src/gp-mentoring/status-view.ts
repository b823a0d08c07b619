// "Where my request stands": which choice is being asked and until when, an
// acceptance (then on to booking), every choice having passed, or the
// mentor no longer being available (the GP may ask another, keeping the
// sessions left).
import { describeApiError } from '../shared/api';
import { formatDateTime } from '../shared/datetime';
import { $, h, setError, showView } from '../shared/dom';
import type { RelationshipJson } from '../shared/mentoring-api';
import { m } from './state';

const ordinal = (n: number) => ['first', 'second', 'third'][n - 1] ?? `number ${n}`;

/** The sentences for a relationship's state (also used by the tests of the page). */
export function statusLines(r: RelationshipJson, nowMs = Date.now()): string[] {
  if (r.mentor_unavailable) {
    const left = r.sessions.filter((x) => !x.cancelled && x.start_ms > nowMs).length;
    return [`${r.mentor?.display_name ?? 'Your mentor'} is no longer available as a mentor.`,
      `You can choose another mentor${left ? ` for the ${left} session${left === 1 ? '' : 's'} you have left` : ''}.`];
  }
  switch (r.state) {
    case 'waiting':
      return [`Your request is with your ${ordinal(r.asking)} choice (of ${r.choices}).`,
        r.answer_by_ms ? `They have until ${formatDateTime(r.answer_by_ms, nowMs)} to answer; if they do not, it passes `
          + (r.asking < r.choices ? `to your ${ordinal(r.asking + 1)} choice.` : 'back to you.') : ''].filter(Boolean);
    case 'accepted':
      return [`${r.mentor?.display_name ?? 'Your mentor'} has accepted. You can now book your sessions.`];
    case 'exhausted':
      return ['None of the mentors you chose could take you on this time. You can choose others.'];
    case 'ended':
      return ['This mentoring has ended.'];
    default:
      return [];
  }
}

export function showStatus(r: RelationshipJson): void {
  m.relationship = r;
  $('request-status').replaceChildren(...statusLines(r).map((l) => h('p', {}, l)));
  $('status-book').hidden = !(r.state === 'accepted' && !r.mentor_unavailable);
  $('status-again').hidden = !(r.state === 'exhausted' || r.mentor_unavailable);
}

/** Asks the server again and shows the answer. */
export async function refreshStatus(): Promise<RelationshipJson | null> {
  if (!m.token) return null;
  try {
    const r = await m.api.relationship(m.token);
    setError('page-error', null);
    showStatus(r);
    return r;
  } catch (e) {
    setError('page-error', describeApiError(e));
    return null;
  }
}

export function openStatus(r: RelationshipJson): void {
  showStatus(r);
  showView('view-status');
}
