// The mentor part of the listener console, for accounts holding the mentor
// capability (GET /api/mentoring/me answers 403 to any other listener): card and availability (mentor-profile.ts),
// requests and mentees (mentor-work.ts). Polled while signed in: mentoring
// has no WebSocket push yet (PROTOCOL.md 10.7).
import { describeApiError } from '../shared/api';
import { $ } from '../shared/dom';
import { MentorApi } from '../shared/mentoring-api';
import { showProfile } from './mentor-profile';
import { refreshMentorWork } from './mentor-work';
import { mentor } from './mentor-state';
import { s } from './state';

export const POLL_MS = 30_000;

/**
 * After sign-in: shows the panel if this listener is a mentor. GET /api/me
 * says so when the server reports the capability there (`mentor`); a server
 * that does not gets a "Peer mentoring" button instead, so a listener who is
 * not a mentor never has a refused request in their console.
 */
export async function startMentor(): Promise<void> {
  mentor.api = new MentorApi(s.api);
  let flag: boolean | undefined;
  try {
    flag = ((await s.api.me()) as { mentor?: unknown }).mentor as boolean | undefined;
  } catch {
    flag = undefined;
  }
  $('mentor-open').hidden = flag !== undefined;
  if (flag === true) await openMentor();
}

$('mentor-open').addEventListener('click', () => void openMentor(true));

async function openMentor(fromClick = false): Promise<void> {
  if (!mentor.api) return;
  $('mentor-open').hidden = true;
  let problem: string | null = null;
  try {
    mentor.me = await mentor.api.me();
  } catch (e) {
    problem = describeApiError(e);
    mentor.me = null;
  }
  $('mentor-panel').hidden = false;
  $('mentor-work').hidden = mentor.me === null;
  $('mentor-not').hidden = mentor.me !== null;
  if (fromClick) $('mentor-title').focus();
  if (!mentor.me) {
    $('mentor-not').textContent = problem
      ?? 'Your account does not hold the mentor capability. An administrator grants it to certified listeners.';
    return;
  }
  showProfile(mentor.me);
  await refreshMentorWork();
  window.clearInterval(mentor.timer);
  mentor.timer = window.setInterval(() => void refreshMentorWork(), POLL_MS);
}

/** At sign-out: stops polling and clears what was shown. */
export function stopMentor(): void {
  window.clearInterval(mentor.timer);
  mentor.timer = 0;
  mentor.api = null;
  mentor.me = null;
  mentor.seen.clear();
  $('mentor-panel').hidden = true;
  $('mentor-open').hidden = true;
  for (const id of ['mreq-list', 'mentees-list', 'weekly-list', 'oneoff-list']) $(id).replaceChildren();
}
