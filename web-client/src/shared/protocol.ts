// The control protocol (docs/PROTOCOL.md §3-5, version 1) as types: every
// frame the browser sends and every frame the server sends, one
// discriminated union each, narrowed on `type`. The server's own
// encoder/decoder (protocol/src/*_messages.cpp) is what runs; these types
// follow it member for member. Also the words people see for the topics.
//
// decodeServerFrame() is the one place a text frame from the network
// becomes a ServerFrame: it checks the envelope and the members each type
// needs (with their JSON types and enumerations), so the pages can narrow on
// `type` and read members without casts. It imports nothing.

// ---------------------------------------------------------------- enumerations

export const ROLES = ['gp', 'listener', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const TOPICS = ['workload', 'clinical_case', 'complaint', 'career', 'personal', 'other'] as const;
export type Topic = (typeof TOPICS)[number];

/** What the GP chooses from and the listener's offer shows: one wording, read by both. */
export const TOPIC_LABELS: Readonly<Record<Topic, string>> = {
  workload: 'Workload or burnout',
  clinical_case: 'A clinical case',
  complaint: 'A complaint or the regulator',
  career: 'Career',
  personal: 'Something personal',
  other: 'Something else',
};

/** The words for a topic from the server (an unknown one is shown as sent). */
export function topicLabel(topic: string): string {
  const known = TOPICS.find((t) => t === topic);
  return known ? TOPIC_LABELS[known] : topic;
}

/** What a listener may ask for (`set_availability`). */
export type RequestedAvailability = 'available' | 'away';

export const LISTENER_STATES = ['available', 'busy', 'wrapup', 'away'] as const;
export type ListenerState = (typeof LISTENER_STATES)[number];

export const AVAILABILITY_REASONS = ['offer_missed', 'shift_ended', 'shift_limit', 'wrapup'] as const;
export type AvailabilityReason = (typeof AVAILABILITY_REASONS)[number];

export const WITHDRAWN_REASONS = ['taken', 'expired', 'gp_left', 'declined'] as const;
export type WithdrawnReason = (typeof WITHDRAWN_REASONS)[number];

export const END_REASONS = [
  'completed', 'gp_left', 'safeguarding_referral', 'technical', 'partner_disconnected', 'shutdown', 'other',
] as const;
export type EndReason = (typeof END_REASONS)[number];

export const ENDED_BY = ['gp', 'listener', 'server'] as const;
export type EndedBy = (typeof ENDED_BY)[number];

export const SIGNPOST_REASONS = ['closed', 'no_one_on_shift', 'max_wait'] as const;
export type SignpostReason = (typeof SIGNPOST_REASONS)[number];

export const PARTNER_STATES = ['reconnecting', 'back'] as const;
export type PartnerState = (typeof PARTNER_STATES)[number];

export const ERROR_CODES = [
  'frame_too_large', 'malformed_json', 'nesting_too_deep', 'not_an_object', 'too_many_fields',
  'duplicate_field', 'string_too_long', 'missing_version', 'unsupported_version', 'missing_type',
  'unknown_type', 'missing_field', 'wrong_field_type', 'invalid_field_value', 'unknown_field',
  'relay_frame_too_short', 'relay_bad_version', 'relay_unknown_kind', 'relay_bad_channel',
  'relay_empty_payload', 'not_authenticated', 'already_authenticated', 'invalid_token', 'wrong_role',
  'unknown_channel', 'invalid_state', 'no_such_offer', 'rate_limited', 'service_unavailable',
  'too_many_connections', 'slow_consumer', 'not_on_shift', 'internal_error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

// ---------------------------------------------------------------- client -> server

export type ClientFrame =
  | { type: 'hello'; token: string }
  | { type: 'request_chat'; topic?: Topic; urgent?: boolean; continuity_code?: string }
  | { type: 'leave_queue' }
  | { type: 'set_availability'; state: RequestedAvailability }
  | { type: 'accept_offer'; offer_id: string }
  | { type: 'decline_offer'; offer_id: string }
  | { type: 'end_conversation'; channel: number; reason?: EndReason }
  | { type: 'escalate'; channel: number }
  | { type: 'ping' };

export type ClientFrameType = ClientFrame['type'];

// ---------------------------------------------------------------- server -> client

/** A 24/7 service shown to a GP (`signposting`, GET /api/config). */
export interface Alternative {
  name: string;
  contact: string;
  hours: string;
}

export interface LiveListeners {
  rostered: number;
  online: number;
  available: number;
  busy: number;
  wrapup: number;
  away: number;
}

/** `live_stats`'s `live`, also the `live` of GET /api/admin/stats: counts only. */
export interface LiveStats {
  waiting: number;
  longest_wait_s: number;
  offers_pending: number;
  conversations_active: number;
  listeners: LiveListeners;
}

export interface Limits {
  max_control_frame_bytes: number;
  max_relay_frame_bytes: number;
}

export type ServerFrame = { v: 1 } & (
  | { type: 'welcome'; role: Role; limits: Limits }
  | { type: 'queued'; position: number; estimated_wait_s?: number }
  | { type: 'left_queue' }
  | { type: 'availability'; state: ListenerState; reason?: AvailabilityReason; until_ms?: number }
  /** `topic`: one of TOPICS, or one a newer server added (shown as sent: topicLabel). */
  | { type: 'offer'; offer_id: string; topic?: Topic | (string & {}); urgent: boolean; expires_in_ms: number }
  | { type: 'offer_withdrawn'; offer_id: string; reason: WithdrawnReason }
  | { type: 'conversation_started'; channel: number; conversation_id: string; peer: Role }
  | { type: 'conversation_ended'; channel: number; reason: EndReason; by: EndedBy; continuity_code?: string }
  /**
   * `in_reply_to`: the type of the frame that failed (a ClientFrameType), or
   * `relay`; absent when unknown. A string, as the server's decoder reads it.
   * `code`: one of ERROR_CODES, or one a newer server added (handled as any
   * other failure).
   */
  | { type: 'error'; code: ErrorCode | (string & {}); message: string; in_reply_to?: string }
  | { type: 'shutdown'; message: string; retry_after_ms: number }
  | { type: 'pong' }
  | { type: 'signposting'; reason: SignpostReason; next_shift_start_ms?: number; alternatives: Alternative[] }
  | { type: 'escalation_sent'; channel: number; supervisors: number }
  | { type: 'escalation'; listener: string; conversation_id: string }
  | { type: 'partner_status'; channel: number; state: PartnerState }
  | { type: 'live_stats'; live: LiveStats }
);

export type ServerFrameType = ServerFrame['type'];

/** The frame of one type, e.g. FrameOf<'offer'>. */
export type FrameOf<T extends ServerFrameType> = Extract<ServerFrame, { type: T }>;

// ---------------------------------------------------------------- decoding

// What each member must be. The server's decoder is stricter (ranges,
// identifier formats, no unknown members); here a frame is refused only when
// a member the page reads is missing or of the wrong kind, so a page never
// acts on a value of the wrong type. An offer's `topic` and an error's `code`
// may be values a newer server added: they are taken as plain strings, so an
// older page still shows the offer, or still leaves "connecting" on an error;
// the other enumerations decide what a page does and stay closed.
type Check = (v: unknown) => boolean;

const integer: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const channel: Check = (v) => integer(v) && (v as number) >= 1 && (v as number) <= 0xffff;
const string: Check = (v) => typeof v === 'string';
const boolean: Check = (v) => typeof v === 'boolean';
const oneOf = (names: readonly string[]): Check => (v) => typeof v === 'string' && names.includes(v);
const object = (members: Record<string, Check>): Check => (v) =>
  isObject(v) && Object.entries(members).every(([k, check]) => check(v[k]));
const optional = (check: Check): Check => (v) => v === undefined || check(v);
const MAX_ALTERNATIVES = 16;
const alternatives: Check = (v) =>
  Array.isArray(v) && v.length <= MAX_ALTERNATIVES && v.every(object({ name: string, contact: string, hours: string }));

const LISTENERS = object({
  rostered: integer, online: integer, available: integer, busy: integer, wrapup: integer, away: integer,
});
const LIVE = object({
  waiting: integer, longest_wait_s: integer, offers_pending: integer, conversations_active: integer, listeners: LISTENERS,
});

const MEMBERS: Record<ServerFrameType, Record<string, Check>> = {
  welcome: { role: oneOf(ROLES), limits: object({ max_control_frame_bytes: integer, max_relay_frame_bytes: integer }) },
  queued: { position: integer, estimated_wait_s: optional(integer) },
  left_queue: {},
  availability: { state: oneOf(LISTENER_STATES), reason: optional(oneOf(AVAILABILITY_REASONS)), until_ms: optional(integer) },
  offer: { offer_id: string, topic: optional(string), urgent: boolean, expires_in_ms: integer },
  offer_withdrawn: { offer_id: string, reason: oneOf(WITHDRAWN_REASONS) },
  conversation_started: { channel, conversation_id: string, peer: oneOf(ROLES) },
  conversation_ended: { channel, reason: oneOf(END_REASONS), by: oneOf(ENDED_BY), continuity_code: optional(string) },
  error: { code: string, message: string, in_reply_to: optional(string) },
  shutdown: { message: string, retry_after_ms: integer },
  pong: {},
  signposting: { reason: oneOf(SIGNPOST_REASONS), next_shift_start_ms: optional(integer), alternatives },
  escalation_sent: { channel, supervisors: integer },
  escalation: { listener: string, conversation_id: string },
  partner_status: { channel, state: oneOf(PARTNER_STATES) },
  live_stats: { live: LIVE },
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFrameType(t: unknown): t is ServerFrameType {
  return typeof t === 'string' && Object.hasOwn(MEMBERS, t);
}

function isServerFrame(v: unknown): v is ServerFrame {
  return isObject(v) && v.v === 1 && isFrameType(v.type) && object(MEMBERS[v.type])(v);
}

/**
 * The server frame in `text`, or null when it is not one (not JSON, longer
 * than `maxBytes`, another version, an unknown type, or a member missing or
 * of the wrong kind). Null frames are ignored by the callers, as before.
 */
export function decodeServerFrame(text: string, maxBytes: number): ServerFrame | null {
  // The limit is in UTF-8 bytes, as the server counts them. A string's UTF-16
  // length is at most its UTF-8 length and at least a third of it, so only
  // text between the two bounds is encoded to measure it.
  if (text.length > maxBytes) return null;
  if (text.length * 3 > maxBytes && new TextEncoder().encode(text).length > maxBytes) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  return isServerFrame(v) ? v : null;
}

/** True if `v` is a `live` object as in `live_stats` (GET /api/admin/stats carries one too). */
export function isLiveStats(v: unknown): v is LiveStats {
  return LIVE(v);
}
