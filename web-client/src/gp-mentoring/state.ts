// The GP mentoring page's state, shared by its modules. Memory only: the
// relationship key, its token and everything the server said go when the tab
// does (the storage rule: this page stores nothing; the GP keeps the key by
// writing the words down).
import type { CardFilter, MentorCard, RankedCard } from '../mentoring/mentor-cards';
import type { Series } from '../mentoring/series-planner';
import { type BookingJson, GpMentoringApi, type MentorCardJson, type PlanJson, type RelationshipJson } from '../shared/mentoring-api';

export const m = {
  api: new GpMentoringApi(),
  /** The organisation's series defaults and how long each mentor asked has to answer (GET /api/mentoring/mentors). */
  defaults: null as PlanJson | null,
  offerHours: 72,
  /** Every published card, checked (parseMentorCards), with its certificate by mentor id. */
  cards: [] as MentorCard[],
  certificates: new Map<string, string>(),
  raw: [] as MentorCardJson[],
  filter: {} as CardFilter,
  shown: [] as RankedCard[],
  /** Mentor ids in order of preference, and the optional note to each (plaintext until sent). */
  choices: [] as string[],
  notes: new Map<string, string>(),
  /** The relationship key (32 bytes) and its token; null until made or restored. */
  key: null as Uint8Array | null,
  token: null as string | null,
  relationship: null as RelationshipJson | null,
  /** The series the planner proposed, before it is booked. */
  proposal: null as Series | null,
  /**
   * Sessions cancelled in this tab, by number, as they were: so a calendar
   * file downloaded afterwards marks them cancelled and the GP's calendar
   * drops them (the server no longer lists them).
   */
  cancelled: new Map<number, BookingJson>(),
};

/** Forgets the key (wiped) and everything that came with it. */
export function forgetKey(): void {
  m.key?.fill(0);
  m.key = null;
  m.token = null;
  m.relationship = null;
  m.proposal = null;
  m.cancelled.clear();
  m.choices = [];
  m.notes.clear();
}
