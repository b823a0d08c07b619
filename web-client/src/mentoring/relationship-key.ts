// The relationship key of a peer-mentoring pairing (issue 15; docs/CRYPTO.md
// "Part 4"): 256 random bits held in the GP's browser, the upgrade of the
// continuity code. It identifies the pairing, never the GP. The GP keeps it as
// 24 words (the BIP-39 English list, whose last word carries an 8-bit
// checksum) or as a QR code of the same words (relationship-qr.ts), and
// restores it from either.
//
// The server never sees the key. What it gets is the relationship token, a
// subkey derived from the key (crypto_kdf, context `PLM1_rel`, subkey 1) and
// shaped like a session token, so it stores it the same way (BLAKE2b hash
// only). Independent subkeys: 2 is the GP's secret for the encrypted note to
// the mentor, 3 the id of the series in the GP's calendar files. No password hashing: the key is 256 uniformly random
// bits, so there is nothing to slow a guesser down on.
import { entropyToMnemonic, mnemonicToEntropy } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { kdf, lib, ready as sodiumReady } from '../crypto/sodium.js';

export const KEY_BYTES = 32;
export const WORD_COUNT = 24;
/** crypto_kdf context (8 bytes): Peerline mentoring, version 1, relationship key. */
export const KDF_CONTEXT = 'PLM1_rel';
export const SUBKEY_TOKEN = 1;
export const SUBKEY_NOTE = 2;
export const SUBKEY_CALENDAR = 3;
/** Longest passphrase text accepted (24 words of at most 8 letters need 215). */
export const MAX_PASSPHRASE_CHARS = 1000;

export type RelationshipKeyErrorCode = 'too_long' | 'wrong_word_count' | 'unknown_word' | 'checksum' | 'bad_key';

/** Why a passphrase was refused, with what to tell the GP. */
export class RelationshipKeyError extends Error {
  readonly code: RelationshipKeyErrorCode;
  /** For `unknown_word`: the word as typed and its place (1-based). */
  readonly word?: string;
  readonly position?: number;
  /** For `unknown_word`: list words that begin like it (at most 8). */
  readonly suggestions: string[];
  /** For `wrong_word_count`: how many words were found. */
  readonly count?: number;

  constructor(code: RelationshipKeyErrorCode, message: string,
    extra: { word?: string; position?: number; suggestions?: string[]; count?: number } = {}) {
    super(message);
    this.name = 'RelationshipKeyError';
    this.code = code;
    this.word = extra.word;
    this.position = extra.position;
    this.suggestions = extra.suggestions ?? [];
    this.count = extra.count;
  }
}

const INDEX = new Map(wordlist.map((w, i) => [w, i]));

/** Loads libsodium. Call once before anything else here. */
export async function ready(): Promise<void> {
  await sodiumReady();
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw new RelationshipKeyError('bad_key', `A relationship key is ${KEY_BYTES} bytes.`);
  }
}

/** A new key: 32 bytes from the browser's CSPRNG (libsodium randombytes_buf → crypto.getRandomValues). */
export function generateRelationshipKey(): Uint8Array {
  return lib().randombytes_buf(KEY_BYTES) as Uint8Array;
}

/** The key as 24 lower-case words separated by single spaces. */
export function toPassphrase(key: Uint8Array): string {
  checkKey(key);
  return entropyToMnemonic(key, wordlist);
}

/** The key as upper-case words: what the QR code holds (QR alphanumeric mode, the smallest code). */
export function toQrText(key: Uint8Array): string {
  return toPassphrase(key).toUpperCase();
}

/**
 * The words of what the GP typed, written or scanned: NFKD without accents,
 * lower case, split
 * at any run of spaces, line breaks, commas, full stops or hyphens, with
 * numbering ("1.", "12)") dropped so a numbered list written on paper reads back.
 */
