// A mentor's private notes, encrypted in the mentor's browser (issue 15;
// docs/CRYPTO.md Part 4). Each note is AES-256-GCM under the device's notes
// key, a WebCrypto CryptoKey made with extractable: false: no script, the
// page's own included, can read its bytes, and it never leaves this device
// except as re-encrypted notes in an export file (notes-export.ts). The note's
// relationship id and a label are the additional data, so a sealed note moved
// to another mentee's record does not open. Nothing here sends anything.

export const NOTE_LABEL = 'PLM1/mentor-note';
/** The longest note, in characters (about ten pages). */
export const MAX_NOTE_CHARS = 20_000;
const RELATIONSHIP_ID = /^[A-Za-z0-9_-]{1,64}$/;
/**
 * The longest sealed note openNote reads, in bytes of ciphertext. sealNote
 * checks its encoded size against the same bound, so whatever it seals opens
 * (JSON escapes a control character as six bytes: 20,000 of them do not fit).
 */
export const MAX_SEALED_BYTES = MAX_NOTE_CHARS * 4 + 64;
const TAG_BYTES = 16;

export interface Note {
  text: string;
  updatedMs: number;
}

/** What is stored: format 1, a fresh 96-bit IV, ciphertext with its 128-bit tag. */
export interface SealedNote {
  v: 1;
  iv: Uint8Array;
  ct: Uint8Array;
}

export type NotesErrorCode = 'bad_id' | 'bad_note' | 'cannot_open' | 'wrong_passphrase' | 'tampered'
  | 'bad_file' | 'weak_passphrase' | 'bad_cost';

export class NotesError extends Error {
  constructor(readonly code: NotesErrorCode, message: string) {
    super(message);
    this.name = 'NotesError';
  }
}

const subtle = () => globalThis.crypto.subtle;
const encoder = new TextEncoder();

/** Copies into a fresh ArrayBuffer-backed array (what WebCrypto's types ask for). */
export const bytes = (b: Uint8Array): Uint8Array<ArrayBuffer> => Uint8Array.from(b);

export function checkRelationshipId(id: string): void {
  if (typeof id !== 'string' || !RELATIONSHIP_ID.test(id)) {
    throw new NotesError('bad_id', 'A relationship id is 1–64 characters of A–Z, a–z, 0–9, _ and -.');
  }
}

export function checkNote(note: Note): void {
  if (typeof note?.text !== 'string' || note.text.length > MAX_NOTE_CHARS || !Number.isFinite(note.updatedMs)) {
    throw new NotesError('bad_note', `A note is text of at most ${MAX_NOTE_CHARS} characters with the time it was written.`);
  }
}

const additionalData = (relationshipId: string) => encoder.encode(`${NOTE_LABEL}\n${relationshipId}`);

/** The device's notes key: AES-256-GCM, non-extractable, for encrypt and decrypt only. */
export async function createNotesKey(): Promise<CryptoKey> {
  return subtle().generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** One note sealed under `key` for the relationship `relationshipId`. */
export async function sealNote(key: CryptoKey, relationshipId: string, note: Note): Promise<SealedNote> {
  checkRelationshipId(relationshipId);
  checkNote(note);
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const plain = encoder.encode(JSON.stringify({ text: note.text, updated_ms: note.updatedMs }));
  if (plain.length + TAG_BYTES > MAX_SEALED_BYTES) {
    throw new NotesError('bad_note', `This note is too long to keep once encoded (${plain.length} bytes, at most ${MAX_SEALED_BYTES - TAG_BYTES}); shorten it.`);
  }
  const ct = new Uint8Array(await subtle().encrypt(
    { name: 'AES-GCM', iv, additionalData: additionalData(relationshipId), tagLength: 128 }, key, plain));
  plain.fill(0);
  return { v: 1, iv, ct };
}

/**
 * The note back. Throws NotesError `cannot_open` if it was sealed under
 * another key, for another relationship, or changed in any bit.
 */
export async function openNote(key: CryptoKey, relationshipId: string, sealed: SealedNote): Promise<Note> {
  checkRelationshipId(relationshipId);
  if (sealed?.v !== 1 || !(sealed.iv instanceof Uint8Array) || sealed.iv.length !== 12
    || !(sealed.ct instanceof Uint8Array) || sealed.ct.length < TAG_BYTES || sealed.ct.length > MAX_SEALED_BYTES) {
    throw new NotesError('cannot_open', 'This note is not in a form this version can read.');
  }
  let plain: Uint8Array;
  try {
    plain = new Uint8Array(await subtle().decrypt(
      { name: 'AES-GCM', iv: bytes(sealed.iv), additionalData: additionalData(relationshipId), tagLength: 128 }, key, bytes(sealed.ct)));
  } catch {
    throw new NotesError('cannot_open', 'This note does not open with this device\'s key: it was changed, or belongs elsewhere.');
  }
  let note: Note;
  try {
    const v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain)) as { text: string; updated_ms: number };
    note = { text: v.text, updatedMs: v.updated_ms };
    checkNote(note);
  } catch {
    // Decoder and JSON errors (TypeError, SyntaxError), a null or a bad note: all the module's own refusal.
    throw new NotesError('cannot_open', 'This note opened but is not a note this version can read.');
  } finally {
    plain.fill(0);
  }
  return note;
}
