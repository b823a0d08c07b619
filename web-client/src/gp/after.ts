// After the conversation: who ended it, the continuity code offered (kept
// only if the GP asks), the two feedback questions, and starting again.
import { ApiError, describeApiError } from '../shared/api';
import { $, announce, setError, showView } from '../shared/dom';
import type { EndedBy } from '../shared/protocol';
import { offerCode } from './continuity-view';
import { resetToLanding } from './landing';
import { s } from './state';

const ENDED_BY: Record<EndedBy, string> = {
  gp: 'You ended the conversation.',
  listener: 'Your listener ended the conversation.',
  server: 'The conversation was ended by Peerline.',
};

/** Shows the after view (the conversation and the connection are already closed). */
export function showAfter(by: EndedBy, continuityCode: string | undefined): void {
  $('after-reason').textContent = ENDED_BY[by] ?? '';
  offerCode(continuityCode ?? null);
  $('feedback-done').hidden = true;
  setError('feedback-error', null);
  $<HTMLButtonElement>('feedback-send').disabled = false;
  $<HTMLFormElement>('feedback-form').reset();
  showView('view-after');
  announce('The conversation has ended.');
}

$('feedback-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void sendFeedback();
});

async function sendFeedback(): Promise<void> {
  const form = $<HTMLFormElement>('feedback-form');
  const helped = (form.elements.namedItem('helped') as RadioNodeList).value;
  const stay = (form.elements.namedItem('stay') as RadioNodeList).value;
  if (!helped || !stay) {
    setError('feedback-error', 'Please answer both questions, or simply leave this page.');
    return;
  }
  setError('feedback-error', null);
  try {
    await s.api.feedback(helped, stay);
    $('feedback-done').hidden = false;
    $<HTMLButtonElement>('feedback-send').disabled = true;
    announce('Thank you. Your feedback was sent.');
  } catch (err) {
    if (err instanceof ApiError && err.code === 'not_expected') { // already counted for this conversation
      $('feedback-done').hidden = false;
      $<HTMLButtonElement>('feedback-send').disabled = true;
    } else {
      setError('feedback-error', describeApiError(err));
    }
  }
}

$('start-again').addEventListener('click', () => {
  s.welcomedOnce = false;
  resetToLanding();
});
