// The mentor's requests and mentees: each request with the GP's note opened
// on this device (request-note.ts, through the non-extractable signed key S
// of this device's identity: the note's key never exists in JavaScript),
// accept or decline; each mentee by a pseudonym the mentor chooses (kept on
// this device, mentor-names.ts), their booked sessions, private notes
// (notes-store.ts, encrypted under this device's key, never sent), and
// ending the relationship early with a reason that is only counted.
import { NotesError } from '../mentoring/notes-crypto';
import { deleteNote, exportAll, importAll, loadNote, saveNote } from '../mentoring/notes-store';
import { openRequestNoteAsMentor } from '../mentoring/request-note';
import { describeApiError } from '../shared/api';
import { b64urlDecodeOrNull } from '../shared/b64';
import { formatClock, formatDateTime } from '../shared/datetime';
import { $, $input, announce, h, setError } from '../shared/dom';
import { offerDownload } from '../shared/download';
import { END_REASONS, type EndReason, type MenteeJson, type MentorRequestJson } from '../shared/mentoring-api';
import { mentor } from './mentor-state';
import { MAX_NAME_CHARS, menteeName, setMenteeName } from './mentor-names';
import { s } from './state';

/** The GP's note as text, or why it cannot be shown. */
async function openNote(r: MentorRequestJson): Promise<{ text: string } | { problem: string } | null> {
  if (!r.note) return null;
  const sealed = b64urlDecodeOrNull(r.note);
  const id = s.identity;
  if (!sealed) return { problem: 'The note arrived damaged.' };
  if (!id) return { problem: 'This device has no key, so the note cannot be opened here.' };
  try {
    return { text: await openRequestNoteAsMentor(sealed, { signedKey: id.signedKey as CryptoKey, signedPublic: id.signedPublic }) };
  } catch {
    return { problem: 'The note does not open on this device (it was sealed to another key).' };
  }
}

export async function renderRequests(): Promise<void> {
  const list = await mentor.api!.requests();
  $('mreq-empty').hidden = list.length > 0;
  // A poll does not redraw under the mentor's hands when the same requests are still there.
  const shown = [...$('mreq-list').querySelectorAll<HTMLElement>('[data-request]')].map((e) => e.dataset.request).join();
  if (document.activeElement?.closest('#mreq-list') && shown === list.map((r) => r.request_id).join()) return;
  const items = await Promise.all(list.map(async (r, i) => {
    const note = await openNote(r);
    const title = `mreq-${i}-title`;
    return h('li', { class: 'mentor-request', 'aria-labelledby': title, 'data-request': r.request_id },
      h('p', { id: title }, h('strong', {}, `Request received ${formatDateTime(r.offered_at_ms)}`),
        `. Please answer by ${formatDateTime(r.expires_at_ms)}; after that it passes to the GP's next choice.`),
      note === null ? h('p', { class: 'hint' }, 'The GP wrote no note.')
        : 'text' in note ? h('blockquote', { class: 'gp-note' }, h('p', { class: 'hint' }, 'The GP’s note (only you can read it):'),
          h('p', { class: 'note-text' }, note.text))
          : h('p', { class: 'warning' }, note.problem),
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => void answer(r.request_id, true) }, 'Accept this mentee'),
        h('button', { type: 'button', class: 'secondary', onclick: () => void answer(r.request_id, false) }, 'Decline')));
  }));
  $('mreq-list').replaceChildren(...items);
  const fresh = list.filter((r) => !mentor.seen.has(r.request_id));
  for (const r of list) mentor.seen.add(r.request_id);
  if (fresh.length) announce(fresh.length === 1 ? 'A new mentoring request.' : `${fresh.length} new mentoring requests.`);
}

async function answer(requestId: string, accept: boolean): Promise<void> {
  try {
    if (accept) {
      const rel = await mentor.api!.accept(requestId);
      announce('Accepted. The GP can now book sessions with you.');
      await refreshMentorWork();
      document.querySelector<HTMLInputElement>(`[data-mentee="${CSS.escape(rel)}"] input`)?.focus();
    } else {
      await mentor.api!.decline(requestId);
      announce('Declined. The request passes to the GP’s next choice.');
      await refreshMentorWork();
      $('mreq-title').focus();
    }
    setError('mentor-error', null);
  } catch (e) {
    setError('mentor-error', (e as { code?: string }).code === 'no_such_request'
      ? 'That request is no longer waiting for you (it passed on or was withdrawn).' : describeApiError(e));
    await refreshMentorWork();
  }
}

const when = (a: number, b: number) => `${formatDateTime(a)} to ${formatClock(b)}`;

