// The listener console (listener.html): sign in, this device's key and its
// certificate, shifts, availability, offers with a countdown, and the
// conversations (one tab each; capacity may be more than one).
import '../shared/styles.css';
import * as psc1 from '../crypto/index.js';
import { Api, ApiError, type Alternative, type CertificateState, describeApiError } from '../shared/api';
import { b64urlDecode, b64urlEncode } from '../shared/b64';
import { ChatView } from '../shared/chatview';
import { Conversation, type ConversationEvent, type ListenerIdentityLike } from '../shared/conversation';
import { $, $input, announce, formatTime, h, setError, showView } from '../shared/dom';
import { initCrypto, pinnedRoot, rootFingerprint } from '../shared/trust';
import { type ConnState, type ServerFrame, WsClient } from '../shared/ws';
import { createIdentity, loadIdentity, saveCertificate } from './devicekeys';

const TOPIC_LABELS: Record<string, string> = {
  workload: 'Workload or burnout',
  clinical_case: 'A clinical case',
  complaint: 'A complaint or the regulator',
  career: 'Career',
  personal: 'Something personal',
  other: 'Something else',
};

const STATE_TEXT: Record<string, string> = {
  available: 'Available',
  busy: 'Busy',
  wrapup: 'Wrap-up pause',
  away: 'Away',
  offline: 'Offline',
};

const REASON_TEXT: Record<string, string> = {
  offer_missed: 'You were set to away because an offer was not answered in time.',
  shift_ended: 'Your shift has ended.',
  shift_limit: 'You have reached this shift’s conversation limit.',
  wrapup: 'A short pause after your conversation before the next offer.',
};

const WITHDRAWN_TEXT: Record<string, string> = {
  taken: 'The offer was taken by another listener.',
  expired: 'The offer expired and was passed on.',
  gp_left: 'The GP left the queue.',
  declined: 'You declined the offer.',
};

const END_REASONS: [string, string][] = [
  ['completed', 'Completed'],
  ['safeguarding_referral', 'Safeguarding referral'],
  ['technical', 'Technical problem'],
  ['other', 'Other'],
];

interface ConvTab {
  conv: Conversation;
  chat: ChatView;
  tab: HTMLButtonElement;
  panel: HTMLElement;
  status: HTMLElement;
  safety: HTMLElement;
  tools: HTMLButtonElement[];
  ended: boolean;
  pending: Set<string>;
}

interface Offer {
  el: HTMLElement;
  timer: number;
  expiresAt: number;
}

const s = {
  api: new Api(),
  ws: null as WsClient | null,
  username: '',
  identity: null as ListenerIdentityLike | null,
  certified: false,
  sids: new psc1.SidCache(),
  convs: new Map<string, ConvTab>(),
  offers: new Map<string, Offer>(),
  availability: 'offline',
  wrapTimer: 0,
  signposting: [] as Alternative[],
  tabCounter: 0,
};

// --- sign in / out ----------------------------------------------------------------

$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void login();
});

async function login(): Promise<void> {
  const username = $input('username').value.trim();
  const password = $input('password').value;
  setError('login-error', null);
  ($('login-button') as HTMLButtonElement).disabled = true;
  try {
    const r = await s.api.login(username, password);
    if (r.role !== 'listener') {
      await s.api.logout();
      setError('login-error', 'This console is for peer listeners. Administrators use the dashboard.');
      return;
    }
  } catch (err) {
    setError('login-error', describeApiError(err));
    return;
  } finally {
    ($('login-button') as HTMLButtonElement).disabled = false;
    $input('password').value = '';
  }
  s.username = username;
  $('whoami-name').textContent = `Signed in as ${username}`;
  $('whoami').hidden = false;
  showView('view-console');
  try {
    const cfg = await s.api.config();
    s.signposting = cfg.signposting;
  } catch {
    s.signposting = [];
  }
  await refreshDevice();
  void loadRota();
  s.ws = new WsClient(() => s.api.currentToken(), { onFrame, onRelay, onState });
  s.ws.connect();
}

