// The administrator dashboard: sign-in, live tiles (WebSocket push), charts,
// accounts and certificates, the rota and signposting. No message content
// exists here: the server never has it, and this page asks for none.

import './admin.css';
import { Api, ApiError } from '../shared/api';
import { $, h } from '../shared/dom';
import { loadDeviceToken, saveDeviceToken } from '../keystore/device-token';
import { mentoringStats } from '../shared/mentoring-api';
import { isLiveStats } from '../shared/protocol';
import { describeError } from './errors';
import { LiveConnection, type ConnectionState } from './live';
import { LiveView } from './live-view';
import { ChartsView } from './charts-view';
import { AccountsView } from './accounts-view';
import { RotaView } from './rota-view';
import { SignpostingView } from './signposting-view';
import { Escalations } from './escalations';
import type { StatsResponse } from './stats';
import { showReleaseFingerprint } from '../shared/release';

type ViewName = 'live' | 'charts' | 'accounts' | 'rota' | 'signposting';
const VIEWS: ViewName[] = ['live', 'charts', 'accounts', 'rota', 'signposting'];

const api = new Api();
const escalations = new Escalations();

let live: LiveConnection | null = null;
let liveView: LiveView | null = null;
let charts: ChartsView | null = null;
let accounts: AccountsView | null = null;
let rota: RotaView | null = null;
let signposting: SignpostingView | null = null;
let username = '';

let statsTimer: number | undefined;
let pollTimer: number | undefined;
let hourRefreshTimer: number | undefined;
let lastHourFetch = 0;
let lastPush = 0;
let daysSupported = true;
const loaded = new Set<ViewName>();

// ---------------------------------------------------------------- banner

function showBanner(message: string): void {
  const b = $('banner');
  b.textContent = message;
  b.hidden = false;
}
function hideBanner(): void {
  const b = $('banner');
  b.hidden = true;
  b.textContent = '';
}

// ---------------------------------------------------------------- sign-in

function showLogin(message = ''): void {
  $('app').hidden = true;
  $('login-view').hidden = false;
  $('logout').hidden = true;
  $('whoami').hidden = true;
  $('connection').hidden = true;
  const msg = $('login-message');
  msg.textContent = message;
  msg.classList.toggle('error', !!message);
  hideBanner();
  ($('login-password') as HTMLInputElement).value = '';
  (message ? $('login-username') : $('login-username')).focus();
}

function sessionExpired(): void {
  teardown();
  api.setToken(null);
  showLogin('Your session has expired or was ended. Please sign in again.');
}

function teardown(): void {
  live?.stop();
  live = null;
  window.clearInterval(statsTimer);
  window.clearInterval(pollTimer);
  window.clearTimeout(hourRefreshTimer);
  statsTimer = pollTimer = hourRefreshTimer = undefined;
  escalations.reset();
  for (const v of VIEWS) clearView(v);
  loaded.clear();
  liveView = charts = accounts = rota = signposting = null;
}

function clearView(v: ViewName): void {
  $(`view-${v}`).replaceChildren();
}

