// A mentor's notes as an encrypted file under a passphrase, to move them to a
// new device (issue 15; docs/CRYPTO.md Part 4). The passphrase is stretched
// with Argon2id (@noble/hashes, RFC 9106) into 64 bytes: the first 32 are an
// AES-256-GCM key (imported non-extractable) for the notes, the last 32 a
// check value stored in the file, so a wrong passphrase is told apart from a
// changed file. Argon2id, not PBKDF2: the file may be copied and attacked
// offline, and a memory-hard function costs a guesser with GPUs far more
// per guess than PBKDF2 does at the same wait for the mentor. (libsodium's
// crypto_pwhash is not in the libsodium-wrappers build we ship.)
//
// The file is JSON: {"format":"peerline-mentor-notes","v":1,
// "kdf":{"alg":"argon2id","t","m","p","salt"},"check","iv","ct"} with base64
// values. Every header field is checked against LIMITS before any work and is
// bound into the ciphertext as additional data.
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { bytes, checkNote, checkRelationshipId, type Note, NotesError } from './notes-crypto';

export const FORMAT = 'peerline-mentor-notes';
export const EXPORT_LABEL = 'PLM1/notes-export';

/** Argon2id cost: t passes over m KiB, p lanes. */
export interface Cost {
  t: number;
  m: number;
  p: number;
}

/** 64 MiB, three passes (RFC 9106's second recommended setting, one lane). */
export const DEFAULT_COST: Cost = { t: 3, m: 65_536, p: 1 };

export const LIMITS = {
  fileChars: 16 * 1024 * 1024, notes: 5000, passphraseMin: 12, passphraseMax: 1024,
  // A file may not ask for less than OWASP's minimum (19 MiB, t 2) nor more than a phone can give.
  t: [2, 10], m: [19_456, 262_144], p: [1, 4],
} as const;

export interface ExportedNote {
  relationshipId: string;
  note: Note;
}

const encoder = new TextEncoder();

function b64(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}

function unb64(s: unknown, maxBytes: number): Uint8Array {
  if (typeof s !== 'string' || s.length > Math.ceil(maxBytes / 3) * 4 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) {
    throw new NotesError('bad_file', 'This is not a notes file (a value is not base64).');
  }
  const bin = atob(s);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function checkCost(c: Cost): void {
  const inRange = (n: unknown, [lo, hi]: readonly [number, number]) => Number.isInteger(n) && (n as number) >= lo && (n as number) <= hi;
  if (!inRange(c?.t, LIMITS.t) || !inRange(c?.m, LIMITS.m) || !inRange(c?.p, LIMITS.p)) {
    throw new NotesError('bad_cost', `Argon2id cost outside t ${LIMITS.t.join('–')}, m ${LIMITS.m.join('–')} KiB, p ${LIMITS.p.join('–')}.`);
  }
}

function passphraseBytes(passphrase: string): Uint8Array {
  const p = typeof passphrase === 'string' ? passphrase.normalize('NFKC') : '';
  if (p.length < LIMITS.passphraseMin || p.length > LIMITS.passphraseMax) {
    throw new NotesError('weak_passphrase', `A passphrase is ${LIMITS.passphraseMin} to ${LIMITS.passphraseMax} characters.`);
  }
  return encoder.encode(p);
}

const headerAd = (c: Cost, salt: Uint8Array, check: Uint8Array, iv: Uint8Array) =>
  encoder.encode(`${EXPORT_LABEL}\n${FORMAT};v=1;argon2id;t=${c.t};m=${c.m};p=${c.p};salt=${b64(salt)};check=${b64(check)};iv=${b64(iv)}`);

async function derive(passphrase: string, salt: Uint8Array, c: Cost): Promise<{ key: CryptoKey; check: Uint8Array }> {
  const pw = passphraseBytes(passphrase);
  const out = await argon2idAsync(pw, salt, { t: c.t, m: c.m, p: c.p, dkLen: 64, asyncTick: 20 });
  pw.fill(0);
  const key = await globalThis.crypto.subtle.importKey('raw', bytes(out.subarray(0, 32)), 'AES-GCM', false, ['encrypt', 'decrypt']);
  const check = Uint8Array.from(out.subarray(32));
  out.fill(0);
  return { key, check };
}

/** The notes as the text of an encrypted file. `cost` defaults to DEFAULT_COST. */
export async function exportNotes(notes: ExportedNote[], passphrase: string, cost: Cost = DEFAULT_COST): Promise<string> {
  checkCost(cost);
  if (!Array.isArray(notes) || notes.length > LIMITS.notes) throw new NotesError('bad_note', `At most ${LIMITS.notes} notes.`);
  for (const n of notes) {
    checkRelationshipId(n.relationshipId);
    checkNote(n.note);
  }
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const { key, check } = await derive(passphrase, salt, cost);
  const plain = encoder.encode(JSON.stringify(notes.map((n) =>
    ({ relationship_id: n.relationshipId, text: n.note.text, updated_ms: n.note.updatedMs }))));
  const ct = new Uint8Array(await globalThis.crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: headerAd(cost, salt, check, iv), tagLength: 128 }, key, plain));
  plain.fill(0);
  return JSON.stringify({
    format: FORMAT, v: 1, kdf: { alg: 'argon2id', t: cost.t, m: cost.m, p: cost.p, salt: b64(salt) },
    check: b64(check), iv: b64(iv), ct: b64(ct),
  });
}