$('logout').addEventListener('click', () => void logout());

async function logout(notice?: string): Promise<void> {
  s.ws?.close();
  s.ws = null;
  for (const t of s.convs.values()) t.conv.close();
  s.convs.clear();
  for (const o of s.offers.values()) window.clearInterval(o.timer);
  s.offers.clear();
  $('offers').replaceChildren();
  $('conv-tabs').replaceChildren();
  $('conv-panels').replaceChildren();
  s.identity = null;
  s.certified = false;
  await s.api.logout();
  $('whoami').hidden = true;
  setAvailability('offline');
  setError('page-error', notice ?? null);
  showView('view-login');
}

// --- device key and certificate --------------------------------------------------

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function refreshDevice(): Promise<void> {
  $('org-fingerprint').textContent = rootFingerprint();
  let cert: CertificateState;
  try {
    cert = await s.api.certificate();
  } catch (err) {
    $('device-state').textContent = describeApiError(err);
    if (err instanceof ApiError && err.code === 'invalid_token') void logout('Your session has expired. Please sign in again.');
    return;
  }
  try {
    s.identity = await loadIdentity(s.username);
  } catch {
    s.identity = null;
  }
  renderDevice(cert);
}

function renderDevice(cert: CertificateState): void {
  const warn = $('device-warning');
  warn.hidden = true;
  $('device-facts').hidden = true;
  $('enrol').hidden = true;
  $('refresh-cert').hidden = true;
  s.certified = false;
  const id = s.identity;
  const enrolledHere = (b64: string | undefined): boolean => {
    if (!id || !b64) return false;
    try {
      return equalBytes(psc1.decodeEnrolmentRequest(b64urlDecode(b64)).identityKey, id.identityPublic);
    } catch {
      return false;
    }
  };

  if (cert.state === 'certified' && cert.certificate) {
    let c: ReturnType<typeof psc1.decodeCertificate> | null = null;
    try {
      c = psc1.decodeCertificate(b64urlDecode(cert.certificate));
    } catch {
      c = null;
    }
    if (!c || !id || !equalBytes(c.identityKey, id.identityPublic)) {
      $('device-state').textContent = 'Your account has a certified key, but it is not on this device.';
      warn.textContent = 'To take conversations on this device, enrol this device’s own key. The administrator will need to certify it.';
      warn.hidden = false;
      $('enrol').textContent = 'Enrol this device instead';
      $('enrol').hidden = false;
      return;
    }
    $('cert-serial').textContent = String(c.serial);
    $('cert-until').textContent = formatTime(Number(c.notAfter) * 1000);
    $('device-facts').hidden = false;
    if (!psc1.certificateSignatureOk(c, pinnedRoot())) {
      $('device-state').textContent = 'This device’s key has a certificate, but not from the organisation key this console trusts.';
      warn.textContent = 'GPs’ browsers will refuse this certificate. Ask your administrator to certify your key with the organisation’s root key.';
      warn.hidden = false;
      return;
    }
    const bytes = b64urlDecode(cert.certificate);
    id.certificate = bytes;
    void saveCertificate(s.username, bytes);
    s.certified = true;
    $('device-state').textContent = 'This device’s key is certified by the organisation. You can take conversations.';
  } else if (cert.state === 'pending' && enrolledHere(cert.enrolment_request)) {
    $('device-state').textContent = `Enrolled. Waiting for an administrator to certify this device’s key (key ${keyFingerprint(id!)}).`;
    $('refresh-cert').hidden = false;
  } else if (cert.state === 'pending') {
    $('device-state').textContent = 'A key from another device is waiting to be certified.';
    $('enrol').textContent = 'Enrol this device instead';
    $('enrol').hidden = false;
  } else {
    $('device-state').textContent = 'This device has no certified key yet. Create one to take conversations.';
    $('enrol').textContent = 'Create and enrol this device’s key';
    $('enrol').hidden = false;
  }
  updateAvailabilityButtons();
}

function keyFingerprint(id: ListenerIdentityLike): string {
  return psc1.toHex(id.identityPublic.subarray(0, 8)).match(/.{4}/g)!.join(' ');
}

