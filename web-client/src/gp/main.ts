// The GP's page (index.html): landing, queue, signposting, the end-to-end
// encrypted chat, feedback and the optional continuity code.
//
// Storage rule: nothing is stored in the browser (no cookies, no
// sessionStorage, no IndexedDB) except the continuity code, and only after
// the GP asks for it (continuity.ts, the only module that touches storage).
// The session token and all keys live in memory only.
import '../shared/styles.css';
import { Api, ApiError, type Alternative, type PublicConfig, describeApiError } from '../shared/api';
import { ChatView } from '../shared/chatview';
import { Conversation, type ConversationEvent, type GpTrust } from '../shared/conversation';
import { contactNode } from '../shared/contact';
import { formatDate } from '../shared/datetime';
import { $, $input, announce, formatTime, formatWait, h, setError, showView } from '../shared/dom';
import { MIN_REVOCATION_NUMBER, initCrypto, pinnedRoot, rootFingerprint } from '../shared/trust';
import { showReleaseFingerprint } from '../shared/release';
import { type ConnState, type ServerFrame, WsClient } from '../shared/ws';
import { forgetCode, forgetOnExit, keepCode, setForgetOnExit, storedCode, storedRecord } from './continuity';

/** Where quick exit goes: a neutral page, replacing this one in the history. */
export const QUICK_EXIT_URL = 'https://www.bbc.co.uk/weather';

const TOPIC_LABELS: Record<string, string> = {
  workload: 'Workload or burnout',
  clinical_case: 'A clinical case',
  complaint: 'A complaint or the regulator',
  career: 'My career',
  personal: 'Something personal',
  other: 'Something else',
};

const ENDED_BY: Record<string, string> = {
  gp: 'You ended the conversation.',
  listener: 'Your listener ended the conversation.',
  server: 'The conversation was ended by Peerline.',
};

const DEFAULT_ALTERNATIVES: Alternative[] = [
  { name: 'Samaritans', contact: '116 123', hours: '24/7' },
  { name: 'NHS 111 (option 2 for mental health)', contact: '111', hours: '24/7' },
];

interface GpState {
  api: Api;
  ws: WsClient | null;
  config: PublicConfig | null;
  conv: Conversation | null;
  chat: ChatView | null;
  trust: GpTrust | null;
  phase: 'landing' | 'connecting' | 'queued' | 'chat' | 'after' | 'signposting';
  leaving: boolean;
  offeredCode: string | null;
  lastPosition: number | null;
  pendingIds: Set<string>;
}

const s: GpState = {
  api: new Api(),
  ws: null,
  config: null,
  conv: null,
  chat: null,
  trust: null,
  phase: 'landing',
  leaving: false,
  offeredCode: null,
  lastPosition: null,
  pendingIds: new Set(),
};

// --- quick exit -------------------------------------------------------------

/** Forgets everything in memory and replaces the page with a neutral one. */
function quickExit(): void {
  try {
    // The one thing the GP may have saved goes too, if they asked for that.
    if (forgetOnExit()) forgetCode();
    // Leave the queue or end the conversation first, so nobody is left waiting
    // (frames written before close() still go out, in order).
    if (s.ws && s.phase === 'queued') s.ws.send({ type: 'leave_queue' });
    if (s.ws && s.conv) s.ws.send({ type: 'end_conversation', channel: s.conv.channel, reason: 'gp_left' });
    s.ws?.close();
    s.conv?.close();
    s.api.logoutBeacon();
  } finally {
    s.ws = null;
    s.conv = null;
    s.chat = null;
    s.trust = null;
    s.offeredCode = null;
    document.title = 'Weather';
    document.body.replaceChildren();
    location.replace(QUICK_EXIT_URL);
  }
}

$('quick-exit').addEventListener('click', quickExit);

/**
 * Escape is quick exit, except where a GP may press it for something else
 * while writing (to dismiss autocomplete, out of habit): in a text field the
 * first Escape only arms it and says so, and a second Escape straight after
 * (no other key between) leaves. The button is always one press.
 */
let escapeArmed = false;

function isTextEntry(t: EventTarget | null): boolean {
  if (t instanceof HTMLTextAreaElement) return true;
  if (t instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(t.type);
  return t instanceof HTMLElement && t.isContentEditable;
}

function disarmEscape(): void {
  escapeArmed = false;
  $('escape-hint').hidden = true;
}

document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape') {
    if (escapeArmed) disarmEscape();
    return;
  }
  if (e.isComposing) return; // closing an input method's candidate list
  if (escapeArmed || !isTextEntry(e.target)) {
    e.preventDefault();
    quickExit();
    return;
  }
  escapeArmed = true;
  $('escape-hint').hidden = false;
}, { capture: true });
document.addEventListener('focusin', () => { if (escapeArmed) disarmEscape(); });
document.addEventListener('pointerdown', () => { if (escapeArmed) disarmEscape(); });

