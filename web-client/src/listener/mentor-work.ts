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
import { END_REASONS, type EndReason, type MenteeJson, type MentorApi, type MentorRequestJson } from '../shared/mentoring-api';
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

/** A number for the ids inside one request or mentee item: items come and go, so ids must not follow their place. */
let itemCount = 0;

async function requestItem(r: MentorRequestJson): Promise<HTMLLIElement> {
  const withKey = Boolean(s.identity);
  const note = await openNote(r);
  const title = `mreq-${++itemCount}-title`;
  return h('li', {
    class: 'mentor-request', 'aria-labelledby': title, 'data-request': r.request_id, 'data-device-key': withKey ? 'yes' : 'no',
  },
    h('p', { id: title }, h('strong', {}, `Request received ${formatDateTime(r.offered_at_ms)}`),
      `. Please answer by ${formatDateTime(r.expires_at_ms)}; after that it passes to the GP's next choice.`),
    note === null ? h('p', { class: 'hint' }, 'The GP wrote no note.')
      : 'text' in note ? h('blockquote', { class: 'gp-note' }, h('p', { class: 'hint' }, 'The GP’s note (only you can read it):'),
        h('p', { class: 'note-text' }, note.text))
        : h('p', { class: 'warning' }, note.problem),
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: (e: Event) => void answer(e, r.request_id, true) }, 'Accept this mentee'),
      h('button', { type: 'button', class: 'secondary', onclick: (e: Event) => void answer(e, r.request_id, false) }, 'Decline')));
}

/** The items shown in `list` by their key (data-request or data-mentee). */
function shownByKey(list: HTMLElement, key: 'request' | 'mentee'): Map<string, HTMLLIElement> {
  return new Map([...list.children].map((e) => [(e as HTMLElement).dataset[key] ?? '', e as HTMLLIElement]));
}

/** Requests still waiting keep their item (and the mentor's focus in it); only new ones are drawn. */
async function renderRequests(api: MentorApi): Promise<void> {
  const list = await api.requests();
  const shown = shownByKey($('mreq-list'), 'request');
  // One drawn before this device had its key is drawn again once it has (the note may open now).
  const kept = (r: MentorRequestJson) => {
    const li = shown.get(r.request_id);
    return li && (li.dataset.deviceKey === 'yes' || !s.identity) ? li : undefined;
  };
  const items = await Promise.all(list.map((r) => kept(r) ?? requestItem(r)));
  if (mentor.api !== api) return; // signed out meanwhile
  $('mreq-empty').hidden = list.length > 0;
  showExactly($('mreq-list'), items);
  const fresh = list.filter((r) => !mentor.seen.has(r.request_id));
  for (const r of list) mentor.seen.add(r.request_id);
  if (fresh.length) announce(fresh.length === 1 ? 'A new mentoring request.' : `${fresh.length} new mentoring requests.`);
}

/** Accepts or declines; the request's buttons wait meanwhile, so a second click cannot answer twice. */
async function answer(e: Event, requestId: string, accept: boolean): Promise<void> {
  const buttons = [...((e.currentTarget as HTMLElement).closest('.actions')?.querySelectorAll('button') ?? [])];
  if (buttons.some((b) => b.disabled)) return;
  for (const b of buttons) b.disabled = true;
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
  } catch (err) {
    setError('mentor-error', (err as { code?: string }).code === 'no_such_request'
      ? 'That request is no longer waiting for you (it passed on or was withdrawn).' : describeApiError(err));
    await refreshMentorWork();
  } finally {
    for (const b of buttons) b.disabled = false; // the item is gone unless the answer failed
  }
}

const when = (a: number, b: number) => `${formatDateTime(a)} to ${formatClock(b)}`;

/** The mentee's bookings as the server last said, redrawn in place by each refresh. */
function bookingsPart(mt: MenteeJson): HTMLDivElement {
  const now = Date.now();
  const sessions = [...mt.bookings].sort((a, b) => a.number - b.number);
  const total = sessions.length + mt.sessions_remaining;
  return h('div', { class: 'mentee-bookings' },
    h('p', {}, mt.state === 'ended' ? 'Ended.' : `${sessions.length} of ${total} sessions booked.`),
    sessions.length ? h('ul', { class: 'sessions' }, ...sessions.map((b) => h('li', {},
      `Session ${b.number}: ${when(b.start_ms, b.end_ms)}${b.end_ms <= now ? ' (held)' : ''}`))) : null);
}

/**
 * The private notes of one mentee. The note is read from this device when
 * the box is first opened; until it is, the box takes no typing and its
 * buttons do nothing, so a note being read can never overwrite what the
 * mentor typed, nor a save race the read.
 */
