// The listener console (listener.html): sign in, then the parts in their
// own modules: availability, offers, conversations (tabs), this device's
// key, shifts. This file wires them to the WebSocket.
import '../shared/styles.css';
import { ApiError, describeApiError } from '../shared/api';
import { $, $input, announce, setError, showView } from '../shared/dom';
import { initCrypto, rootFingerprint } from '../shared/trust';
import { showReleaseFingerprint } from '../shared/release';
import type { FrameOf, ServerFrame } from '../shared/protocol';
import { type ConnState, WsClient } from '../shared/ws';
import { REASON_TEXT, STATE_TEXT, setAvailability, updateAvailabilityButtons } from './availability';
import { unlockSound } from './alerts';
import { loadDeviceToken, saveDeviceToken } from '../keystore/device-token';
import { refreshDevice } from './device';
import { startMentor, stopMentor } from './mentor';
import { WITHDRAWN_TEXT, onOffer, removeOffer } from './offers';
import { loadRota } from './rota';
import { hooks, s } from './state';
import { convByChannel, onConversationEnded, onConversationStarted } from './tabs';

hooks.expired = (notice) => void logout(notice);

// --- sign in / out ----------------------------------------------------------------

$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void login();
});

async function login(): Promise<void> {
  unlockSound(); // the sign-in click is the gesture browsers want before a page plays sound
  const username = $input('username').value.trim();
  const password = $input('password').value;
  setError('login-error', null);
  // After a one-time password: the new one, typed twice.
  const changing = !$('new-password-fields').hidden;
  const newPassword = $input('new-password').value;
  if (changing && newPassword !== $input('new-password-again').value) {
    setError('login-error', 'The two new passwords differ. Type the same password in both.');
    $input('new-password-again').focus();
    return;
  }
  if (changing && newPassword.length < 12) {
    setError('login-error', 'Choose a new password of at least 12 characters.');
    $input('new-password').focus();
    return;
  }
  ($('login-button') as HTMLButtonElement).disabled = true;
  let keepPassword = false;
  try {
    const r = await s.api.login(username, password, changing ? newPassword : undefined, loadDeviceToken(username));
    if (r.role !== 'listener') {
      await s.api.logout();
      setError('login-error', 'This console is for peer listeners. Administrators use the dashboard.');
      return;
    }
    saveDeviceToken(username, r.device_token); // only for accounts this page serves
  } catch (err) {
    if (err instanceof ApiError && err.code === 'password_change_required') {
      // Nothing else until the one-time password is replaced.
      keepPassword = true;
      $('new-password-fields').hidden = false;
      $('login-button').textContent = 'Set password and sign in';
      $input('new-password').focus();
      return;
    }
    keepPassword = changing; // a refused new password: the one-time one is still needed
    setError('login-error', describeApiError(err));
    return;
  } finally {
    ($('login-button') as HTMLButtonElement).disabled = false;
    if (!keepPassword) $input('password').value = '';
  }
  $('new-password-fields').hidden = true;
  $input('new-password').value = '';
  $input('new-password-again').value = '';
  $('login-button').textContent = 'Sign in';
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
  void startMentor();
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
  stopMentor();
  await s.api.logout();
  $('whoami').hidden = true;
  setAvailability('offline');
  setError('page-error', notice ?? null);
  showView('view-login');
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
    setError('page-error', null);
  } else if (st === 'expired') {
    void logout('Your session has expired. Please sign in again.');
  } else if (st === 'unreachable') {
    banner.textContent = 'Peerline cannot be reached. Check your connection; the console keeps trying.';
    banner.hidden = false;
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
      setAvailability(f.state, f.reason, f.until_ms);
      if (f.reason) announce(`${STATE_TEXT[f.state]}. ${REASON_TEXT[f.reason] ?? ''}`);
      break;
    case 'offer':
      onOffer(f);
      break;
    case 'offer_withdrawn':
      removeOffer(f.offer_id, WITHDRAWN_TEXT[f.reason]);
      break;
    case 'conversation_started':
      for (const id of [...s.offers.keys()]) removeOffer(id);
      onConversationStarted(f.channel, f.conversation_id);
      break;
    case 'conversation_ended':
      onConversationEnded(f);
      break;
    case 'escalation_sent': {
      const t = convByChannel(f.channel);
      const n = f.supervisors;
      const text = n > 0 ? `The duty supervisor has been alerted (${n} online).`
        : 'No duty supervisor is online right now. Follow your escalation guidance.';
      t?.chat.addSystem(text);
      if (t) (t.tools[1] as HTMLButtonElement).disabled = false;
      announce(text);
      break;
    }
    case 'partner_status': {
      const t = convByChannel(f.channel);
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

function onServerError(f: FrameOf<'error'>): void {
  const code = f.code;
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
      setError('page-error', f.message);
  }
}

function onRelay(channel: number, payload: Uint8Array): void {
  convByChannel(channel)?.conv.onRelay(payload);
}

async function main(): Promise<void> {
  void showReleaseFingerprint($('release-fingerprint'));
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