/**
 * The notes from an export file. Throws NotesError: `bad_file` (not this
 * format, or outside the limits), `bad_cost`, `weak_passphrase`,
 * `wrong_passphrase`, or `tampered` (right passphrase, changed file).
 */
export async function importNotes(fileText: string, passphrase: string): Promise<ExportedNote[]> {
  if (typeof fileText !== 'string' || fileText.length > LIMITS.fileChars) throw new NotesError('bad_file', 'This file is too large to be a notes file.');
  let f: Record<string, unknown>;
  try {
    f = JSON.parse(fileText) as Record<string, unknown>;
  } catch {
    throw new NotesError('bad_file', 'This is not a notes file.');
  }
  if (typeof f !== 'object' || f === null || f.format !== FORMAT || f.v !== 1) throw new NotesError('bad_file', 'This is not a Peerline notes file.');
  const kdf = f.kdf as Record<string, unknown> | undefined;
  if (typeof kdf !== 'object' || kdf === null || kdf.alg !== 'argon2id') throw new NotesError('bad_file', 'This notes file uses an unknown key derivation.');
  const cost = { t: kdf.t, m: kdf.m, p: kdf.p } as Cost;
  checkCost(cost);
  const salt = unb64(kdf.salt, 16);
  const check = unb64(f.check, 32);
  const iv = unb64(f.iv, 12);
  const ct = unb64(f.ct, LIMITS.fileChars);
  if (salt.length !== 16 || check.length !== 32 || iv.length !== 12 || ct.length < 16) throw new NotesError('bad_file', 'This notes file is damaged.');
  const derived = await derive(passphrase, salt, cost);
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= derived.check[i] ^ check[i];
  if (diff !== 0) throw new NotesError('wrong_passphrase', 'The passphrase is not the one this file was saved with.');
  let plain: Uint8Array;
  try {
    plain = new Uint8Array(await globalThis.crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes(iv), additionalData: headerAd(cost, salt, check, iv), tagLength: 128 }, derived.key, bytes(ct)));
  } catch {
    throw new NotesError('tampered', 'The passphrase is right but the file has been changed: it cannot be trusted.');
  }
  let list: unknown;
  try {
    list = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain));
  } catch {
    // A TypeError (not UTF-8) or SyntaxError (not JSON): the module's own refusal.
    throw new NotesError('bad_file', 'This notes file opened but its contents are not notes.');
  } finally {
    plain.fill(0);
  }
  if (!Array.isArray(list) || list.length > LIMITS.notes) throw new NotesError('bad_file', `At most ${LIMITS.notes} notes.`);
  return list.map((n: unknown) => {
    if (typeof n !== 'object' || n === null) throw new NotesError('bad_file', 'This notes file holds something that is not a note.');
    const r = n as { relationship_id: string; text: string; updated_ms: number };
    const out = { relationshipId: r.relationship_id, note: { text: r.text, updatedMs: r.updated_ms } };
    checkRelationshipId(out.relationshipId);
    checkNote(out.note);
    return out;
  });
}