async function menteeItem(mt: MenteeJson, i: number): Promise<HTMLLIElement> {
  const id = mt.relationship_id;
  const p = `mentee-${i}`;
  const name = (await menteeName(id)) ?? '';
  const nameInput = h('input', { type: 'text', id: `${p}-name`, maxlength: MAX_NAME_CHARS, value: name, autocomplete: 'off' });
  const heading = h('h4', { id: `${p}-title` }, name || `Mentee since ${formatDateTime(mt.started_ms)}`);
  nameInput.addEventListener('change', async () => {
    await setMenteeName(id, nameInput.value);
    heading.textContent = nameInput.value.trim() || `Mentee since ${formatDateTime(mt.started_ms)}`;
    announce('Name kept on this device.');
  });
  const now = Date.now();
  const sessions = [...mt.bookings].sort((a, b) => a.number - b.number);
  const total = sessions.length + mt.sessions_remaining;
  const notes = h('textarea', { id: `${p}-notes`, rows: 4, maxlength: 20000 });
  const noteStatus = h('p', { class: 'status-line', role: 'status' });
  const noteBox = h('details', { class: 'mentee-notes' },
    h('summary', {}, 'My private notes (encrypted on this device)'),
    h('div', { class: 'field' }, h('label', { for: notes.id }, 'Notes'), notes),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', onclick: async () => {
        try {
          if (notes.value.trim() === '') {
            await deleteNote(id);
            noteStatus.textContent = 'No note kept.';
          } else {
            await saveNote(id, { text: notes.value, updatedMs: Date.now() });
            noteStatus.textContent = `Saved on this device at ${formatClock(Date.now())}.`;
          }
        } catch (e) {
          noteStatus.textContent = e instanceof NotesError ? e.message : 'The note could not be saved.';
        }
      } }, 'Save note'),
      h('button', { type: 'button', class: 'secondary', onclick: async () => {
        await deleteNote(id);
        notes.value = '';
        noteStatus.textContent = 'Note deleted from this device.';
      } }, 'Delete note')),
    noteStatus);
  noteBox.addEventListener('toggle', async () => {
    if (!(noteBox as HTMLDetailsElement).open) return;
    try {
      const n = await loadNote(id);
      notes.value = n?.text ?? '';
      noteStatus.textContent = n ? `Last saved ${formatDateTime(n.updatedMs)}.` : 'Nothing recorded.';
    } catch {
      noteStatus.textContent = 'The note on this device does not open.';
    }
  });
  const reason = h('select', { id: `${p}-reason` }, ...END_REASONS.map(([v, l]) => h('option', { value: v }, l)));
  const endBox = mt.state === 'active' ? h('details', {},
    h('summary', {}, 'End this mentoring early'),
    h('p', { class: 'hint' }, 'Later sessions are released. The reason is only counted; the GP is told the mentoring has ended.'),
    h('div', { class: 'field' }, h('label', { for: reason.id }, 'Reason'), reason),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'danger', onclick: async () => {
      try {
        await mentor.api!.end(id, reason.value as EndReason);
        announce('The mentoring has ended.');
        await refreshMentorWork();
      } catch (e) {
        setError('mentor-error', describeApiError(e));
      }
    } }, 'End the mentoring'))) : null;
  return h('li', { class: 'mentee', 'data-mentee': id, 'aria-labelledby': heading.id },
    heading,
    h('div', { class: 'field' }, h('label', { for: nameInput.id }, 'Your name for this mentee ',
      h('span', { class: 'hint' }, '(kept on this device only)')), nameInput),
    h('p', {}, mt.state === 'ended' ? 'Ended.' : `${sessions.length} of ${total} sessions booked.`),
    sessions.length ? h('ul', { class: 'sessions' }, ...sessions.map((b) => h('li', {},
      `Session ${b.number}: ${when(b.start_ms, b.end_ms)}${b.end_ms <= now ? ' (held)' : ''}`))) : null,
    noteBox, endBox);
}

export async function renderMentees(): Promise<void> {
  const list = await mentor.api!.mentees();
  $('mentees-empty').hidden = list.length > 0;
  // A poll does not redraw under the mentor's hands (a note or name being
  // written); the same mentees are still there, and the next poll catches up.
  const busy = Boolean(document.activeElement?.closest('#mentees-list'));
  if (busy && $('mentees-list').children.length === list.length) return;
  $('mentees-list').replaceChildren(...await Promise.all(list.map(menteeItem)));
}

export async function refreshMentorWork(): Promise<void> {
  try {
    await renderRequests();
    await renderMentees();
    setError('mentor-error', null);
  } catch (e) {
    setError('mentor-error', describeApiError(e));
  }
}

$('mentor-refresh').addEventListener('click', () => void refreshMentorWork());

$('notes-export').addEventListener('click', async () => {
  const pass = $input('notes-pass').value;
  const status = $('notes-status');
  if (pass.length < 12) {
    status.textContent = 'Choose a passphrase of at least 12 characters.';
    $input('notes-pass').focus();
    return;
  }
  status.textContent = 'Encrypting your notes… this takes a few seconds.';
  try {
    const text = await exportAll(pass);
    offerDownload(text, 'peerline-mentor-notes.json', 'application/json');
    status.textContent = 'Exported. Keep the file and the passphrase apart.';
  } catch (e) {
    status.textContent = e instanceof NotesError ? e.message : 'The notes could not be exported.';
  }
});

$('notes-import').addEventListener('click', async () => {
  const file = $input('notes-file').files?.[0];
  const status = $('notes-status');
  if (!file) {
    status.textContent = 'Choose the notes file first.';
    return;
  }
  if (file.size > 16 * 1024 * 1024) {
    status.textContent = 'That file is too large to be a notes file.';
    return;
  }
  status.textContent = 'Opening the file… this takes a few seconds.';
  try {
    const r = await importAll(await file.text(), $input('notes-pass').value);
    status.textContent = `Imported: ${r.added} new, ${r.replaced} updated, ${r.kept} kept (the note here was newer).`;
  } catch (e) {
    status.textContent = e instanceof NotesError
      ? (e.code === 'wrong_passphrase' ? 'That passphrase does not open this file.' : e.code === 'tampered'
        ? 'This file was changed after it was exported.' : e.message)
      : 'The notes could not be imported.';
  }
});
