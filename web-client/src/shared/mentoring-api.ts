// The mentoring part of the HTTP JSON API (issue 15; docs/PROTOCOL.md
// section 10, "Mentoring"), for the GP's mentoring page, the mentor's part
// of the listener console and the dashboard. Every path and body shape of
// the mentoring API is in this one file.
//
// The GP never has an account: a request and everything after it is
// authorised by the relationship token (relationship-key.ts, crypto_kdf
// subkey 1 of the key in the GP's browser), sent as `Authorization: Bearer`
// and never in a URL or a body. The mentor and the administrator use their
// ordinary session token (Api).
//
// Replies are checked here against explicit limits before a page uses them:
// outside input, like any other.
import { Api, ApiError } from './api';

export type Outcome = 'stayed_in_practice' | 'changed_how_i_work' | 'left' | 'prefer_not_to_say';
export const OUTCOMES: [Outcome, string][] = [
  ['stayed_in_practice', 'I have stayed in general practice'],
  ['changed_how_i_work', 'I have changed how I work'],
  ['left', 'I have left general practice'],
  ['prefer_not_to_say', 'I would prefer not to say'],
];

export type EndReason = 'completed' | 'referred_on' | 'mentee_asked' | 'not_a_fit' | 'other';
export const END_REASONS: [EndReason, string][] = [
  ['completed', 'The mentoring is complete'],
  ['referred_on', 'Referred on (GP health service or other support)'],
  ['mentee_asked', 'The mentee asked to end it'],
  ['not_a_fit', 'Not a good fit'],
  ['other', 'Another reason'],
];

/** The organisation's series defaults (`plan` in PROTOCOL.md 10.5). */
export interface PlanJson {
  sessions: number;
  session_minutes: number;
  min_months: number;
  max_months: number;
  min_gap_days: number;
}

/** A mentor's card as GET /api/mentoring/mentors publishes it (certificate: base64url). */
export interface MentorCardJson {
  id: string;
  display_name: string;
  profile: string;
  areas: string[];
  region: string;
  languages: string[];
  certificate: string;
}

export interface MentorsJson {
  mentors: MentorCardJson[];
  defaults: PlanJson;
  offer_hours: number;
  timezone: string;
}

export interface BookingJson {
  number: number;
  start_ms: number;
  end_ms: number;
  revision: number;
}

export interface SlotJson {
  start_ms: number;
  end_ms: number;
}

export type RelationshipState = 'offered' | 'declined' | 'active' | 'ended' | 'mentor_gone';

/** GET /api/mentoring/relationship: where the GP's request or relationship stands. */
export interface RelationshipJson {
  state: RelationshipState;
  /** offered: which choice holds it now (1-based), of how many, until when. */
  choice?: number;
  choices?: number;
  expires_at_ms?: number;
  relationship_id?: string;
  mentor?: MentorCardJson;
  plan?: PlanJson;
  bookings: BookingJson[];
  sessions_remaining?: number;
  outcome_due?: boolean;
}

export interface WeeklyJson {
  /** 0 = Sunday … 6 = Saturday, as the rota. */
  weekday: number;
  start: string;
  end: string;
}
export interface OneOffJson {
  date: string;
  start: string;
  end: string;
}
export interface AvailabilityJson {
  weekly: WeeklyJson[];
  one_off: OneOffJson[];
}

export interface CardBody {
  display_name: string;
  profile: string;
  areas: string[];
  region: string;
  languages: string[];
}

/** GET /api/mentoring/me. */
export interface MentorSelfJson {
  mentor_id: string;
  card?: CardBody;
  availability: AvailabilityJson;
  timezone: string;
}

/** A request offered to this mentor now, with the GP's note sealed to the mentor's signed key (or none). */
export interface MentorRequestJson {
  request_id: string;
  note?: string;
  offered_at_ms: number;
  expires_at_ms: number;
}

export interface MenteeJson {
  /** Random: the key of the mentor's own pseudonym and notes on their device. */
  relationship_id: string;
  state: 'active' | 'ended';
  plan: PlanJson;
  bookings: BookingJson[];
  sessions_remaining: number;
  started_ms: number;
}

export interface MentorLoadJson {
  mentor_id: string;
  username: string;
  display_name?: string;
  active_relationships: number;
  sessions_this_month: number;
  requests_waiting: number;
  oldest_request_wait_s?: number;
}