function notesBox(id: string, p: string): HTMLDetailsElement {
  const notes = h('textarea', { id: `${p}-notes`, rows: 4, maxlength: 20000, readonly: true });
  const noteStatus = h('p', { class: 'status-line', role: 'status' });
  const buttons: HTMLButtonElement[] = [];
  let loaded = false;
  let busy = false;
  /** Runs `work` with the box locked (read-only, buttons disabled); says `problem` if it fails. */
  const locked = async (work: () => Promise<void>, problem: string) => {
    busy = true;
    notes.readOnly = true;
    for (const b of buttons) b.disabled = true;
    try {
      await work();
    } catch (e) {
      noteStatus.textContent = e instanceof NotesError ? e.message : problem;
    } finally {
      busy = false;
      notes.readOnly = !loaded;
      for (const b of buttons) b.disabled = !loaded;
    }
  };
  const button = (label: string, work: () => Promise<void>, problem: string) => {
    const b = h('button', { type: 'button', class: 'secondary', disabled: true, onclick: () => {
      if (!busy && loaded) void locked(work, problem);
    } }, label);
    buttons.push(b);
    return b;
  };
  const box = h('details', { class: 'mentee-notes' },
    h('summary', {}, 'My private notes (encrypted on this device)'),
    h('div', { class: 'field' }, h('label', { for: notes.id }, 'Notes'), notes),
    h('div', { class: 'actions' },
      button('Save note', async () => {
        if (notes.value.trim() === '') {
          await deleteNote(id);
          noteStatus.textContent = 'No note kept.';
        } else {
          await saveNote(id, { text: notes.value, updatedMs: Date.now() });
          noteStatus.textContent = `Saved on this device at ${formatClock(Date.now())}.`;
        }
      }, 'The note could not be saved.'),
      button('Delete note', async () => {
        await deleteNote(id);
        notes.value = '';
        noteStatus.textContent = 'Note deleted from this device.';
      }, 'The note could not be deleted.')),
    noteStatus);
  box.addEventListener('toggle', () => {
    if (!box.open || loaded || busy) return;
    noteStatus.textContent = 'Opening the note on this device…';
    void locked(async () => {
      try {
        const n = await loadNote(id);
        notes.value = n?.text ?? '';
        noteStatus.textContent = n ? `Last saved ${formatDateTime(n.updatedMs)}.` : 'Nothing recorded.';
      } catch {
        notes.value = ''; // a new note may replace one that no longer opens
        noteStatus.textContent = 'The note on this device does not open.';
      } finally {
        loaded = true;
      }
    }, 'The note on this device does not open.');
  });
  return box;
}

async function menteeItem(mt: MenteeJson): Promise<HTMLLIElement> {
  const id = mt.relationship_id;
  const p = `mentee-${++itemCount}`;
  const name = (await menteeName(id)) ?? '';
  const nameInput = h('input', { type: 'text', id: `${p}-name`, maxlength: MAX_NAME_CHARS, value: name, autocomplete: 'off' });
  const heading = h('h4', { id: `${p}-title` }, name || `Mentee since ${formatDateTime(mt.started_ms)}`);
  nameInput.addEventListener('change', async () => {
    await setMenteeName(id, nameInput.value);
    heading.textContent = nameInput.value.trim() || `Mentee since ${formatDateTime(mt.started_ms)}`;
    announce('Name kept on this device.');
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
  return h('li', { class: 'mentee', 'data-mentee': id, 'data-state': mt.state, 'aria-labelledby': heading.id },
    heading,
    h('div', { class: 'field' }, h('label', { for: nameInput.id }, 'Your name for this mentee ',
      h('span', { class: 'hint' }, '(kept on this device only)')), nameInput),
    bookingsPart(mt), notesBox(id, p), endBox);
}

/**
 * A mentee already shown keeps their item, so a refresh never redraws under
 * the mentor's hands (a name or note being written, a box open): only the
 * bookings are redrawn, and only when they changed. A mentee whose state
 * changed (the mentoring ended) is drawn afresh.
 */
async function renderMentees(api: MentorApi): Promise<void> {
  const list = await api.mentees();
  const shown = shownByKey($('mentees-list'), 'mentee');
  const kept = (mt: MenteeJson) => {
    const li = shown.get(mt.relationship_id);
    return li?.dataset.state === mt.state ? li : undefined;
  };
  const items = await Promise.all(list.map((mt) => kept(mt) ?? menteeItem(mt)));
  if (mentor.api !== api) return; // signed out meanwhile
  list.forEach((mt, i) => {
    const old = items[i].querySelector('.mentee-bookings');
    const fresh = bookingsPart(mt);
    if (old && old.textContent !== fresh.textContent) old.replaceWith(fresh);
  });
  $('mentees-empty').hidden = list.length > 0;
  showExactly($('mentees-list'), items);
}

/** Makes `list`'s children exactly `items`, in order, moving nothing that is already in its place (it keeps focus and state). */
function showExactly(list: HTMLElement, items: HTMLElement[]): void {
  for (const e of [...list.children]) if (!items.includes(e as HTMLElement)) e.remove();
  items.forEach((e, i) => {
    if (list.children[i] !== e) list.insertBefore(e, list.children[i] ?? null);
  });
}

async function refreshOnce(): Promise<void> {
  const api = mentor.api;
  if (!api) return;
  try {
    await renderRequests(api);
    if (mentor.api !== api) return; // signed out meanwhile: ask nothing more with that session
    await renderMentees(api);
    if (mentor.api === api) setError('mentor-error', null);
  } catch (e) {
    if (mentor.api === api) setError('mentor-error', describeApiError(e));
  }
}

let running: Promise<void> = Promise.resolve();
let next: Promise<void> | null = null;

/**
 * Asks the server for the requests and mentees and shows them. Refreshes run
 * one at a time, in the order asked, so an older answer (a poll sent before
 * an accept, say) never draws over a newer one; a refresh asked for while one
 * runs is done once that one ends, and every caller waiting then shares it.
 * Resolves when a refresh started after this call has been shown.
 */
export function refreshMentorWork(): Promise<void> {
  if (!next) {
    const mine: Promise<void> = running.then(() => {
      next = null;
      return refreshOnce();
    });
    next = mine;
    running = mine;
  }
  return next;
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