// In-page links ("Skip to main content", "24/7 help") move focus without a
// history entry: quick exit replaces only the current entry, so an earlier
// one for the same page (#crisis) would let Back return to Peerline.
document.addEventListener('click', (e) => {
  const link = (e.target as Element | null)?.closest?.('a[href^="#"]');
  if (!link) return;
  const target = document.getElementById(link.getAttribute('href')!.slice(1));
  if (!target) return;
  e.preventDefault();
  target.scrollIntoView({ block: 'start' });
  target.focus({ preventScroll: true });
});

// --- continuity code (the only thing ever stored, and only on request) -----

/** The landing page says what this browser holds: nothing, or the code (shown, so it can be written down). */
function renderContinuityChoice(): void {
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
    ($('keep-code') as HTMLButtonElement).disabled = true;
    $input('keep-forget-on-exit').disabled = true;
    $('kept-code').textContent = s.offeredCode;
  } else {
    $('keep-done-text').textContent = 'This browser does not allow saving it.';
  }
  $('keep-done').hidden = false;
});

// --- landing, config --------------------------------------------------------

function renderAlternatives(list: HTMLElement, alts: Alternative[]): void {
  list.replaceChildren(...alts.map((a) => h('li', {},
    h('span', { class: 'name' }, a.name),
    contactNode(a.contact), ' ',
    h('span', { class: 'hours' }, a.hours))));
}

async function loadConfig(): Promise<void> {
  try {
    s.config = await s.api.config();
    renderAlternatives($('crisis-list'), s.config.signposting.length ? s.config.signposting : DEFAULT_ALTERNATIVES);
    const sel = $('topic') as HTMLSelectElement;
    sel.replaceChildren(h('option', { value: '' }, 'Rather not say'),
      ...s.config.topics.map((t) => h('option', { value: t }, TOPIC_LABELS[t] ?? t)));
    setError('page-error', null);
  } catch (e) {
    renderAlternatives($('crisis-list'), DEFAULT_ALTERNATIVES);
    if ($('page-error').hidden) setError('page-error', describeApiError(e));
  }
}

function resetToLanding(notice?: string): void {
  s.ws?.close();
  s.ws = null;
  s.conv?.close();
  s.conv = null;
  s.chat = null;
  s.phase = 'landing';
  s.leaving = false;
  s.offeredCode = null;
  s.lastPosition = null;
  welcomedOnce = false;
  void s.api.logout();
  $('conn-banner').hidden = true;
  ($('ask-button') as HTMLButtonElement).disabled = false;
  renderContinuityChoice();
  setError('page-error', notice ?? null);
  showView('view-landing');
}

$('ask-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void askToTalk();
});

async function askToTalk(): Promise<void> {
  if (s.phase !== 'landing') return;
  ($('ask-button') as HTMLButtonElement).disabled = true;
  setError('page-error', null);
  s.phase = 'connecting';
  try {
    await s.api.gpSession();
  } catch (e) {
    s.phase = 'landing';
    ($('ask-button') as HTMLButtonElement).disabled = false;
    setError('page-error', describeApiError(e));
    return;
  }
  const graceMs = (s.config?.resume_grace_s ?? 60) * 1000;
  // Kept for the tab's life: the lowest revocation list number accepted,
  // starting at the release's floor and raised to the highest seen (an
  // older list served later is refused as a rollback).
  s.trust ??= { root: pinnedRoot(), revocationList: () => s.api.revocationList(), minCrlNumber: MIN_REVOCATION_NUMBER };
  s.ws = new WsClient(() => s.api.currentToken(), { onFrame, onRelay, onState }, graceMs);
  s.ws.connect();
}