/**
 * GET /api/admin/mentoring: counts only. `counts` holds running totals, each
 * present once non-zero (`requests`, `accepted`, `offers_declined`,
 * `offers_expired`, `requests_declined`, `ended_early_<reason>`,
 * `mentor_gone`, `outcome_<answer>`); `series_completed` is there on a server
 * that counts series, relationships ended early and outcomes (PROTOCOL.md 10.7).
 */
export interface MentoringStatsJson {
  mentors: MentorLoadJson[];
  requests_waiting: number;
  oldest_request_wait_s?: number;
  relationships_active: number;
  counts?: Record<string, number>;
  series_completed?: number;
}

/** Limits on what comes back (the server has its own; these stop a page trusting a bad reply). */
export const REPLY_LIMITS = { sessions: 12, slots: 2000, requests: 200, mentees: 500, mentors: 500 } as const;

function bad(what: string): ApiError {
  return new ApiError(0, 'bad_reply', `The server's reply was not understood (${what}).`);
}

const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkBookings(list: unknown): BookingJson[] {
  if (!Array.isArray(list) || list.length > REPLY_LIMITS.sessions) throw bad('bookings');
  for (const x of list as BookingJson[]) {
    if (!isObject(x) || !Number.isInteger(x.number) || x.number < 1 || x.number > REPLY_LIMITS.sessions
      || !isMs(x.start_ms) || !isMs(x.end_ms) || x.end_ms <= x.start_ms || !Number.isInteger(x.revision ?? 0)) {
      throw bad('a booking');
    }
    x.revision ??= 0;
  }
  return list as BookingJson[];
}

function checkPlan(p: unknown): PlanJson {
  const x = p as PlanJson;
  const ok = (n: unknown, lo: number, hi: number) => Number.isInteger(n) && (n as number) >= lo && (n as number) <= hi;
  if (!isObject(p) || !ok(x.sessions, 1, REPLY_LIMITS.sessions) || !ok(x.session_minutes, 15, 240)
    || !ok(x.min_months, 0, 24) || !ok(x.max_months, 1, 24) || !ok(x.min_gap_days, 0, 366)) throw bad('plan');
  return x;
}

/** A relationship as GET /api/mentoring/relationship returns it, or ApiError bad_reply. */
export function checkRelationship(r: unknown): RelationshipJson {
  if (!isObject(r)) throw bad('relationship');
  const x = r as unknown as RelationshipJson;
  if (!['offered', 'declined', 'active', 'ended', 'mentor_gone'].includes(x.state)) throw bad('state');
  x.bookings = checkBookings(x.bookings ?? []);
  if (x.plan !== undefined) checkPlan(x.plan);
  if (x.state === 'active' && x.plan === undefined) throw bad('plan');
  // The mentor's card is left out when it cannot be shown (no card, no valid certificate).
  if (x.mentor !== undefined && !isObject(x.mentor)) throw bad('mentor');
  return x;
}

/** The GP's side: no account, the relationship token only. */
export class GpMentoringApi {
  constructor(private readonly base = '') {}

  /** Every published card (the browser filters and ranks them; parseMentorCards checks each) and the defaults. */
  async mentors(): Promise<MentorsJson> {
    const r = await new Api(this.base).request<unknown>('GET', '/api/mentoring/mentors');
    if (!isObject(r) || !Array.isArray(r.mentors) || r.mentors.length > REPLY_LIMITS.mentors) throw bad('mentors');
    const x = r as unknown as MentorsJson;
    checkPlan(x.defaults);
    return x;
  }

  /** Asks the first choice; the others in order after a decline or time-out. Notes: sealed per mentor, base64url. */
  request(token: string, choices: { mentor_id: string; note?: string }[]): Promise<unknown> {
    return this.withToken(token, 'POST', '/api/mentoring/requests', { choices });
  }

  async relationship(token: string): Promise<RelationshipJson> {
    return checkRelationship(await this.withToken(token, 'GET', '/api/mentoring/relationship'));
  }

  /** The mentor's free windows overlapping [from, to) (at most 400 days). */
  async slots(token: string, fromMs: number, toMs: number): Promise<SlotJson[]> {
    const r = await this.withToken(token, 'GET',
      `/api/mentoring/relationship/slots?from_ms=${Math.floor(fromMs)}&to_ms=${Math.floor(toMs)}`);
    if (!isObject(r) || !Array.isArray(r.slots) || r.slots.length > REPLY_LIMITS.slots) throw bad('slots');
    for (const s of r.slots as SlotJson[]) {
      if (!isObject(s) || !isMs(s.start_ms) || !isMs(s.end_ms) || s.end_ms <= s.start_ms) throw bad('a slot');
    }
    return r.slots as SlotJson[];
  }

