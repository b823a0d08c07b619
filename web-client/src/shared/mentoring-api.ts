// The mentoring part of the HTTP JSON API (issue 15; docs/PROTOCOL.md,
// "Mentoring", written by the server side), for the GP's mentoring page, the
// mentor's screens in the listener page and the dashboard. Every path and
// body shape of the mentoring API is in this one file, so the pages follow
// the server by changing it alone.
//
// The GP side never has an account: a request and everything after it is
// authorised by the relationship token (relationship-key.ts, crypto_kdf
// subkey 1 of the key in the GP's browser), sent as `Authorization: Bearer`
// like a session token and never in a URL. The mentor and the administrator
// use their ordinary session token (Api).
//
// Replies are checked here against explicit limits before a page sees them:
// outside input, like any other.
import { Api, ApiError } from './api';

export type RequestState = 'waiting' | 'accepted' | 'exhausted' | 'ended';
export type Outcome = 'stayed' | 'changed' | 'left' | 'prefer_not_to_say';
export const OUTCOMES: [Outcome, string][] = [
  ['stayed', 'I have stayed in general practice'],
  ['changed', 'I have changed how I work'],
  ['left', 'I have left general practice'],
  ['prefer_not_to_say', 'I would prefer not to say'],
];

/** The organisation's mentoring settings (GET /api/mentoring/config). */
export interface MentoringConfig {
  sessions: number;
  session_minutes: number;
  min_months: number;
  max_months: number;
  min_gap_days: number;
  /** How long each mentor asked has to answer before the request passes on. */
  answer_within_s: number;
}

/** A mentor's card as the server publishes it, with the certificate the GP checks before sealing a note. */
export interface MentorCardJson {
  id: string;
  display_name: string;
  profile: string;
  areas: string[];
  region: string;
  languages: string[];
  /** base64url of the mentor's listener certificate (PSC-1). */
  certificate: string;
}

export interface SessionJson {
  number: number;
  start_ms: number;
  end_ms: number;
  revision: number;
  cancelled?: boolean;
}

export interface SlotJson {
  start_ms: number;
  end_ms: number;
}

/** Where the GP's request stands (GET /api/mentoring/relationship). */
export interface RelationshipJson {
  state: RequestState;
  /** 1-based: which of the GP's choices is being asked now (waiting). */
  asking: number;
  choices: number;
  /** When the mentor asked now must answer by (waiting). */
  answer_by_ms?: number;
  /** Once accepted. */
  mentor?: { id: string; display_name: string; certificate: string };
  series_length: number;
  sessions: SessionJson[];
  /** The mentor lost their certificate or was disabled: the GP may ask for another. */
  mentor_unavailable?: boolean;
  outcome_asked?: boolean;
}

/** The mentor's weekly pattern and one-off slots, local to the organisation's time zone. */
export interface WeeklyJson {
  /** 1 = Monday … 7 = Sunday (ISO). */
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

/** A request waiting for this mentor, with the GP's note sealed to the mentor's signed key (or none). */
export interface MentorRequestJson {
  id: string;
  asked_ms: number;
  answer_by_ms: number;
  /** base64url of the sealed note (request-note.ts), absent when the GP wrote none. */
  note?: string;
}

export interface MenteeJson {
  /** The relationship id: random, the key of the mentor's own pseudonym and notes on their device. */
  id: string;
  since_ms: number;
  series_length: number;
  sessions: SessionJson[];
  ended?: boolean;
}

export interface MentorLoadJson {
  display_name: string;
  active: number;
  sessions_this_month: number;
  requests_waiting: number;
  longest_wait_s: number | null;
}

/** The dashboard's mentoring figures (GET /api/admin/mentoring): counts only. */
export interface MentoringStatsJson {
  mentors: MentorLoadJson[];
  series_completed: number;
  ended_early: number;
  outcomes: Record<Outcome, number>;
}

/** Limits on what comes back (the server has its own; these stop a page trusting a bad reply). */
export const REPLY_LIMITS = { sessions: 24, slots: 2000, requests: 200, mentees: 500, mentors: 500, weekly: 50, oneOff: 500 } as const;

function bad(what: string): ApiError {
  return new ApiError(0, 'bad_reply', `The server's reply was not understood (${what}).`);
}

const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function checkSessions(list: unknown, max: number = REPLY_LIMITS.sessions): SessionJson[] {
  if (!Array.isArray(list) || list.length > max) throw bad('sessions');
  for (const x of list as SessionJson[]) {
    if (typeof x !== 'object' || x === null || !Number.isInteger(x.number) || x.number < 1 || x.number > max
      || !isMs(x.start_ms) || !isMs(x.end_ms) || x.end_ms <= x.start_ms || !Number.isInteger(x.revision ?? 0)) {
      throw bad('a session');
    }
  }
  return list as SessionJson[];
}

function checkSlots(list: unknown): SlotJson[] {
  if (!Array.isArray(list) || list.length > REPLY_LIMITS.slots) throw bad('slots');
  for (const x of list as SlotJson[]) {
    if (typeof x !== 'object' || x === null || !isMs(x.start_ms) || !isMs(x.end_ms) || x.end_ms <= x.start_ms) throw bad('a slot');
  }
  return list as SlotJson[];
}

function checkRelationship(r: unknown): RelationshipJson {
  const x = r as RelationshipJson;
  if (typeof x !== 'object' || x === null) throw bad('relationship');
  if (!['waiting', 'accepted', 'exhausted', 'ended'].includes(x.state)) throw bad('state');
  if (!Number.isInteger(x.series_length) || x.series_length < 1 || x.series_length > REPLY_LIMITS.sessions) throw bad('series_length');
  checkSessions(x.sessions ?? [], x.series_length);
  x.sessions ??= [];
  return x;
}

/** The GP's side: no account, the relationship token only. */
export class GpMentoringApi {
  private readonly api: Api;

