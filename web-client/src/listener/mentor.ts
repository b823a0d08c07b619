// The mentor part of the listener console, for accounts holding the mentor
// capability (GET /api/mentoring/me answers 403 to any other listener, and
// the panel stays hidden): card and availability (mentor-profile.ts),
// requests and mentees (mentor-work.ts). Polled while signed in: mentoring
// has no WebSocket push yet (PROTOCOL.md 10.7).
import { describeApiError } from '../shared/api';
import { $, setError } from '../shared/dom';
import { MentorApi } from '../shared/mentoring-api';
import { showProfile } from './mentor-profile';
import { refreshMentorWork } from './mentor-work';
import { mentor } from './mentor-state';
import { s } from './state';

export const POLL_MS = 30_000;

/** After sign-in: shows the panel if this listener is a mentor. */
export async function startMentor(): Promise<void> {
  mentor.api = new MentorApi(s.api);
  try {
    mentor.me = await mentor.api.me();
  } catch (e) {
    setError('mentor-error', describeApiError(e));
    mentor.me = null;
  }
  $('mentor-panel').hidden = mentor.me === null;
  if (!mentor.me) return;
  showProfile(mentor.me);
  await refreshMentorWork();
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
  for (const id of ['mreq-list', 'mentees-list', 'weekly-list', 'oneoff-list']) $(id).replaceChildren();
}