  /** Books every unbooked session at once (all or nothing on the server). */
  async book(token: string, sessions: SlotJson[]): Promise<BookingJson[]> {
    return bookings(await this.withToken(token, 'PUT', '/api/mentoring/relationship/bookings', { sessions }));
  }

  /** Moves session `from` (one entry) or `from` and every later one (one entry each), all or nothing. */
  async move(token: string, from: number, sessions: SlotJson[]): Promise<BookingJson[]> {
    return bookings(await this.withToken(token, 'POST', '/api/mentoring/relationship/bookings/move', { from, sessions }));
  }

  /** Cancels session `number` and every later one (they can be booked again). */
  async cancelFrom(token: string, number: number): Promise<void> {
    await this.withToken(token, 'DELETE', `/api/mentoring/relationship/bookings/${Math.floor(number)}`);
  }

  async outcome(token: string, outcome: Outcome): Promise<void> {
    await this.withToken(token, 'POST', '/api/mentoring/relationship/outcome', { outcome });
  }

  private withToken(token: string, method: string, path: string, body?: unknown): Promise<unknown> {
    // A fresh Api per call: the relationship token is held by the page's
    // state alone, and nothing here keeps it between requests.
    const one = new Api(this.base);
    one.setToken(token);
    return one.request(method, path, body);
  }
}

function bookings(r: unknown): BookingJson[] {
  if (!isObject(r)) throw bad('bookings');
  return checkBookings(r.bookings);
}

/** The mentor's side, on their signed-in listener session. */
export class MentorApi {
  constructor(private readonly api: Api) {}

  /** The mentor's own record, or null when this listener does not hold the mentor capability. */
  async me(): Promise<MentorSelfJson | null> {
    try {
      const r = await this.api.get<unknown>('/api/mentoring/me');
      if (!isObject(r) || !isObject(r.availability)) throw bad('mentor');
      return r as unknown as MentorSelfJson;
    } catch (e) {
      if (e instanceof ApiError && e.status === 403) return null;
      throw e;
    }
  }

  saveCard(card: CardBody): Promise<unknown> {
    return this.api.put('/api/mentoring/card', card);
  }

  saveAvailability(a: AvailabilityJson): Promise<unknown> {
    return this.api.put('/api/mentoring/availability', a);
  }

  async requests(): Promise<MentorRequestJson[]> {
    const r = await this.api.get<unknown>('/api/mentoring/requests');
    if (!isObject(r) || !Array.isArray(r.requests) || r.requests.length > REPLY_LIMITS.requests) throw bad('requests');
    return r.requests as MentorRequestJson[];
  }

  async accept(requestId: string): Promise<string> {
    const r = await this.api.post<{ relationship_id: string }>(`/api/mentoring/requests/${encodeURIComponent(requestId)}/accept`);
    return r.relationship_id;
  }

  decline(requestId: string): Promise<unknown> {
    return this.api.post(`/api/mentoring/requests/${encodeURIComponent(requestId)}/decline`);
  }

  async mentees(): Promise<MenteeJson[]> {
    const r = await this.api.get<unknown>('/api/mentoring/relationships');
    if (!isObject(r) || !Array.isArray(r.relationships) || r.relationships.length > REPLY_LIMITS.mentees) throw bad('mentees');
    for (const m of r.relationships as MenteeJson[]) m.bookings = checkBookings(m.bookings ?? []);
    return r.relationships as MenteeJson[];
  }

  end(relationshipId: string, reason: EndReason): Promise<unknown> {
    return this.api.post(`/api/mentoring/relationships/${encodeURIComponent(relationshipId)}/end`, { reason });
  }
}

/** The dashboard's mentoring figures. */
export async function mentoringStats(api: Api): Promise<MentoringStatsJson> {
  const r = await api.get<unknown>('/api/admin/mentoring');
  if (!isObject(r) || !Array.isArray(r.mentors) || r.mentors.length > REPLY_LIMITS.mentors
    || (r.counts !== undefined && !isObject(r.counts))) {
    throw bad('mentoring figures');
  }
  return r as unknown as MentoringStatsJson;
}

/** Grants or withdraws the mentor capability (administrator). */
export function setMentor(api: Api, username: string, mentor: boolean): Promise<unknown> {
  return api.put(`/api/admin/accounts/${encodeURIComponent(username)}/mentor`, { mentor });
}
