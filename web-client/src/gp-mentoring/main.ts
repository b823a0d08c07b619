// The GP's peer-mentoring page (mentoring.html, reached from the landing
// page): choose mentors (browse-view.ts), keep the relationship key
// (key-view.ts), send the request (request.ts), see where it stands
// (status-view.ts), then book and manage the series (series-view.ts). Quick
// exit and the 24/7 services are the GP page's own.
//
// Storage rule: this page stores nothing in the browser. The relationship
// key and its token live in memory (state.ts) and go with the tab; the GP
// keeps the key by writing its words down (tests/shared/storage-rule.test.mjs).
import '../shared/styles.css';
import '../gp/quick-exit';
import { DEFAULT_ALTERNATIVES, renderAlternatives } from '../gp/alternatives';
import { ready as keyReady } from '../mentoring/relationship-key';
import { Api, describeApiError } from '../shared/api';
import { $, announce, setError, showView } from '../shared/dom';
import { showReleaseFingerprint } from '../shared/release';
import { initCrypto, rootFingerprint } from '../shared/trust';
import { openBrowse } from './browse-view';
import { keyConfirmed, openKeyStep, restoreFromWords } from './key-view';
import { RequestProblem, sendRequest } from './request';
import './outcome-view';
import { openSeries } from './series-view';
import { openStatus, refreshStatus } from './status-view';
import { forgetKey, m } from './state';

$('start-new').addEventListener('click', () => {
  forgetKey();
  void openBrowse();
});
$('start-restore').addEventListener('click', () => {
  setError('restore-error', null);
  showView('view-restore');
});
$('restore-back').addEventListener('click', () => showView('view-start'));

$('choices-form').addEventListener('submit', (e) => {
  e.preventDefault();
  if (m.choices.length === 0) return;
  // Asking again after every choice declined, or after the mentor left: the
  // GP already holds the key, so the request goes with it straight away.
  const again = m.key && (m.relationship?.state === 'declined' || m.relationship?.state === 'mentor_gone');
  if (again) void send($<HTMLButtonElement>('choices-next'), 'choices-error');
  else openKeyStep();
});
$('key-back').addEventListener('click', () => showView('view-browse'));

$('key-send').addEventListener('click', () => {
  if (keyConfirmed()) void send($<HTMLButtonElement>('key-send'), 'key-error');
});

async function send(btn: HTMLButtonElement, errorId: string): Promise<void> {
  btn.disabled = true;
  try {
    const r = await sendRequest();
    announce('Your request has been sent.');
    openStatus(r);
  } catch (e) {
    setError(errorId, e instanceof RequestProblem ? e.message : describeApiError(e));
  } finally {
    btn.disabled = false;
  }
}

$('restore-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $<HTMLTextAreaElement>('restore-words').value;
  if (!restoreFromWords(text)) return;
  $<HTMLTextAreaElement>('restore-words').value = '';
  try {
    const r = await m.api.relationship(m.token!);
    if (r.state === 'active' || (r.state === 'ended' && r.outcome_due)) await openSeries(r);
    else openStatus(r);
  } catch (err) {
    // A key the server does not know (mistyped but passing the checksum, or
    // never used) and a rate-limited guess both open nothing.
    forgetKey();
    const code = (err as { code?: string }).code;
    setError('restore-error', code === 'unknown_relationship'
      ? 'No mentoring was found for this key. Check the words against what you wrote down.'
      : describeApiError(err));
  }
});

$('status-refresh').addEventListener('click', () => void refreshStatus());
$('status-book').addEventListener('click', () => {
  if (m.relationship) void openSeries(m.relationship);
});
$('status-again').addEventListener('click', () => {
  // Other mentors this time: the earlier choices and notes are not carried over.
  m.choices = [];
  m.notes.clear();
  void openBrowse();
});

async function main(): Promise<void> {
  renderAlternatives($('crisis-list'), DEFAULT_ALTERNATIVES);
  void showReleaseFingerprint($('release-fingerprint'));
  try {
    await initCrypto();
    await keyReady();
    $('root-fingerprint').textContent = rootFingerprint();
  } catch {
    setError('page-error', 'This browser could not start the encryption Peerline needs. Please use an up-to-date browser.');
    for (const id of ['start-new', 'start-restore']) $<HTMLButtonElement>(id).disabled = true;
  }
  try {
    const pub = await new Api().config();
    if (pub.signposting.length) renderAlternatives($('crisis-list'), pub.signposting);
  } catch (e) {
    setError('page-error', describeApiError(e));
  }
  document.body.dataset.ready = 'true';
}

void main();