export function normalisePassphrase(input: string): string[] {
  if (input.length > MAX_PASSPHRASE_CHARS) {
    throw new RelationshipKeyError('too_long', `A passphrase is at most ${MAX_PASSPHRASE_CHARS} characters.`);
  }
  return input.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()
    .split(/[\s,.;:\-–—]+/u)
    .map((w) => w.replace(/^\d+\)?$/u, ''))
    .filter((w) => w.length > 0);
}

function suggestionsFor(word: string): string[] {
  // BIP-39 English words are unique in their first four letters, so a prefix
  // match is usually the word that was meant.
  for (const n of [4, 3, 2]) {
    if (word.length < n) continue;
    const hits = wordlist.filter((w) => w.startsWith(word.slice(0, n)));
    if (hits.length > 0) return hits.slice(0, 8);
  }
  return [];
}

/**
 * The key back from a passphrase (any case and spacing; see normalisePassphrase).
 * Throws RelationshipKeyError: `wrong_word_count`, `unknown_word` (naming the
 * first word not in the list, its place and likely words), or `checksum`
 * (every word is a list word but they do not belong together: a word
 * swapped for another list word, or two in the wrong order).
 */
export function fromPassphrase(input: string): Uint8Array {
  const words = normalisePassphrase(input);
  if (words.length !== WORD_COUNT) {
    throw new RelationshipKeyError('wrong_word_count',
      `The passphrase has ${WORD_COUNT} words; ${words.length} ${words.length === 1 ? 'was' : 'were'} found.`,
      { count: words.length });
  }
  words.forEach((w, i) => {
    if (!INDEX.has(w)) {
      throw new RelationshipKeyError('unknown_word',
        `Word ${i + 1}, "${w}", is not one of the passphrase words.`,
        { word: w, position: i + 1, suggestions: suggestionsFor(w) });
    }
  });
  let key: Uint8Array;
  try {
    key = mnemonicToEntropy(words.join(' '), wordlist);
  } catch {
    // Every word is known and the count is right: only the checksum is left.
    throw new RelationshipKeyError('checksum',
      'These words do not fit together: check each word and their order against what you wrote down.');
  }
  checkKey(key);
  return key;
}

/** The key back from the text a QR code held (the same words in capitals). */
export function fromQrText(text: string): Uint8Array {
  return fromPassphrase(text);
}

/**
 * The relationship token the server is given: crypto_kdf subkey 1 of the key,
 * base64url without padding (43 characters, the shape of a session token).
 * The server stores only its BLAKE2b hash. Knowing the token tells nothing
 * about the key or the note key (independent PRF outputs).
 */
export function relationshipToken(key: Uint8Array): string {
  checkKey(key);
  const sub = kdf(key, SUBKEY_TOKEN, KDF_CONTEXT) as Uint8Array;
  const s = lib();
  const text = s.to_base64(sub, s.base64_variants.URLSAFE_NO_PADDING) as string;
  s.memzero(sub);
  return text;
}

/**
 * The GP's secret for the encrypted note to the mentor (subkey 2, 32 bytes):
 * a key the server never learns, restored with the passphrase on any device.
 * The caller wipes it when done.
 */
export function noteSecret(key: Uint8Array): Uint8Array {
  checkKey(key);
  return kdf(key, SUBKEY_NOTE, KDF_CONTEXT) as Uint8Array;
}

/**
 * The id of the series in the GP's calendar files (session-calendar.ts): 16
 * bytes of subkey 3 as 32 hex characters. The same on every device that holds
 * the key, so a re-downloaded file updates the events instead of doubling
 * them; never sent to the server, and unrelated to the token it holds.
 */
export function calendarId(key: Uint8Array): string {
  checkKey(key);
  const sub = kdf(key, SUBKEY_CALENDAR, KDF_CONTEXT) as Uint8Array;
  const s = lib();
  const text = (s.to_hex(sub) as string).slice(0, 32);
  s.memzero(sub);
  return text;
}