$('enrol').addEventListener('click', () => void enrol());
$('refresh-cert').addEventListener('click', () => void refreshDevice());

async function enrol(): Promise<void> {
  ($('enrol') as HTMLButtonElement).disabled = true;
  try {
    const id = await createIdentity(s.username);
    const request = psc1.makeEnrolmentRequest(id, s.username) as Uint8Array;
    const cert = await s.api.enrol(b64urlEncode(request));
    s.identity = id;
    renderDevice(cert);
    if (s.certified) announce('This device’s key is certified.');
    else announce('Enrolled. Waiting for an administrator to certify it.');
  } catch (err) {
    $('device-warning').textContent = `Enrolment failed: ${describeApiError(err)}`;
    $('device-warning').hidden = false;
  } finally {
    ($('enrol') as HTMLButtonElement).disabled = false;
  }
}

// --- rota ------------------------------------------------------------------------

interface RotaReply {
  upcoming?: { start_ms: number; end_ms: number }[];
  on_shift_until_ms?: number;
  next_staffed_ms?: number;
}

async function loadRota(): Promise<void> {
  try {
    const r = (await s.api.rota()) as RotaReply;
    const up = [...(r.upcoming ?? [])].sort((a, b) => a.start_ms - b.start_ms);
    $('rota-now').textContent = r.on_shift_until_ms
      ? `You are on shift until ${formatTime(r.on_shift_until_ms)}.`
      : 'You are not on shift now.';
    $('rota-body').replaceChildren(...up.slice(0, 7).map((i) =>
      h('tr', {}, h('td', {}, formatTime(i.start_ms)), h('td', {}, formatTime(i.end_ms)))));
    $('rota-table').hidden = up.length === 0;
    $('rota-empty').hidden = up.length > 0;
  } catch (err) {
    $('rota-now').textContent = `Shifts could not be loaded: ${describeApiError(err)}`;
  }
}

// --- availability --------------------------------------------------------------------

function setAvailability(state: string, reason?: string, untilMs?: number): void {
  s.availability = state;
  const pill = $('avail-state');
  pill.dataset.state = state;
  pill.textContent = STATE_TEXT[state] ?? state;
  window.clearInterval(s.wrapTimer);
  const detail = $('avail-detail');
  detail.textContent = reason ? REASON_TEXT[reason] ?? '' : '';
  if (state === 'wrapup' && untilMs) {
    const tick = () => {
      const left = Math.max(0, Math.ceil((untilMs - Date.now()) / 1000));
      detail.textContent = `${REASON_TEXT.wrapup} Next offer possible in ${left} s (at ${new Date(untilMs).toLocaleTimeString()}).`;
    };
    tick();
    s.wrapTimer = window.setInterval(tick, 1000);
  }
  updateAvailabilityButtons();
}

function updateAvailabilityButtons(): void {
  const online = s.ws?.isOnline ?? false;
  ($('go-available') as HTMLButtonElement).disabled =
    !online || !s.certified || s.availability === 'available' || s.availability === 'busy';
  $('avail-needs-key').hidden = s.certified;
  ($('go-away') as HTMLButtonElement).disabled = !online || s.availability === 'away' || s.availability === 'offline';
}

$('go-available').addEventListener('click', () => {
  setError('avail-error', null);
  s.ws?.send({ type: 'set_availability', state: 'available' });
});
$('go-away').addEventListener('click', () => {
  setError('avail-error', null);
  s.ws?.send({ type: 'set_availability', state: 'away' });
});

// --- offers ----------------------------------------------------------------------------

