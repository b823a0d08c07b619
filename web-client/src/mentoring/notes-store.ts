// The mentor's notes on this device, in IndexedDB (database
// `peerline-mentor-notes`, store `records`): the device's notes key as a
// non-extractable CryptoKey (structured clone keeps it so, as for the
// listener's device keys) and one sealed note per relationship. Plaintext
// exists only in the mentor's page while a note is open or being exported;
// nothing here talks to the server. A mentor page only: the GP page stores
// nothing but its continuity code (tests/shared/storage-rule.test.mjs).
import { objectStore } from '../keystore/idb';
import { createNotesKey, type Note, openNote, sealNote, type SealedNote } from './notes-crypto';
import { type Cost, DEFAULT_COST, exportNotes, type ExportedNote, importNotes } from './notes-export';

const DB = 'peerline-mentor-notes';
const KEY_ID = 'device-key';

interface KeyRecord { id: typeof KEY_ID; key: CryptoKey }
interface NoteRecord { id: string; relationshipId: string; sealed: SealedNote }

const tx = objectStore(DB, 'records', 'id');
const noteId = (relationshipId: string) => `note:${relationshipId}`;

/** This device's notes key, made on first use. */
export async function deviceNotesKey(): Promise<CryptoKey> {
  const rec = await tx<KeyRecord | undefined>('readonly', (s) => s.get(KEY_ID));
  if (rec) return rec.key;
  const key = await createNotesKey();
  try {
    // add(), not put(): if another tab made a key first, keep theirs.
    await tx('readwrite', (s) => s.add({ id: KEY_ID, key } satisfies KeyRecord));
    return key;
  } catch {
    const other = await tx<KeyRecord | undefined>('readonly', (s) => s.get(KEY_ID));
    if (!other) throw new Error('The notes key could not be kept on this device.');
    return other.key;
  }
}

export async function saveNote(relationshipId: string, note: Note): Promise<void> {
  const sealed = await sealNote(await deviceNotesKey(), relationshipId, note);
  await tx('readwrite', (s) => s.put({ id: noteId(relationshipId), relationshipId, sealed } satisfies NoteRecord));
}

/** The note for `relationshipId`, or null if none. Throws NotesError `cannot_open` if it was changed. */
export async function loadNote(relationshipId: string): Promise<Note | null> {
  const rec = await tx<NoteRecord | undefined>('readonly', (s) => s.get(noteId(relationshipId)));
  return rec ? openNote(await deviceNotesKey(), relationshipId, rec.sealed) : null;
}

export async function deleteNote(relationshipId: string): Promise<void> {
  await tx('readwrite', (s) => s.delete(noteId(relationshipId)));
}

async function allNotes(): Promise<NoteRecord[]> {
  const all = await tx<unknown[]>('readonly', (s) => s.getAll());
  return all.filter((r): r is NoteRecord => typeof (r as NoteRecord).relationshipId === 'string');
}

/** Every note, opened (for the mentor's own list or an export). */
export async function listNotes(): Promise<ExportedNote[]> {
  const key = await deviceNotesKey();
  const out: ExportedNote[] = [];
  for (const r of await allNotes()) out.push({ relationshipId: r.relationshipId, note: await openNote(key, r.relationshipId, r.sealed) });
  return out;
}

/** Every note as the text of an export file under `passphrase`. */
export async function exportAll(passphrase: string, cost: Cost = DEFAULT_COST): Promise<string> {
  return exportNotes(await listNotes(), passphrase, cost);
}

/**
 * The notes of an export file, re-sealed under this device's key. Where this
 * device already has a note for the same relationship, the newer one stays.
 */
export async function importAll(fileText: string, passphrase: string): Promise<{ added: number; replaced: number; kept: number }> {
  const incoming = await importNotes(fileText, passphrase);
  const counts = { added: 0, replaced: 0, kept: 0 };
  for (const n of incoming) {
    const mine = await loadNote(n.relationshipId);
    if (mine && mine.updatedMs >= n.note.updatedMs) {
      counts.kept++;
      continue;
    }
    await saveNote(n.relationshipId, n.note);
    counts[mine ? 'replaced' : 'added']++;
  }
  return counts;
}

/** Removes every note and the device key (the notes cannot be opened again). */
export async function forgetAll(): Promise<void> {
  await tx('readwrite', (s) => s.clear());
}
