// Sending the request: each note sealed on this device to the mentor it is
// for (request-note.ts), only after that mentor's certificate checks out
// against the organisation's trust state, exactly as a GP checks a listener.
// A mentor whose certificate fails is not asked, and the GP is told why.
import type { TrustAnchor } from '../crypto/certificate.js';
import { RequestNoteError, ready as noteReady, sealRequestNote } from '../mentoring/request-note';
import { Api } from '../shared/api';
import { b64urlDecode, b64urlEncode } from '../shared/b64';
import type { RelationshipJson } from '../shared/mentoring-api';
import { MIN_REVOCATION_NUMBER, pinnedRoot, trustStateBytes } from '../shared/trust';
import { m } from './state';

export class RequestProblem extends Error {}

/** The trust state now, for checking mentors' certificates (null when the organisation has published none). */
async function trustAnchor(): Promise<TrustAnchor> {
  const list = await new Api().revocationList();
  if (!list || !list.revocation_list) {
    throw new RequestProblem('The organisation has not published its list of withdrawn certificates, so mentors cannot be checked. Please try again later.');
  }
  return {
    root: pinnedRoot(), ...trustStateBytes(list), now: Math.floor(Date.now() / 1000),
    minCrlNumber: MIN_REVOCATION_NUMBER,
  } as TrustAnchor;
}

/** The choices as the server takes them, notes sealed. Throws RequestProblem naming the mentor when one cannot be. */
export async function sealedChoices(ids = m.choices): Promise<{ mentor_id: string; note?: string }[]> {
  if (!m.key) throw new RequestProblem('There is no relationship key.');
  await noteReady();
  const withNotes = ids.filter((id) => (m.notes.get(id) ?? '').trim() !== '');
  const trust = withNotes.length ? await trustAnchor() : null;
  return ids.map((id) => {
    const text = (m.notes.get(id) ?? '').trim();
    if (!text) return { mentor_id: id };
    const name = m.cards.find((c) => c.id === id)?.displayName ?? 'this mentor';
    try {
      const sealed = sealRequestNote(m.key!, b64urlDecode(m.certificates.get(id) ?? ''), trust!, text);
      return { mentor_id: id, note: b64urlEncode(sealed) };
    } catch (e) {
      if (e instanceof RequestNoteError && e.code === 'too_long') throw new RequestProblem(`Your note to ${name} is too long.`);
      throw new RequestProblem(`${name}'s certificate could not be checked on this device, so your note cannot be sealed to them. `
        + 'Remove the note or choose someone else.');
    }
  });
}

/** Sends the request with the key's token; the notes' plaintext is forgotten once sent. */
export async function sendRequest(): Promise<RelationshipJson> {
  const choices = await sealedChoices();
  await m.api.request(m.token!, choices);
  m.notes.clear();
  m.relationship = await m.api.relationship(m.token!);
  return m.relationship;
}
