// The listener's conversations, one tab each (capacity may be more than one):
// the end-to-end Conversation, its ChatView, safety code, and the tools
// (share signposting, escalate, end with a reason).
import { ChatView } from '../shared/chatview';
import { Conversation, type ConversationEvent } from '../shared/conversation';
import { $, announce, h } from '../shared/dom';
import type { EndReason, FrameOf } from '../shared/protocol';
import { type ConvTab, s } from './state';

const END_REASONS: [EndReason, string][] = [
  ['completed', 'Completed'],
  ['safeguarding_referral', 'Safeguarding referral'],
  ['technical', 'Technical problem'],
  ['other', 'Other'],
];


function selectTab(t: ConvTab): void {
  for (const other of s.convs.values()) {
    const on = other === t;
    other.tab.setAttribute('aria-selected', String(on));
    other.tab.tabIndex = on ? 0 : -1;
    other.panel.hidden = !on;
  }
}

$('conv-tabs').addEventListener('keydown', (e) => {
  const tabs = [...s.convs.values()];
  const i = tabs.findIndex((t) => t.tab === document.activeElement);
  if (i < 0) return;
  let j = -1;
  if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
  else if (e.key === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
  else if (e.key === 'Home') j = 0;
  else if (e.key === 'End') j = tabs.length - 1;
  if (j < 0) return;
  e.preventDefault();
  selectTab(tabs[j]);
  tabs[j].tab.focus();
});

export function onConversationStarted(channel: number, conversationId: string): void {
  const existing = s.convs.get(conversationId);
  if (existing) {
    existing.conv.channel = channel;
    existing.status.textContent = 'Reconnected. The conversation continues.';
    if (existing.conv.established && !existing.ended) existing.chat.setEnabled(true);
    existing.conv.resend();
    for (const id of existing.pending) existing.chat.setDelivery(id, 'sent');
    existing.pending.clear();
    return;
  }
  const n = ++s.tabCounter;
  const p = `conv${n}`;
  const chat = new ChatView({
    idPrefix: p,
    peerName: 'GP',
    onSend: (text) => {
      const id = t.conv.sendText(text);
      if (!id) return;
      const online = s.ws?.isOnline ?? false;
      chat.addMine(id, text, online ? 'sent' : 'sending');
      if (!online) t.pending.add(id);
    },
    onTyping: (on) => t.conv.sendTyping(on),
  });
  const tab = h('button', { type: 'button', role: 'tab', id: `${p}-tab`, 'aria-controls': `${p}-panel`, 'aria-selected': 'false' },
    `GP conversation ${n}`);
  const status = h('p', { class: 'status-line', role: 'status' }, 'Waiting for the GP’s secure handshake…');
  const safety = h('div', { class: 'safety', hidden: true });
  const share = h('button', { type: 'button', class: 'secondary', id: `${p}-share`, disabled: true }, 'Share support services');
  const escalate = h('button', { type: 'button', class: 'secondary', id: `${p}-escalate` }, 'Ask for the duty supervisor');
  const reason = h('select', { id: `${p}-reason` }, ...END_REASONS.map(([v, l]) => h('option', { value: v }, l)));
  const end = h('button', { type: 'button', class: 'danger', id: `${p}-end`, 'aria-expanded': 'false', 'aria-controls': `${p}-confirm` }, 'End conversation');
  // Ending asks first, in the panel (no modal: the chat stays usable).
  const endYes = h('button', { type: 'button', class: 'danger', id: `${p}-end-yes` }, 'Yes, end it');
  const endNo = h('button', { type: 'button', class: 'secondary', id: `${p}-end-no` }, 'No, keep talking');
  const confirmText = h('p', { id: `${p}-confirm-q` });
  const confirm = h('div', { class: 'confirm', id: `${p}-confirm`, role: 'group', 'aria-labelledby': `${p}-confirm-q`, hidden: true },
    confirmText, h('div', { class: 'actions' }, endYes, endNo));
  const shareRow = h('div', { class: 'actions' }, share, escalate);
  const endRow = h('div', { class: 'end-row' },
    h('div', { class: 'actions' }, h('label', { for: `${p}-reason` }, 'Reason for ending'), reason, end), confirm);
  const panel = h('section', { role: 'tabpanel', id: `${p}-panel`, 'aria-labelledby': `${p}-tab`, class: 'conv-panel', 'data-conversation': conversationId },
    status, safety, chat.root, shareRow, endRow);
  const conv = new Conversation(conversationId, channel, 'listener',
    (ch, payload) => s.ws?.sendRelay(ch, payload) ?? false, (e) => onConvEvent(t, e),
    { identity: s.identity!, sids: s.sids });
  const t: ConvTab = {
    conv, chat, tab, panel, status, safety, tools: [share, escalate, end], toolRows: [shareRow, endRow], ended: false, pending: new Set(),
  };
  s.convs.set(conversationId, t);
  tab.addEventListener('click', () => selectTab(t));
  share.addEventListener('click', () => {
    const items = s.signposting.slice(0, 16);
    const id = t.conv.sendSignpost(items, 'Here are some services you can contact at any time.');
    if (id) chat.addSignpost(id, items, true, 'Here are some services you can contact at any time.');
  });
  escalate.addEventListener('click', () => {
    escalate.disabled = true;
    s.ws?.send({ type: 'escalate', channel: t.conv.channel });
  });
  const setConfirm = (open: boolean) => {
    confirm.hidden = !open;
    end.setAttribute('aria-expanded', String(open));
  };
  end.addEventListener('click', () => {
    const label = END_REASONS.find(([v]) => v === reason.value)?.[1] ?? reason.value;
    confirmText.replaceChildren(h('strong', {}, 'End this conversation?'), ` The GP will be told. Reason: ${label}.`);
    setConfirm(true);
    endNo.focus();
  });
  endNo.addEventListener('click', () => {
    setConfirm(false);
    end.focus();
  });
  endYes.addEventListener('click', () => {
    setConfirm(false);
    end.disabled = true;
    t.conv.sendEnd();
    const chosen = END_REASONS.find(([v]) => v === reason.value)?.[0];
    s.ws?.send({ type: 'end_conversation', channel: t.conv.channel, reason: chosen });
  });
  $('conv-tabs').append(tab);
  $('conv-panels').append(panel);
  $('no-convs').hidden = true;
  selectTab(t);
  announce('A conversation has started. Waiting for the GP’s secure handshake.');
}

function onConvEvent(t: ConvTab, e: ConversationEvent): void {
  const chat = t.chat;
  switch (e.kind) {
    case 'established': {
      const safety = t.safety;
      safety.replaceChildren('Safety code: ', h('span', { class: 'code' }, e.safetyCode),
        h('span', { class: 'hint' },
          ' It matches the GP’s code only if nobody is in between. Comparing helps only outside this chat, in person or on a phone call: anyone in between could change a code typed or read out here, so never ask the GP to do that.'));
      safety.hidden = false;
      t.status.textContent = 'Connected securely. Only you and the GP can read this conversation.';
      chat.setEnabled(true);
      (t.tools[0] as HTMLButtonElement).disabled = s.signposting.length === 0;
      chat.input.focus();
      announce('Connected securely to the GP.');
      break;
    }
    case 'message':
      chat.addTheirs(e.id, e.text);
      if (t.tab.getAttribute('aria-selected') !== 'true') announce('New message in another conversation.');
      break;
    case 'signpost':
      chat.addSignpost(e.id, e.items, false, e.note);
      break;
    case 'delivered':
      t.pending.delete(e.id);
      chat.setDelivery(e.id, 'delivered');
      break;
    case 'typing':
      chat.setPeerTyping(e.on);
      break;
    case 'peer_end':
      // The server's conversation_ended follows at once and says it once;
      // until then nothing more can be sent.
      chat.setEnabled(false);
      t.status.textContent = 'The GP is ending the conversation…';
      break;
    case 'gap':
      // Usually a frame that will still arrive (messages are re-sent until
      // acknowledged): nothing to show.
      break;
    case 'undecryptable':
      chat.addSystem(`A frame could not be read (${e.code}).`);
      break;
    case 'refused':
      t.status.textContent = e.warning;
      break;
    default:
      break;
  }
}

export function convByChannel(channel: number): ConvTab | undefined {
  for (const t of s.convs.values()) if (t.conv.channel === channel && !t.ended) return t;
  return undefined;
}

export function onConversationEnded(f: FrameOf<'conversation_ended'>): void {
  const t = convByChannel(f.channel);
  if (!t) return;
  t.ended = true;
  t.conv.close();
  t.chat.setEnabled(false);
  for (const b of t.tools) b.disabled = true;
  // One ended state: the tools and the composer go, a single line says who
  // ended it, and the messages stay only until the listener closes it.
  for (const row of t.toolRows) row.hidden = true;
  t.chat.root.querySelector('form')?.setAttribute('hidden', '');
  const by = f.by === 'listener' ? 'You ended the conversation.' : f.by === 'gp' ? 'The GP ended the conversation.' : 'Peerline ended the conversation.';
  t.chat.setPeerTyping(false);
  t.chat.addSystem(by);
  t.panel.classList.add('ended');
  t.status.textContent = `${by} The messages above are only on this screen, and go when you close the conversation.`;
  t.tab.textContent = `${t.tab.textContent} (ended)`;
  const close = h('button', { type: 'button', class: 'secondary', id: `${t.panel.id}-close` }, 'Close this conversation and clear its messages');
  close.addEventListener('click', () => {
    t.chat.log.replaceChildren();
    t.tab.remove();
    t.panel.remove();
    s.convs.delete(t.conv.conversationId);
    $('no-convs').hidden = s.convs.size > 0;
    const first = s.convs.values().next().value as ConvTab | undefined;
    if (first) selectTab(first);
  });
  t.panel.append(h('div', { class: 'actions' }, close));
  announce(by);
}