function onOffer(f: ServerFrame): void {
  const id = f.offer_id as string;
  const expiresAt = Date.now() + (f.expires_in_ms as number);
  const countdown = h('span', { class: 'countdown' });
  const accept = h('button', { type: 'button', 'data-offer': id, class: 'accept' }, 'Accept');
  const decline = h('button', { type: 'button', class: 'secondary decline' }, 'Decline');
  const topic = f.topic ? TOPIC_LABELS[f.topic as string] ?? String(f.topic) : 'No topic given';
  const el = h('div', { class: 'offer', 'data-offer-id': id, role: 'group', 'aria-label': 'Offer' },
    h('p', {}, h('strong', {}, f.urgent ? 'Urgent: a GP asks to talk' : 'A GP asks to talk'), ` — ${topic}.`),
    h('p', {}, 'Time left to accept: ', countdown),
    h('div', { class: 'actions' }, accept, decline));
  const tick = () => {
    const left = Math.max(0, Math.ceil((expiresAt - Date.now()) / 1000));
    countdown.textContent = `${left} s`;
  };
  tick();
  const timer = window.setInterval(tick, 250);
  s.offers.set(id, { el, timer, expiresAt });
  accept.addEventListener('click', () => {
    accept.disabled = true;
    decline.disabled = true;
    s.ws?.send({ type: 'accept_offer', offer_id: id });
  });
  decline.addEventListener('click', () => {
    accept.disabled = true;
    decline.disabled = true;
    s.ws?.send({ type: 'decline_offer', offer_id: id });
  });
  $('offers').append(el);
  $('no-offers').hidden = true;
  announce(`New offer: ${f.urgent ? 'urgent, ' : ''}${topic}. ${Math.round((f.expires_in_ms as number) / 1000)} seconds to accept.`);
  accept.focus();
}

function removeOffer(id: string, why?: string): void {
  const o = s.offers.get(id);
  if (!o) return;
  window.clearInterval(o.timer);
  o.el.remove();
  s.offers.delete(id);
  $('no-offers').hidden = s.offers.size > 0;
  if (why) announce(why);
}

// --- conversations -----------------------------------------------------------------------

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