async function onLoginSubmit(ev: SubmitEvent): Promise<void> {
  ev.preventDefault();
  escalations.unlockAudio(); // a user gesture: later alerts may sound
  const u = ($('login-username') as HTMLInputElement).value.trim();
  const p = ($('login-password') as HTMLInputElement).value;
  const msg = $('login-message');
  const submit = $('login-submit') as HTMLButtonElement;
  msg.classList.add('error');
  if (!u || !p) {
    msg.textContent = 'Enter your username and password.';
    (u ? $('login-password') : $('login-username')).focus();
    return;
  }
  // After a one-time password: the new one, typed twice.
  const changing = !$('login-new-password').hidden;
  const fresh = ($('login-new') as HTMLInputElement).value;
  if (changing && (fresh.length < 12 || fresh !== ($('login-new-again') as HTMLInputElement).value)) {
    msg.textContent = fresh.length < 12 ? 'Choose a new password of at least 12 characters.'
      : 'The two new passwords differ. Type the same password in both.';
    $(fresh.length < 12 ? 'login-new' : 'login-new-again').focus();
    return;
  }
  submit.disabled = true;
  msg.classList.remove('error');
  msg.textContent = 'Signing in…';
  try {
    const res = await api.login(u, p, changing ? fresh : undefined, loadDeviceToken(u));
    if (res.role !== 'admin') {
      await api.logout().catch(() => undefined);
      msg.classList.add('error');
      msg.textContent = 'This account is not an administrator account. Listeners use the listener console.';
      return;
    }
    saveDeviceToken(u, res.device_token); // only for accounts this page serves
    username = u;
    ($('login-password') as HTMLInputElement).value = '';
    endPasswordChange();
    msg.textContent = '';
    startDashboard();
  } catch (err) {
    if (err instanceof ApiError && err.code === 'password_change_required') {
      // Nothing else until the one-time password is replaced.
      $('login-new-password').hidden = false;
      submit.textContent = 'Set password and sign in';
      msg.classList.remove('error');
      msg.textContent = 'Choose a new password to continue.';
      $('login-new').focus();
      return;
    }
    msg.classList.add('error');
    if (err instanceof ApiError && err.status === 401) msg.textContent = 'The username or password is not right.';
    else msg.textContent = describeError(err);
    $('login-password').focus();
  } finally {
    submit.disabled = false;
  }
}

function endPasswordChange(): void {
  $('login-new-password').hidden = true;
  ($('login-new') as HTMLInputElement).value = '';
  ($('login-new-again') as HTMLInputElement).value = '';
  $('login-submit').textContent = 'Sign in';
}

async function onLogout(): Promise<void> {
  teardown();
  try {
    await api.logout();
  } catch {
    /* the token is forgotten either way */
  }
  showLogin('You have signed out.');
  $('login-message').classList.remove('error');
}

// ---------------------------------------------------------------- dashboard

function startDashboard(): void {
  $('login-view').hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
  const who = $('whoami');
  who.textContent = `Signed in as ${username}`;
  who.hidden = false;

  liveView = new LiveView($('view-live'));
  charts = new ChartsView($('view-charts'));
  accounts = new AccountsView($('view-accounts'), api);
  rota = new RotaView($('view-rota'), api);
  signposting = new SignpostingView($('view-signposting'), api);
  accounts.self = username;
  accounts.onAccounts = (a) => rota?.setAccounts(a);
  charts.onRefresh = () => void refreshStats(true);

  live = new LiveConnection(() => api.currentToken(), {
    onState: showConnection,
    onStats: (s) => {
      lastPush = Date.now();
      liveView?.showLive(s, 'push');
      scheduleHourRefresh();
    },
    onEscalation: (e) => escalations.add(e),
    onSessionExpired: sessionExpired,
  });
  live.start();

  void refreshStats(true);
  statsTimer = window.setInterval(() => void refreshStats(true), 60_000);
  // When no push arrives (an older server, or the socket is down), check by HTTP.
  pollTimer = window.setInterval(() => {
    if (Date.now() - lastPush > 6_000) void refreshStats(false);
  }, 5_000);

  showView(viewFromHash(), true); // focus the heading: the sign-in form is gone
}

let lastConnectionKind = '';

function showConnection(state: ConnectionState): void {
  const el = $('connection');
  // Announced once per change of state, not on every countdown tick.
  if (state.kind !== lastConnectionKind && state.kind !== 'stopped') {
    const said: Record<string, string> = {
      connecting: '',
      open: 'Live updates connected.',
      waiting: 'Live updates lost. Reconnecting.',
    };
    if (said[state.kind]) $('announcer').textContent = said[state.kind];
  }
  lastConnectionKind = state.kind;
  el.hidden = false;
  el.replaceChildren();
  el.dataset.state = state.kind;
  switch (state.kind) {
    case 'connecting':
      el.append(h('span', { class: 'dot' }), 'Connecting…');
      break;
    case 'open':
      el.append(h('span', { class: 'dot' }), 'Live');
      break;
    case 'waiting':
      el.append(
        h('span', { class: 'dot' }),
        `${state.reason} Retrying in ${state.retryInS} s. `,
        h('button', { type: 'button', class: 'button link', onclick: () => live?.reconnectNow() }, 'Reconnect now'),
      );
      break;
    case 'stopped':
      el.hidden = true;
      break;
  }
}

