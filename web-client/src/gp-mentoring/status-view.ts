// "Where my request stands": which choice holds it and until when, every
// choice having passed, an active relationship (then on to the sessions),
// or the mentor no longer being available (the GP may ask another mentor,
// keeping the sessions left).
import { describeApiError } from '../shared/api';
import { formatDateTime } from '../shared/datetime';
import { $, h, setError, showView } from '../shared/dom';
import type { RelationshipJson } from '../shared/mentoring-api';
import { m } from './state';

const ordinal = (n: number) => ['first', 'second', 'third'][n - 1] ?? `number ${n}`;

/** The sentences for a relationship's state. */
export function statusLines(r: RelationshipJson, nowMs = Date.now()): string[] {
  switch (r.state) {
    case 'offered': {
      const choice = r.choice ?? 1;
      const choices = r.choices ?? 1;
      return [`Your request is with your ${ordinal(choice)} choice (of ${choices}).`,
        r.expires_at_ms ? `They have until ${formatDateTime(r.expires_at_ms, nowMs)} to answer. If they decline or do not `
          + `answer by then, it passes ${choice < choices ? `to your ${ordinal(choice + 1)} choice` : 'back to you'}.` : ''].filter(Boolean);
    }
    case 'declined':
      return ['None of the mentors you chose could take you on this time. You can choose others with the same key.'];
    case 'active':
      return [`${r.mentor?.display_name ?? 'Your mentor'} has accepted.`];
    case 'mentor_gone': {
      const left = r.sessions_remaining ?? 0;
      return ['Your mentor is no longer available as a mentor. We are sorry.',
        `You can choose another mentor${left ? ` for the ${left} session${left === 1 ? '' : 's'} you have left` : ''}.`];
    }
    case 'ended':
      return ['This mentoring has ended.'];
    default:
      return [];
  }
}

export function showStatus(r: RelationshipJson): void {
  m.relationship = r;
  $('request-status').replaceChildren(...statusLines(r).map((l) => h('p', {}, l)));
  $('status-book').hidden = r.state !== 'active' && !(r.state === 'ended' && r.outcome_due);
  $('status-book').textContent = r.state === 'active' ? 'See and book my sessions' : 'Answer the last question';
  $('status-again').hidden = !(r.state === 'declined' || r.state === 'mentor_gone');
}

/** How many times "Check again" has asked, and which of those answers is on screen. */
let asked = 0;
let shown = 0;

/**
 * Asks the server again and shows the answer. Answers can arrive out of
 * order (each ask is its own request): one older than the answer already
 * shown is dropped, so the page never steps back to where the request stood
 * before.
 */
export async function refreshStatus(): Promise<RelationshipJson | null> {
  if (!m.token) return null;
  const mine = ++asked;
  try {
    const r = await m.api.relationship(m.token);
    if (mine < shown) return null;
    shown = mine;
    setError('page-error', null);
    showStatus(r);
    return r;
  } catch (e) {
    if (mine < shown) return null;
    setError('page-error', describeApiError(e));
    return null;
  }
}

export function openStatus(r: RelationshipJson): void {
  showStatus(r);
  showView('view-status');
}
