// Mentor cards in the GP's browser (issue 15): the server sends every
// published card; filtering (areas, region, languages, people the GP knows)
// and ranking happen here, so the server only ever learns the up to three
// mentors the GP finally asks for. The ranking is meant to be shown: every
// ranked card carries the reasons for its place.

export const AREAS = [
  'career-crossroads', 'partnership', 'returning-to-work', 'leadership', 'retirement-planning', 'wellbeing',
] as const;
export type Area = (typeof AREAS)[number];

export const AREA_LABELS: Record<Area, string> = {
  'career-crossroads': 'Career crossroads',
  partnership: 'Partnership',
  'returning-to-work': 'Returning to work',
  leadership: 'Leadership',
  'retirement-planning': 'Retirement planning',
  wellbeing: 'Wellbeing',
};

export const LIMITS = {
  cards: 500, idChars: 64, nameChars: 80, profileChars: 1000, regionChars: 60,
  languages: 10, languageChars: 40, exclusions: 50, exclusionChars: 80, choices: 3,
} as const;

export interface MentorCard {
  id: string;
  displayName: string;
  profile: string;
  areas: Area[];
  region: string;
  languages: string[];
}

export class MentorCardError extends Error {
  constructor(readonly code: 'not_a_list' | 'too_many' | 'bad_card' | 'too_many_choices' | 'duplicate_choice' | 'unknown_mentor' | 'bad_filter',
    message: string, readonly index?: number) {
    super(message);
    this.name = 'MentorCardError';
  }
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function text(v: unknown, max: number, allowEmpty = false): string | null {
  if (typeof v !== 'string') return null;
  const t = v.trim();
  if (t.length > max || (!allowEmpty && t.length === 0)) return null;
  return t;
}

/**
 * The cards from the server's JSON (an array), checked against LIMITS. Unknown
 * areas are refused, not dropped: a card must say what it means. Throws
 * MentorCardError naming the first bad card's index.
 */
export function parseMentorCards(json: unknown): MentorCard[] {
  if (!Array.isArray(json)) throw new MentorCardError('not_a_list', 'Mentor cards come as a list.');
  if (json.length > LIMITS.cards) throw new MentorCardError('too_many', `At most ${LIMITS.cards} mentor cards.`);
  const ids = new Set<string>();
  return json.map((raw, i) => {
    const bad = (why: string) => new MentorCardError('bad_card', `Mentor card ${i}: ${why}.`, i);
    if (typeof raw !== 'object' || raw === null) throw bad('not an object');
    const c = raw as Record<string, unknown>;
    if (typeof c.id !== 'string' || !ID.test(c.id) || ids.has(c.id)) throw bad('id missing, malformed or repeated');
    ids.add(c.id);
    const displayName = text(c.display_name, LIMITS.nameChars);
    const profile = text(c.profile, LIMITS.profileChars, true);
    const region = text(c.region, LIMITS.regionChars);
    if (displayName === null) throw bad('display_name');
    if (profile === null) throw bad('profile');
    if (region === null) throw bad('region');
    if (!Array.isArray(c.areas) || c.areas.length === 0 || c.areas.length > AREAS.length
      || !c.areas.every((a) => (AREAS as readonly unknown[]).includes(a))) throw bad('areas');
    if (!Array.isArray(c.languages) || c.languages.length === 0 || c.languages.length > LIMITS.languages) throw bad('languages');
    const languages = c.languages.map((l) => text(l, LIMITS.languageChars));
    if (languages.some((l) => l === null)) throw bad('languages');
    return {
      id: c.id, displayName, profile, region,
      areas: [...new Set(c.areas as Area[])], languages: [...new Set(languages as string[])],
    };
  });
}

export interface CardFilter {
  /** Show mentors covering at least one of these (none chosen: all). */
  areas?: Area[];
  /** Show only mentors in these regions (none: any region). */
  regions?: string[];
  /** Hide mentors in these regions (e.g. the GP's own, to meet someone from elsewhere). */
  avoidRegions?: string[];
  /** Show mentors speaking at least one of these (none: any). */
  languages?: string[];
  /** Names of people the GP knows, as typed: a card whose name contains every word of one is hidden. */
  excludeNames?: string[];
  /** Cards the GP marked "I know this person". */
  excludeIds?: string[];
  /**
   * Orders equal-scoring cards (a number chosen once per visit, so the order
   * holds while the GP looks) so no name always comes first. Without one,
   * each call draws a random seed (crypto.getRandomValues).
   */
  tieSeed?: number;
}

export interface RankedCard {
  card: MentorCard;
  score: number;
  /** Plain-English reasons, in the order they count. */
  reasons: string[];
}

const TITLES = new Set(['dr', 'doctor', 'prof', 'professor', 'mr', 'mrs', 'ms', 'miss', 'mx', 'sir', 'dame']);

/** A name as comparable words: no accents, case or punctuation, titles dropped. */
export function nameWords(name: string): string[] {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()
    .split(/[^\p{L}\p{N}']+/u).map((w) => w.replace(/'/g, ''))
    .filter((w) => w.length > 0 && !TITLES.has(w));
}

const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').trim().toLowerCase();

/** Whether `card` is someone on the GP's exclusion list. Errs on hiding. */
export function isExcluded(card: MentorCard, f: CardFilter): boolean {
  if (f.excludeIds?.includes(card.id)) return true;
  const words = new Set(nameWords(card.displayName));
  return (f.excludeNames ?? []).some((entry) => {
    const want = nameWords(entry);
    return want.length > 0 && want.every((w) => words.has(w));
  });
}

function checkFilter(f: CardFilter): void {
  const lists = [f.areas, f.regions, f.avoidRegions, f.languages, f.excludeIds];
  if (lists.some((l) => l !== undefined && (!Array.isArray(l) || l.length > LIMITS.cards))) {
    throw new MentorCardError('bad_filter', 'A filter list is too long.');
  }
  const names = f.excludeNames ?? [];
  if (names.length > LIMITS.exclusions || names.some((n) => typeof n !== 'string' || n.length > LIMITS.exclusionChars)) {
    throw new MentorCardError('bad_filter', `At most ${LIMITS.exclusions} names of at most ${LIMITS.exclusionChars} characters.`);
  }
}

/** FNV-1a of seed and id: a fixed but name-blind order for ties. */
function tieKey(seed: number, id: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * The cards the GP may choose from, best first. Hidden: anyone excluded, and
 * anyone not matching the areas, regions and languages chosen. Score: 10 for
 * each chosen area the mentor covers, 1 for each of the GP's languages they
 * speak; equal scores in the order of `tieSeed`.
 */
export function rankCards(cards: MentorCard[], f: CardFilter = {}): RankedCard[] {
  checkFilter(f);
  const areas = f.areas ?? [];
  const regions = (f.regions ?? []).map(fold);
  const avoid = (f.avoidRegions ?? []).map(fold);
  const languages = (f.languages ?? []).map(fold);
  const out: RankedCard[] = [];
  for (const card of cards) {
    if (isExcluded(card, f)) continue;
    const region = fold(card.region);
    if (regions.length > 0 && !regions.includes(region)) continue;
    if (avoid.includes(region)) continue;
    const covered = areas.filter((a) => card.areas.includes(a));
    if (areas.length > 0 && covered.length === 0) continue;
    const spoken = card.languages.filter((l) => languages.includes(fold(l)));
    if (languages.length > 0 && spoken.length === 0) continue;
    const reasons: string[] = [];
    if (areas.length > 0) {
      reasons.push(`Covers ${covered.length} of your ${areas.length} area${areas.length === 1 ? '' : 's'}: `
        + `${covered.map((a) => AREA_LABELS[a].toLowerCase()).join(', ')}`);
    }
    if (languages.length > 0) reasons.push(`Speaks ${spoken.join(', ')}`);
    if (regions.length > 0 || avoid.length > 0) reasons.push(`In ${card.region}`);
    out.push({ card, score: covered.length * 10 + spoken.length, reasons });
  }
  const seed = f.tieSeed ?? globalThis.crypto.getRandomValues(new Uint32Array(1))[0]!;
  return out.sort((a, b) => b.score - a.score || tieKey(seed, a.card.id) - tieKey(seed, b.card.id)
    || (a.card.id < b.card.id ? -1 : a.card.id > b.card.id ? 1 : 0));
}

/**
 * The GP's choices, in order of preference: at most three different mentors
 * from the cards shown. Immutable: every change returns a new list. The
 * first is asked first; each passes to the next after a decline or timeout.
 */
export function addChoice(choices: readonly string[], id: string, shown: readonly RankedCard[]): string[] {
  if (!shown.some((r) => r.card.id === id)) throw new MentorCardError('unknown_mentor', 'That mentor is not among the cards shown.');
  if (choices.includes(id)) throw new MentorCardError('duplicate_choice', 'That mentor is already chosen.');
  if (choices.length >= LIMITS.choices) throw new MentorCardError('too_many_choices', `Choose at most ${LIMITS.choices} mentors.`);
  return [...choices, id];
}

export function removeChoice(choices: readonly string[], id: string): string[] {
  return choices.filter((c) => c !== id);
}

/** Moves `id` one place earlier (-1) or later (+1); unchanged at either end. */
export function moveChoice(choices: readonly string[], id: string, by: -1 | 1): string[] {
  const i = choices.indexOf(id);
  const j = i + by;
  if (i < 0 || j < 0 || j >= choices.length) return [...choices];
  const next = [...choices];
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}

/** The choices still valid after the cards changed (a card withdrawn, a name excluded since), in order. */
export function keepShownChoices(choices: readonly string[], shown: readonly RankedCard[]): string[] {
  return choices.filter((id) => shown.some((r) => r.card.id === id));
}