function scheduleHourRefresh(): void {
  // The push carries the live numbers; this hour's counters (percentiles,
  // missed offers, abandonment) come over HTTP, at most every 5 seconds.
  if (hourRefreshTimer !== undefined) return;
  const wait = Math.max(0, 5_000 - (Date.now() - lastHourFetch));
  hourRefreshTimer = window.setTimeout(() => {
    hourRefreshTimer = undefined;
    void refreshStats(false);
  }, wait);
}

async function refreshStats(withDays: boolean): Promise<void> {
  if (!api.hasToken) return;
  lastHourFetch = Date.now();
  try {
    let stats: StatsResponse;
    if (withDays && daysSupported) {
      try {
        stats = await api.get<StatsResponse>('/api/admin/stats?days=30');
      } catch (err) {
        if (!(err instanceof ApiError && (err.status === 404 || err.status === 400))) throw err;
        daysSupported = false; // this server has no daily sums yet
        stats = await api.get<StatsResponse>('/api/admin/stats');
      }
    } else {
      stats = await api.get<StatsResponse>('/api/admin/stats');
    }
    hideBanner();
    liveView?.showHour(stats);
    if (Date.now() - lastPush > 6_000 && isLiveStats(stats.live)) liveView?.showLive(stats.live, 'poll');
    if (withDays) charts?.update(stats, daysSupported && Array.isArray(stats.days));
    if (withDays) void refreshMentoring();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return; // handled by sessionExpired
    const message = describeError(err);
    showBanner(`Statistics could not be refreshed. ${message}`);
    if (withDays) charts?.showError(message);
  }
}

/** Peer mentoring's figures for the charts view; a server without them says so. */
async function refreshMentoring(): Promise<void> {
  try {
    charts?.showMentoring(await mentoringStats(api));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    charts?.showMentoring(null, err instanceof ApiError && err.status === 404
      ? 'This server does not provide mentoring figures (GET /api/admin/mentoring).'
      : `Mentoring figures could not be loaded. ${describeError(err)}`);
  }
}

// ---------------------------------------------------------------- views

function viewFromHash(): ViewName {
  const v = location.hash.replace(/^#/, '') as ViewName;
  return VIEWS.includes(v) ? v : 'live';
}

function showView(v: ViewName, focus = false): void {
  if ($('app').hidden) return;
  for (const name of VIEWS) {
    const section = $(`view-${name}`);
    section.hidden = name !== v;
    const link = document.querySelector<HTMLAnchorElement>(`nav.sections a[data-view="${name}"]`);
    if (link) {
      if (name === v) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  }
  charts?.setVisible(v === 'charts');
  // Reloaded each time a view is shown: another administrator may have
  // changed it meanwhile.
  if (v === 'accounts') void accounts?.load();
  if (v === 'rota') {
    void rota?.load();
    void accounts?.loadAccounts(); // the listener names for new shifts
  }
  if (v === 'signposting' && !loaded.has(v)) {
    loaded.add(v); // not reloaded: it would discard unsaved edits
    void signposting?.load();
  }
  if (focus) $(`${v}-title`).focus();
}

window.addEventListener('hashchange', () => showView(viewFromHash(), true));

// ---------------------------------------------------------------- start

$<HTMLFormElement>('login-form').addEventListener('submit', (ev) => void onLoginSubmit(ev as SubmitEvent));
$('logout').addEventListener('click', () => void onLogout());
api.onSessionExpired = sessionExpired;
showLogin();
void showReleaseFingerprint($('release-fingerprint'));
