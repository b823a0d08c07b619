// The continuity code on screen: what this browser holds (shown on the
// landing page, with "forget" and "forget on quick exit"), and keeping the
// code offered after a conversation. Storage itself is continuity.ts's
// alone (the storage rule).
import { formatDate } from '../shared/datetime';
import { $, $input, announce } from '../shared/dom';
import { forgetCode, keepCode, setForgetOnExit, storedRecord } from './continuity';
import { s } from './state';

/** The landing page says what this browser holds: nothing, or the code (shown, so it can be written down). */
export function renderContinuityChoice(): void {
  const rec = storedRecord();
  $('continuity-choice').hidden = rec === null;
  $('stored-nothing').hidden = rec !== null;
  $('stored-code').hidden = rec === null;
  if (rec) {
    $('stored-code-value').textContent = rec.code;
    $('stored-code-since').textContent = rec.savedMs ? `, kept since ${formatDate(rec.savedMs)}` : '';
    $input('forget-on-exit').checked = rec.forgetOnExit;
  }
}

/** Shows the code the server offered at the end of a conversation, or hides the panel. */
export function offerCode(code: string | null): void {
  s.offeredCode = code;
  $('continuity-panel').hidden = code === null;
  $('keep-done').hidden = true;
  $<HTMLButtonElement>('keep-code').disabled = false;
  $input('keep-forget-on-exit').disabled = false;
}

$('forget-code').addEventListener('click', () => {
  forgetCode();
  renderContinuityChoice();
  announce('Your continuity code has been forgotten. Nothing is saved in this browser now.');
  $('ask-button').focus();
});

$('forget-on-exit').addEventListener('change', () => {
  setForgetOnExit($input('forget-on-exit').checked);
});

$('keep-code').addEventListener('click', () => {
  if (!s.offeredCode) return;
  if (keepCode(s.offeredCode, $input('keep-forget-on-exit').checked)) {
    $<HTMLButtonElement>('keep-code').disabled = true;
    $input('keep-forget-on-exit').disabled = true;
    $('kept-code').textContent = s.offeredCode;
  } else {
    $('keep-done-text').textContent = 'This browser does not allow saving it.';
  }
  $('keep-done').hidden = false;
});