function requestChat(): void {
  const topic = ($('topic') as HTMLSelectElement).value;
  const frame: Record<string, unknown> = { type: 'request_chat', urgent: $input('urgent').checked };
  if (topic) frame.topic = topic;
  const code = storedCode();
  if (code && $input('use-continuity').checked && !$('continuity-choice').hidden) frame.continuity_code = code;
  s.ws?.send(frame);
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

let welcomedOnce = false;
let restoreTimer = 0;

function onFrame(f: ServerFrame): void {
  switch (f.type) {
    case 'welcome':
      if (!welcomedOnce) {
        welcomedOnce = true;
        requestChat();
      } else if (s.conv) {
        // Resumed: the server re-announces the conversation; if it does not,
        // the conversation ended while we were away.
        $('chat-status').textContent = 'Reconnected. Restoring your conversation…';
        const conv = s.conv;
        window.clearTimeout(restoreTimer);
        restoreTimer = window.setTimeout(() => {
          if (s.conv === conv && s.phase === 'chat') {
            onConversationEnded({ v: 1, type: 'conversation_ended', channel: conv.channel, reason: 'partner_disconnected', by: 'server' });
            $('after-reason').textContent = 'The conversation ended while your connection was down.';
          }
        }, 10000);
      }
      break;
    case 'queued':
      onQueued(f.position as number, f.estimated_wait_s as number | undefined);
      break;
    case 'left_queue':
      if (s.leaving) resetToLanding();
      else if (s.phase === 'queued') resetToLanding('Your place in the queue was lost. Please ask to talk again.');
      break;
    case 'signposting':
      onSignposting(f);
      break;
    case 'conversation_started':
      onConversationStarted(f.channel as number, f.conversation_id as string);
      break;
    case 'conversation_ended':
      onConversationEnded(f);
      break;
    case 'partner_status':
      if (f.state === 'reconnecting') {
        $('chat-status').textContent = 'Your listener’s connection dropped. Waiting for them to come back…';
        announce('Your listener’s connection dropped. Waiting for them to come back.');
      } else {
        $('chat-status').textContent = 'Your listener is back.';
        announce('Your listener is back.');
        s.conv?.resend();
      }
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

function onServerError(f: ServerFrame): void {
  const code = f.code as string;
  if (f.in_reply_to === 'request_chat') {
    resetToLanding(code === 'rate_limited' ? 'Too many requests. Please wait a moment and try again.'
      : code === 'service_unavailable' ? 'Peerline is temporarily unavailable. Please try again shortly.'
        : `Your request could not be made (${code}).`);
    return;
  }
  if (code === 'service_unavailable') setError('page-error', 'Peerline is temporarily unavailable. Please try again shortly.');
}

function onQueued(position: number, waitS?: number): void {
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

$('leave-queue').addEventListener('click', () => {
  s.leaving = true;
  s.ws?.send({ type: 'leave_queue' });
});

const SIGNPOST_REASON: Record<string, string> = {
  closed: 'Peerline is closed at the moment.',
  no_one_on_shift: 'No listener is on shift at the moment.',
  max_wait: 'We are sorry: no listener became free in time. Rather than keep you waiting longer, here are services you can reach now.',
};

function onSignposting(f: ServerFrame): void {
  s.phase = 'signposting';
  s.ws?.close();
  s.ws = null;
  void s.api.logout();
  $('signposting-reason').textContent = SIGNPOST_REASON[f.reason as string] ?? 'No listener is available right now.';
  const next = f.next_shift_start_ms as number | undefined;
  $('signposting-next').textContent = next
    ? `The next listener shift starts ${formatTime(next)}.`
    : 'No listener shift is planned yet.';
  const alts = (f.alternatives as Alternative[]).length ? (f.alternatives as Alternative[])
    : (s.config?.signposting ?? DEFAULT_ALTERNATIVES);
  renderAlternatives($('signposting-list'), alts);
  showView('view-signposting');
}

$('signposting-back').addEventListener('click', () => resetToLanding());

// --- the conversation ----------------------------------------------------------

function onConversationStarted(channel: number, conversationId: string): void {
  if (s.conv && s.conv.conversationId === conversationId) {
    // Resumed after a drop: same conversation, maybe a new channel number.
    window.clearTimeout(restoreTimer);
    s.conv.channel = channel;
    $('chat-status').textContent = s.conv.established ? 'Connected. Your conversation continues.' : 'Reconnected.';
    if (s.conv.established) s.chat?.setEnabled(true);
    s.conv.resend();
    markPendingSent();
    return;
  }
  s.conv?.close();
  s.phase = 'chat';
  const chat = new ChatView({
    idPrefix: 'chat',
    peerName: 'Listener',
    onSend: (text) => sendText(text),
    onTyping: (on) => s.conv?.sendTyping(on),
  });
  s.chat = chat;
  $('chat-area').replaceChildren(chat.root);
  $('listener-badge').hidden = true;
  $('refusal').hidden = true;
  $('safety').hidden = true;
  $('chat-status').textContent = 'A listener has accepted. Checking their certificate and setting up encryption…';
  ($('end-chat') as HTMLButtonElement).disabled = false;
  setEndConfirm(false);
  showView('view-chat');
  announce('A listener has accepted your request.');
  const conv = new Conversation(conversationId, channel, 'gp',
    (ch, payload) => s.ws?.sendRelay(ch, payload) ?? false, (e) => onConvEvent(conv, e), { trust: s.trust! });
  s.conv = conv;
  conv.start();
}

function sendText(text: string): void {
  const conv = s.conv;
  if (!conv || !s.chat) return;
  const id = conv.sendText(text);
  if (!id) return;
  const online = s.ws?.isOnline ?? false;
  s.chat.addMine(id, text, online ? 'sent' : 'sending');
  if (!online) s.pendingIds.add(id);
}

function markPendingSent(): void {
  for (const id of s.pendingIds) s.chat?.setDelivery(id, 'sent');
  s.pendingIds.clear();
}

function onConvEvent(conv: Conversation, e: ConversationEvent): void {
  if (conv !== s.conv || !s.chat) return;
  const chat = s.chat;
  switch (e.kind) {
    case 'established':
      $('listener-handle').textContent = e.listenerHandle ?? '';
      $('badge-fingerprint').textContent = rootFingerprint();
      $('listener-badge').hidden = false;
      $('safety-code').textContent = e.safetyCode;
      $('safety').hidden = false;
      $('chat-status').textContent = 'Connected. Only you and your listener can read this conversation.';
      chat.setEnabled(true);
      chat.input.focus();
      announce(`Connected to verified listener ${e.listenerHandle ?? ''}. You can start typing.`);
      break;
    case 'refused':
      $('refusal').textContent = e.warning;
      $('refusal').hidden = false;
      $('chat-status').textContent = 'Nothing has been sent. You can end this conversation safely.';
      chat.setEnabled(false);
      chat.root.hidden = true;
      $('end-chat').focus();
      break;
    case 'message':
      chat.addTheirs(e.id, e.text);
      break;
    case 'signpost':
      chat.addSignpost(e.id, e.items, false, e.note);
      announce('Your listener shared some support services.');
      break;
    case 'delivered':
      s.pendingIds.delete(e.id);
      chat.setDelivery(e.id, 'delivered');
      break;
    case 'typing':
      chat.setPeerTyping(e.on);
      break;
    case 'peer_end':
      chat.addSystem('Your listener is ending the conversation.');
      break;
    case 'gap':
      // Usually a frame that will still arrive (messages are re-sent until
      // acknowledged): nothing to show.
      break;
    case 'undecryptable':
      chat.addSystem('A message arrived damaged and could not be read.');
      break;
    default:
      break;
  }
}

// Ending asks first, in the page (not a modal dialog: nothing is trapped,
// the conversation carries on while the question is open).
function setEndConfirm(open: boolean): void {
  $('end-confirm').hidden = !open;
  $('end-chat').setAttribute('aria-expanded', String(open));
}

$('end-chat').addEventListener('click', () => {
  if (!s.conv) return;
  setEndConfirm(true);
  $('end-no').focus();
});

$('end-no').addEventListener('click', () => {
  setEndConfirm(false);
  $('end-chat').focus();
});

$('end-yes').addEventListener('click', () => {
  const conv = s.conv;
  if (!conv) return;
  setEndConfirm(false);
  ($('end-chat') as HTMLButtonElement).disabled = true;
  conv.sendEnd();
  s.ws?.send({ type: 'end_conversation', channel: conv.channel, reason: 'completed' });
});

function onConversationEnded(f: ServerFrame): void {
  if (!s.conv || (f.channel as number) !== s.conv.channel) return;
  s.conv.close();
  s.conv = null;
  s.chat = null;
  $('chat-area').replaceChildren();
  s.phase = 'after';
  s.ws?.close();
  s.ws = null;
  $('after-reason').textContent = ENDED_BY[f.by as string] ?? '';
  s.offeredCode = typeof f.continuity_code === 'string' ? f.continuity_code : null;
  $('continuity-panel').hidden = s.offeredCode === null;
  $('keep-done').hidden = true;
  ($('keep-code') as HTMLButtonElement).disabled = false;
  $input('keep-forget-on-exit').disabled = false;
  setEndConfirm(false);
  $('feedback-done').hidden = true;
  setError('feedback-error', null);
  ($('feedback-send') as HTMLButtonElement).disabled = false;
  ($('feedback-form') as HTMLFormElement).reset();
  showView('view-after');
  announce('The conversation has ended.');
}

$('feedback-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void sendFeedback();
});

async function sendFeedback(): Promise<void> {
  const form = $('feedback-form') as HTMLFormElement;
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
    ($('feedback-send') as HTMLButtonElement).disabled = true;
    announce('Thank you. Your feedback was sent.');
  } catch (err) {
    if (err instanceof ApiError && err.code === 'not_expected') { // already counted for this conversation
      $('feedback-done').hidden = false;
      ($('feedback-send') as HTMLButtonElement).disabled = true;
    } else {
      setError('feedback-error', describeApiError(err));
    }
  }
}

$('start-again').addEventListener('click', () => {
  welcomedOnce = false;
  resetToLanding();
});

function onRelay(channel: number, payload: Uint8Array): void {
  if (s.conv && channel === s.conv.channel) s.conv.onRelay(payload);
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
    ($('ask-button') as HTMLButtonElement).disabled = true;
  }
  await loadConfig();
  document.body.dataset.ready = 'true';
}

void main();