  constructor(private readonly base = '') {
    this.api = new Api(base);
  }

  config(): Promise<MentoringConfig> {
    return this.api.request('GET', '/api/mentoring/config');
  }

  /** Every published card (the browser filters and ranks them; parseMentorCards checks them). */
  async mentors(): Promise<MentorCardJson[]> {
    const list = await this.api.request<unknown>('GET', '/api/mentoring/mentors');
    if (!Array.isArray(list) || list.length > REPLY_LIMITS.mentors) throw bad('mentors');
    return list as MentorCardJson[];
  }

  /** Asks the first choice; the others in order after a decline or time-out. Notes are sealed per mentor, base64url. */
  async request(token: string, choices: { mentor: string; note?: string }[]): Promise<RelationshipJson> {
    return checkRelationship(await this.withToken(token, 'POST', '/api/mentoring/requests', { choices }));
  }

  async relationship(token: string): Promise<RelationshipJson> {
    return checkRelationship(await this.withToken(token, 'GET', '/api/mentoring/relationship'));
  }

  /** The mentor's free slots from `from_ms` (their availability less every booking). */
  async slots(token: string, fromMs: number): Promise<SlotJson[]> {
    return checkSlots(await this.withToken(token, 'GET', `/api/mentoring/relationship/slots?from_ms=${Math.floor(fromMs)}`));
  }

  /** Books the whole series at once (all or nothing on the server). */
  async book(token: string, sessions: { number: number; start_ms: number; end_ms: number }[]): Promise<RelationshipJson> {
    return checkRelationship(await this.withToken(token, 'PUT', '/api/mentoring/relationship/sessions', { sessions }));
  }

  /** Moves sessions (one, or this and all later ones, as the planner computed), all or nothing. */
  async move(token: string, sessions: { number: number; start_ms: number; end_ms: number }[]): Promise<RelationshipJson> {
    return checkRelationship(await this.withToken(token, 'POST', '/api/mentoring/relationship/sessions/move', { sessions }));
  }

  async cancel(token: string, number: number): Promise<RelationshipJson> {
    return checkRelationship(await this.withToken(token, 'POST', '/api/mentoring/relationship/sessions/cancel', { number }));
  }

  /** Asks for another mentor when this one is no longer available, keeping the sessions left. */
  async askAgain(token: string, choices: { mentor: string; note?: string }[]): Promise<RelationshipJson> {
    return checkRelationship(await this.withToken(token, 'POST', '/api/mentoring/relationship/reassign', { choices }));
  }

  outcome(token: string, outcome: Outcome): Promise<void> {
    return this.withToken(token, 'POST', '/api/mentoring/relationship/outcome', { outcome }) as Promise<void>;
  }

  private withToken(token: string, method: string, path: string, body?: unknown): Promise<unknown> {
    // A fresh Api per call: the relationship token is held by the page's
    // state alone, and this object keeps nothing between requests.
    const one = new Api(this.base);
    one.setToken(token);
    return one.request(method, path, body);
  }
}

/** The mentor's side, on their signed-in listener session. */
export class MentorApi {
  constructor(private readonly api: Api) {}

  card(): Promise<Omit<MentorCardJson, 'certificate'> | null> {
    return this.api.get<Omit<MentorCardJson, 'certificate'> | null>('/api/mentor/card').catch((e: unknown) => {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    });
  }

  saveCard(card: { display_name: string; profile: string; areas: string[]; region: string; languages: string[] }): Promise<unknown> {
    return this.api.put('/api/mentor/card', card);
  }

  availability(): Promise<AvailabilityJson> {
    return this.api.get('/api/mentor/availability');
  }

  saveAvailability(a: AvailabilityJson): Promise<unknown> {
    return this.api.put('/api/mentor/availability', a);
  }

  async requests(): Promise<MentorRequestJson[]> {
    const list = await this.api.get<unknown>('/api/mentor/requests');
    if (!Array.isArray(list) || list.length > REPLY_LIMITS.requests) throw bad('requests');
    return list as MentorRequestJson[];
  }

  answer(id: string, accept: boolean): Promise<unknown> {
    return this.api.post(`/api/mentor/requests/${encodeURIComponent(id)}/${accept ? 'accept' : 'decline'}`);
  }

  async mentees(): Promise<MenteeJson[]> {
    const list = await this.api.get<unknown>('/api/mentor/mentees');
    if (!Array.isArray(list) || list.length > REPLY_LIMITS.mentees) throw bad('mentees');
    for (const m of list as MenteeJson[]) checkSessions(m.sessions ?? []);
    return list as MenteeJson[];
  }

  endEarly(id: string, reason: string): Promise<unknown> {
    return this.api.post(`/api/mentor/mentees/${encodeURIComponent(id)}/end`, { reason });
  }
}

/** The dashboard's mentoring figures. */
export async function mentoringStats(api: Api): Promise<MentoringStatsJson> {
  const r = await api.get<MentoringStatsJson>('/api/admin/mentoring');
  if (typeof r !== 'object' || r === null || !Array.isArray(r.mentors) || r.mentors.length > REPLY_LIMITS.mentors) throw bad('mentoring figures');
  return r;
}
