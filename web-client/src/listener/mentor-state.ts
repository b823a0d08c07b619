// The mentor part of the listener console: its state, shared by
// mentor-profile.ts and mentor-work.ts (mentor.ts starts and stops it).
import type { MentorApi, MentorSelfJson } from '../shared/mentoring-api';

export const mentor = {
  api: null as MentorApi | null,
  me: null as MentorSelfJson | null,
  /** Polls requests and bookings while signed in (there is no push for mentoring yet). */
  timer: 0,
  /** Request ids already announced, so a poll announces only new ones. */
  seen: new Set<string>(),
};