function onConversationStarted(channel: number, conversationId: string): void {
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
  const end = h('button', { type: 'button', class: 'danger', id: `${p}-end` }, 'End conversation');
  const panel = h('section', { role: 'tabpanel', id: `${p}-panel`, 'aria-labelledby': `${p}-tab`, class: 'conv-panel', 'data-conversation': conversationId },
    status, safety, chat.root,
    h('div', { class: 'actions' }, share, escalate),
    h('div', { class: 'actions' },
      h('label', { for: `${p}-reason` }, 'Reason for ending'), reason, end));
  const conv = new Conversation(conversationId, channel, 'listener',
    (ch, payload) => s.ws?.sendRelay(ch, payload) ?? false, (e) => onConvEvent(t, e),
    { identity: s.identity!, sids: s.sids });
  const t: ConvTab = { conv, chat, tab, panel, status, safety, tools: [share, escalate, end], ended: false, pending: new Set() };
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
  end.addEventListener('click', () => {
    end.disabled = true;
    t.conv.sendEnd();
    s.ws?.send({ type: 'end_conversation', channel: t.conv.channel, reason: reason.value });
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
        h('span', { class: 'hint' }, ' The GP sees the same code; read it to them if they ask.'));
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
      chat.addSystem('The GP is ending the conversation.');
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

function convByChannel(channel: number): ConvTab | undefined {
  for (const t of s.convs.values()) if (t.conv.channel === channel && !t.ended) return t;
  return undefined;
}

function onConversationEnded(f: ServerFrame): void {
  const t = convByChannel(f.channel as number);
  if (!t) return;
  t.ended = true;
  t.conv.close();
  t.chat.setEnabled(false);
  for (const b of t.tools) b.disabled = true;
  const by = f.by === 'listener' ? 'You ended the conversation.' : f.by === 'gp' ? 'The GP ended the conversation.' : 'Peerline ended the conversation.';
  t.chat.addSystem(by);
  t.status.textContent = `${by} Nothing of it is kept.`;
  t.tab.textContent = `${t.tab.textContent} (ended)`;
  const close = h('button', { type: 'button', class: 'secondary' }, 'Close this tab');
  close.addEventListener('click', () => {
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

// --- the connection --------------------------------------------------------------------

function onState(st: ConnState): void {
  const banner = $('conn-banner');
  if (st === 'reconnecting') {
    banner.textContent = 'Connection lost. Reconnecting…';
    banner.hidden = false;
    for (const t of s.convs.values()) if (!t.ended) t.status.textContent = 'Reconnecting…';
  } else if (st === 'online') {
    banner.hidden = true;
  } else if (st === 'expired') {
    void logout('Your session has expired. Please sign in again.');
  } else if (st === 'unreachable') {
    banner.hidden = true;
    setError('page-error', 'Peerline cannot be reached. Check your connection; the console will keep trying when you sign in again.');
  }
  updateAvailabilityButtons();
}

function onFrame(f: ServerFrame): void {
  switch (f.type) {
    case 'welcome':
      if (s.availability === 'offline') {
        setAvailability('away');
      } else if (s.availability === 'available') {
        // Back after a drop: the server stopped offering to us while we were
        // gone; ask again (it answers with our state, or not_on_shift).
        s.ws?.send({ type: 'set_availability', state: 'available' });
      }
      updateAvailabilityButtons();
      break;
    case 'availability':
      setAvailability(f.state as string, f.reason as string | undefined, f.until_ms as number | undefined);
      if (f.reason) announce(`${STATE_TEXT[f.state as string]}. ${REASON_TEXT[f.reason as string] ?? ''}`);
      break;
    case 'offer':
      onOffer(f);
      break;
    case 'offer_withdrawn':
      removeOffer(f.offer_id as string, WITHDRAWN_TEXT[f.reason as string]);
      break;
    case 'conversation_started':
      for (const id of [...s.offers.keys()]) removeOffer(id);
      onConversationStarted(f.channel as number, f.conversation_id as string);
      break;
    case 'conversation_ended':
      onConversationEnded(f);
      break;
    case 'escalation_sent': {
      const t = convByChannel(f.channel as number);
      const n = f.supervisors as number;
      const text = n > 0 ? `The duty supervisor has been alerted (${n} online).`
        : 'No duty supervisor is online right now. Follow your escalation guidance.';
      t?.chat.addSystem(text);
      if (t) (t.tools[1] as HTMLButtonElement).disabled = false;
      announce(text);
      break;
    }
    case 'partner_status': {
      const t = convByChannel(f.channel as number);
      if (!t) break;
      if (f.state === 'reconnecting') {
        t.status.textContent = 'The GP’s connection dropped. Waiting for them to come back…';
      } else {
        t.status.textContent = 'The GP is back.';
        t.conv.resend();
      }
      announce(t.status.textContent ?? '');
      break;
    }
    case 'error':
      onServerError(f);
      break;
    case 'shutdown':
      $('conn-banner').textContent = 'Peerline is restarting. Reconnecting…';
      $('conn-banner').hidden = false;
      break;
    default:
      break;
  }
}

function onServerError(f: ServerFrame): void {
  const code = f.code as string;
  switch (f.in_reply_to) {
    case 'set_availability':
      setError('avail-error', code === 'not_on_shift'
        ? 'You can go available only during one of your shifts.'
        : `Availability could not be changed (${code}).`);
      break;
    case 'accept_offer':
    case 'decline_offer':
      for (const [id, o] of s.offers) {
        if (o.el.querySelector<HTMLButtonElement>('button.accept')?.disabled) {
          removeOffer(id, code === 'no_such_offer' ? 'That offer is no longer available.' : `The offer could not be answered (${code}).`);
        }
      }
      break;
    default:
      setError('page-error', typeof f.message === 'string' ? f.message : `Error: ${code}`);
  }
}

function onRelay(channel: number, payload: Uint8Array): void {
  convByChannel(channel)?.conv.onRelay(payload);
}

async function main(): Promise<void> {
  try {
    await initCrypto();
    $('root-fingerprint').textContent = rootFingerprint();
  } catch {
    setError('page-error', 'This browser could not start the encryption Peerline needs. Please use an up-to-date browser.');
    ($('login-button') as HTMLButtonElement).disabled = true;
  }
  document.body.dataset.ready = 'true';
}

void main();
