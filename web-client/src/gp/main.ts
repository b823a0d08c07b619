// The GP's page (index.html): landing, queue, signposting, the end-to-end
// encrypted chat, feedback and the optional continuity code, each in its own
// module (state.ts, quick-exit.ts, landing.ts, queue.ts, signposting.ts,
// conversation.ts, after.ts, continuity-view.ts). This file wires them to
// the WebSocket.
//
// Storage rule: nothing is stored in the browser (no cookies, no
// sessionStorage, no IndexedDB) except the continuity code, and only after
// the GP asks for it (continuity.ts, the only module that touches storage).
// The session token and all keys live in memory only.
import '../shared/styles.css';
import { describeApiError } from '../shared/api';
import { $, announce, setError } from '../shared/dom';
import type { FrameOf, ServerFrame } from '../shared/protocol';
import { MIN_REVOCATION_NUMBER, initCrypto, pinnedRoot, rootFingerprint } from '../shared/trust';
import { showReleaseFingerprint } from '../shared/release';
import { type ConnState, WsClient } from '../shared/ws';
import './quick-exit';
import { renderContinuityChoice } from './continuity-view';
import { onConversationEnded, onConversationStarted, onPartnerStatus, onRelay, onResumed } from './conversation';
import { loadConfig, resetToLanding } from './landing';
import { onLeftQueue, onQueued, requestChat } from './queue';
import { onSignposting } from './signposting';
import { s } from './state';

export { QUICK_EXIT_URL } from './quick-exit';

$('ask-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void askToTalk();
});

async function askToTalk(): Promise<void> {
  if (s.phase !== 'landing') return;
  $<HTMLButtonElement>('ask-button').disabled = true;
  setError('page-error', null);
  s.phase = 'connecting';
  try {
    await s.api.gpSession();
  } catch (e) {
    s.phase = 'landing';
    $<HTMLButtonElement>('ask-button').disabled = false;
    setError('page-error', describeApiError(e));
    return;
  }
  const graceMs = (s.config?.resume_grace_s ?? 60) * 1000;
  // Kept for the tab's life: the lowest revocation list number accepted,
  // starting at the release's floor and raised to the highest seen (an
  // older list served later is refused as a rollback).
  s.trust ??= { root: pinnedRoot(), revocationList: () => s.api.revocationList(), minCrlNumber: MIN_REVOCATION_NUMBER };
  s.ws = new WsClient(() => s.api.currentToken(), { onFrame, onRelay, onState }, { resumeGraceMs: graceMs });
  s.ws.connect();
}

// --- connection ---------------------------------------------------------------

function onState(st: ConnState, detail?: string): void {
  const banner = $('conn-banner');
  switch (st) {
    case 'reconnecting':
      banner.textContent = 'Connection lost. Reconnecting…';
      banner.hidden = false;
      if (s.chat) s.chat.setEnabled(false);
      $('chat-status').textContent = 'Reconnecting…';
      break;
    case 'online':
      if (!banner.hidden) announce('Reconnected.');
      banner.hidden = true;
      break;
    case 'expired':
      banner.hidden = true;
      if (s.phase === 'after') break;
      resetToLanding(detail && detail.includes('too long')
        ? 'The connection was lost for too long, so your session has ended. Please ask to talk again.'
        : 'Your session has expired. Please ask to talk again.');
      break;
    case 'unreachable':
      banner.hidden = true;
      resetToLanding('Peerline cannot be reached. Check your connection and try again.');
      break;
    default:
      break;
  }
}

function onFrame(f: ServerFrame): void {
  switch (f.type) {
    case 'welcome':
      if (!s.welcomedOnce) {
        s.welcomedOnce = true;
        requestChat();
      } else {
        onResumed();
      }
      break;
    case 'queued':
      onQueued(f.position, f.estimated_wait_s);
      break;
    case 'left_queue':
      onLeftQueue();
      break;
    case 'signposting':
      onSignposting(f);
      break;
    case 'conversation_started':
      onConversationStarted(f.channel, f.conversation_id);
      break;
    case 'conversation_ended':
      onConversationEnded(f);
      break;
    case 'partner_status':
      onPartnerStatus(f);
      break;
    case 'shutdown':
      $('conn-banner').textContent = 'Peerline is restarting. Reconnecting…';
      $('conn-banner').hidden = false;
      break;
    case 'error':
      onServerError(f);
      break;
    default:
      break;
  }
}

function onServerError(f: FrameOf<'error'>): void {
  const code = f.code;
  if (f.in_reply_to === 'request_chat') {
    resetToLanding(code === 'rate_limited' ? 'Too many requests. Please wait a moment and try again.'
      : code === 'service_unavailable' ? 'Peerline is temporarily unavailable. Please try again shortly.'
        : `Your request could not be made (${code}).`);
    return;
  }
  if (code === 'service_unavailable') setError('page-error', 'Peerline is temporarily unavailable. Please try again shortly.');
}

// --- start --------------------------------------------------------------------

async function main(): Promise<void> {
  renderContinuityChoice();
  void showReleaseFingerprint($('release-fingerprint'));
  try {
    await initCrypto();
    $('root-fingerprint').textContent = rootFingerprint();
  } catch {
    setError('page-error', 'This browser could not start the encryption Peerline needs. Please use an up-to-date browser.');
    $<HTMLButtonElement>('ask-button').disabled = true;
  }
  await loadConfig();
  document.body.dataset.ready = 'true';
}

void main();
