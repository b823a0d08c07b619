// Asking to talk and waiting: the request (topic, urgency, the kept
// continuity code when the GP chose to use it), the place in the queue and
// leaving it.
import { $, $input, announce, formatWait, showView } from '../shared/dom';
import { type ClientFrame, TOPICS, type Topic } from '../shared/protocol';
import { storedCode } from './continuity';
import { resetToLanding } from './landing';
import { s } from './state';

function chosenTopic(): Topic | undefined {
  const value = $<HTMLSelectElement>('topic').value;
  return TOPICS.find((t) => t === value);
}

/** Sends `request_chat` from the landing page's form. */
export function requestChat(): void {
  const frame: ClientFrame = { type: 'request_chat', urgent: $input('urgent').checked };
  const topic = chosenTopic();
  if (topic) frame.topic = topic;
  const code = storedCode();
  if (code && $input('use-continuity').checked && !$('continuity-choice').hidden) frame.continuity_code = code;
  s.ws?.send(frame);
}

export function onQueued(position: number, waitS?: number): void {
  if (s.phase !== 'queued') {
    s.phase = 'queued';
    showView('view-queue');
  }
  $('queue-position').textContent = String(position);
  $('queue-wait').textContent = waitS === undefined ? 'no estimate yet' : formatWait(waitS);
  if (s.lastPosition !== position) {
    announce(position === 1 ? 'You are next in the queue.' : `You are number ${position} in the queue.`);
  }
  s.lastPosition = position;
}

/** `left_queue`: asked for, or the place was lost. */
export function onLeftQueue(): void {
  if (s.leaving) resetToLanding();
  else if (s.phase === 'queued') resetToLanding('Your place in the queue was lost. Please ask to talk again.');
}

$('leave-queue').addEventListener('click', () => {
  s.leaving = true;
  s.ws?.send({ type: 'leave_queue' });
});
