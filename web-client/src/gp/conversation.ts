// The conversation on the GP's side: the end-to-end Conversation
// (shared/conversation.ts) and its ChatView, the listener's verified badge
// and safety code, a resumed conversation after a drop, and ending it.
import { ChatView } from '../shared/chatview';
import { Conversation, type ConversationEvent } from '../shared/conversation';
import { $, announce, showView } from '../shared/dom';
import type { FrameOf } from '../shared/protocol';
import { rootFingerprint } from '../shared/trust';
import { showAfter } from './after';
import { s } from './state';

export function onConversationStarted(channel: number, conversationId: string): void {
  if (s.conv && s.conv.conversationId === conversationId) {
    // Resumed after a drop: same conversation, maybe a new channel number.
    window.clearTimeout(s.restoreTimer);
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
  $<HTMLButtonElement>('end-chat').disabled = false;
  setEndConfirm(false);
  showView('view-chat');
  announce('A listener has accepted your request.');
  const conv = new Conversation(conversationId, channel, 'gp',
    (ch, payload) => s.ws?.sendRelay(ch, payload) ?? false, (e) => onConvEvent(conv, e), { trust: s.trust! });
  s.conv = conv;
  conv.start();
}

/**
 * A second `welcome` (the session resumed): the server re-announces the
 * conversation; if it does not, the conversation ended while we were away.
 */
export function onResumed(): void {
  const conv = s.conv;
  if (!conv) return;
  $('chat-status').textContent = 'Reconnected. Restoring your conversation…';
  window.clearTimeout(s.restoreTimer);
  s.restoreTimer = window.setTimeout(() => {
    if (s.conv === conv && s.phase === 'chat') {
      onConversationEnded({ v: 1, type: 'conversation_ended', channel: conv.channel, reason: 'partner_disconnected', by: 'server' });
      $('after-reason').textContent = 'The conversation ended while your connection was down.';
    }
  }, 10000);
}

/** `partner_status`: the listener's connection dropped, or is back. */
export function onPartnerStatus(f: FrameOf<'partner_status'>): void {
  if (f.state === 'reconnecting') {
    $('chat-status').textContent = 'Your listener’s connection dropped. Waiting for them to come back…';
    announce('Your listener’s connection dropped. Waiting for them to come back.');
  } else {
    $('chat-status').textContent = 'Your listener is back.';
    announce('Your listener is back.');
    s.conv?.resend();
  }
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
  $<HTMLButtonElement>('end-chat').disabled = true;
  conv.sendEnd();
  s.ws?.send({ type: 'end_conversation', channel: conv.channel, reason: 'completed' });
});

export function onConversationEnded(f: FrameOf<'conversation_ended'>): void {
  if (!s.conv || f.channel !== s.conv.channel) return;
  s.conv.close();
  s.conv = null;
  s.chat = null;
  $('chat-area').replaceChildren();
  s.phase = 'after';
  s.ws?.close();
  s.ws = null;
  setEndConfirm(false);
  showAfter(f.by, f.continuity_code);
}

/** A relay frame for the conversation's channel. */
export function onRelay(channel: number, payload: Uint8Array): void {
  if (s.conv && channel === s.conv.channel) s.conv.onRelay(payload);
}
