// Signposting: when no listener can take the GP (closed, nobody on shift,
// or the longest wait passed), the session ends and the GP is shown services
// they can reach now, and when the next shift starts.
import { $, formatTime, showView } from '../shared/dom';
import type { FrameOf, SignpostReason } from '../shared/protocol';
import { DEFAULT_ALTERNATIVES, renderAlternatives } from './alternatives';
import { resetToLanding } from './landing';
import { s } from './state';

const SIGNPOST_REASON: Record<SignpostReason, string> = {
  closed: 'Peerline is closed at the moment.',
  no_one_on_shift: 'No listener is on shift at the moment.',
  max_wait: 'We are sorry: no listener became free in time. Rather than keep you waiting longer, here are services you can reach now.',
};

export function onSignposting(f: FrameOf<'signposting'>): void {
  s.phase = 'signposting';
  s.ws?.close();
  s.ws = null;
  void s.api.logout();
  $('signposting-reason').textContent = SIGNPOST_REASON[f.reason] ?? 'No listener is available right now.';
  const next = f.next_shift_start_ms;
  $('signposting-next').textContent = next
    ? `The next listener shift starts ${formatTime(next)}.`
    : 'No listener shift is planned yet.';
  const alts = f.alternatives.length ? f.alternatives : (s.config?.signposting ?? DEFAULT_ALTERNATIVES);
  renderAlternatives($('signposting-list'), alts);
  showView('view-signposting');
}

$('signposting-back').addEventListener('click', () => resetToLanding());
