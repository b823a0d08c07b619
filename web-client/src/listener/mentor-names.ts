// The pseudonyms a mentor gives their mentees ("Mentee A", "the Leeds
// partner"), kept on this device only, in IndexedDB (`peerline-mentor-names`,
// one record per relationship id). The server knows a mentee by a random
// relationship id alone; the name is the mentor's own aide-memoire.
import { objectStore } from '../keystore/idb';

export const MAX_NAME_CHARS = 60;
interface NameRecord { id: string; name: string }

const tx = objectStore('peerline-mentor-names', 'names', 'id');

export async function menteeName(relationshipId: string): Promise<string | null> {
  try {
    const r = await tx<NameRecord | undefined>('readonly', (s) => s.get(relationshipId));
    return r ? r.name : null;
  } catch {
    return null;
  }
}

/** Keeps `name` (trimmed, at most MAX_NAME_CHARS) for the mentee; an empty name forgets it. */
export async function setMenteeName(relationshipId: string, name: string): Promise<void> {
  const clean = name.trim().slice(0, MAX_NAME_CHARS);
  if (!clean) {
    await tx('readwrite', (s) => s.delete(relationshipId));
    return;
  }
  await tx('readwrite', (s) => s.put({ id: relationshipId, name: clean } satisfies NameRecord));
}
