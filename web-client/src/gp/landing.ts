// The landing page: the public configuration (the 24/7 services, the topics
// a GP may choose from), and going back to it from anywhere, with the
// session forgotten.
import { describeApiError } from '../shared/api';
import { $, h, setError, showView } from '../shared/dom';
import { topicLabel } from '../shared/protocol';
import { DEFAULT_ALTERNATIVES, renderAlternatives } from './alternatives';
import { renderContinuityChoice } from './continuity-view';
import { s } from './state';

export async function loadConfig(): Promise<void> {
  try {
    s.config = await s.api.config();
    renderAlternatives($('crisis-list'), s.config.signposting.length ? s.config.signposting : DEFAULT_ALTERNATIVES);
    const sel = $<HTMLSelectElement>('topic');
    sel.replaceChildren(h('option', { value: '' }, 'Rather not say'),
      ...s.config.topics.map((t) => h('option', { value: t }, topicLabel(t))));
    setError('page-error', null);
  } catch (e) {
    renderAlternatives($('crisis-list'), DEFAULT_ALTERNATIVES);
    if ($('page-error').hidden) setError('page-error', describeApiError(e));
  }
}

/** Closes the connection and the conversation, forgets the session and shows the landing page. */
export function resetToLanding(notice?: string): void {
  s.ws?.close();
  s.ws = null;
  s.conv?.close();
  s.conv = null;
  s.chat = null;
  s.phase = 'landing';
  s.leaving = false;
  s.offeredCode = null;
  s.lastPosition = null;
  s.welcomedOnce = false;
  void s.api.logout();
  $('conn-banner').hidden = true;
  $<HTMLButtonElement>('ask-button').disabled = false;
  renderContinuityChoice();
  setError('page-error', notice ?? null);
  showView('view-landing');
}
