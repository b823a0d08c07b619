// Listener and administrator accounts, enrolments, certificates and the
// revocation list. The organisation's root key is never on the server:
// certificates (and the directory naming each handle's current one) are made
// offline with `peerline org certify`, only once the listener has read out
// their key's fingerprint; this page carries the enrolment request out and the
// certificate and directory back in. Revocation lists are signed with a
// revocation key delegated by the root, held here in the browser
// (revocation-signer.ts) or by a scheduled job on the organisation's machine.

import { Api, ApiError } from '../shared/api';
import { normaliseB64url } from '../shared/b64';
import { formatDateTime } from '../shared/datetime';
import { h, clear, field, StatusLine, stackTable } from '../shared/dom';
import { setMentor } from '../shared/mentoring-api';
import { describeError } from './errors';
import { readCertificate, readRevocationList, type CertificateInfo } from './codec';
import { RevocationSigner } from './revocation-signer';
import type { TrustStateText } from '../shared/api';

export interface Account {
  username: string;
  role: 'listener' | 'admin';
  disabled: boolean;
  /** The mentor capability (issue 15), on servers that have mentoring. */
  mentor?: boolean;
  certificate?: { state: 'none' | 'pending' | 'certified'; serial?: string; not_after_ms?: number };
}

interface Enrolment {
  username: string;
  enrolment_request: string;
  identity_fingerprint: string;
}

const USERNAME = /^[A-Za-z0-9._-]{1,64}$/;

function generatePassword(): string {
  // 18 characters from a 56-symbol alphabet without look-alikes: ~104 bits.
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const out: string[] = [];
  const buf = new Uint8Array(1);
  while (out.length < 18) {
    crypto.getRandomValues(buf);
    if (buf[0] < 224) out.push(alphabet[buf[0] % alphabet.length]);
  }
  return out.join('');
}

async function readFileText(input: HTMLInputElement): Promise<string | null> {
  const file = input.files?.[0];
  if (!file) return null;
  if (file.size > 200_000) throw new Error('That file is too large to be a certificate or revocation list.');
  return (await file.text()).trim();
}

export class AccountsView {
  private accountsBody: HTMLTableSectionElement;
  private accountsStatus = new StatusLine();
  private enrolmentsBox: HTMLElement;
  private enrolmentsStatus = new StatusLine();
  private crlInfo: HTMLElement;
  private signer: RevocationSigner;
  private objectUrls: string[] = [];
  accounts: Account[] = [];
  onAccounts: (a: Account[]) => void = () => {};
  /** The signed-in administrator (disabling it signs them out). */
  self = '';

  constructor(root: HTMLElement, private readonly api: Api) {
    this.accountsBody = h('tbody', { id: 'accounts-body' });
    this.enrolmentsBox = h('div', { id: 'enrolments' });
    this.crlInfo = h('p', { id: 'crl-current', class: 'meta' });
    this.signer = new RevocationSigner(api, () => this.loadRevocationList());
    root.append(
      h('h1', { id: 'accounts-title', tabindex: '-1' }, 'Accounts and certificates'),
      h(
        'aside',
        { class: 'note', 'aria-labelledby': 'root-key-note' },
        h('h2', { id: 'root-key-note' }, 'The root key never touches this server'),
        h(
          'p',
          {},
          'Listeners are certified with the organisation’s root key, which is kept offline. ',
          'A listener’s browser makes an enrolment request; you save it, take it to the offline machine, run ',
          h('code', {}, 'peerline org certify'),
          ', and upload the certificate it writes. The server checks it and hands it to GPs’ browsers, ',
          'which verify it against the root public key built into the web client. The server cannot make, alter or un-revoke a certificate.',
        ),
      ),
      this.accountsSection(),
      this.createSection(),
      this.enrolmentsSection(),
      this.revocationSection(),
    );
  }

  async load(): Promise<void> {
    await Promise.all([this.loadAccounts(), this.loadEnrolments(), this.loadRevocationList()]);
  }

  // ---- accounts ----

  private accountsSection(): HTMLElement {
    const refresh = h('button', { type: 'button', class: 'button secondary', onclick: () => void this.load() }, 'Refresh');
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'accounts-list-title' },
      h('div', { class: 'card-head' }, h('h2', { id: 'accounts-list-title' }, 'Accounts'), refresh),
      this.accountsStatus.el,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { id: 'accounts-table' },
          h('caption', { class: 'visually-hidden' }, 'Listener and administrator accounts'),
          h(
            'thead',
            {},
            h('tr', {}, ['Username', 'Role', 'Status', 'Certificate', 'Action'].map((c) => h('th', { scope: 'col' }, c))),
          ),
          this.accountsBody,
        ),
      ),
    );
  }

  async loadAccounts(): Promise<void> {
    try {
      const res = await this.api.get<{ accounts: Account[] }>('/api/admin/accounts');
      this.accounts = [...res.accounts].sort((a, b) => a.username.localeCompare(b.username));
      this.renderAccounts();
      this.accountsStatus.info(`${this.accounts.length} accounts.`);
      this.onAccounts(this.accounts);
    } catch (err) {
      this.accountsStatus.error(this.unavailable(err, 'Could not load the accounts'));
    }
  }

  private unavailable(err: unknown, what: string): string {
    if (err instanceof ApiError && err.status === 404 && err.code === 'not_found')
      return `${what}: this server does not offer this yet.`;
    return `${what}. ${describeError(err)}`;
  }

  private certText(a: Account): string {
    const c = a.certificate;
    if (!c || c.state === 'none') return a.role === 'listener' ? 'Not enrolled yet' : '—';
    if (c.state === 'pending') return 'Enrolment waiting for a certificate';
    const until = c.not_after_ms ? `, valid until ${formatDateTime(c.not_after_ms)}` : '';
    const expired = c.not_after_ms !== undefined && c.not_after_ms <= Date.now() ? ' (expired)' : '';
    return `Certified${c.serial ? `, serial ${c.serial}` : ''}${until}${expired}`;
  }

  private renderAccounts(): void {
    clear(this.accountsBody);
    if (this.accounts.length === 0) {
      this.accountsBody.append(h('tr', {}, h('td', { colspan: '5' }, 'No accounts yet.')));
      return;
    }
    for (const a of this.accounts) {
      const action = a.disabled ? 'enable' : 'disable';
      const btn = h(
        'button',
        { type: 'button', class: 'button secondary small', 'aria-label': `${a.disabled ? 'Enable' : 'Disable'} ${a.username}` },
        a.disabled ? 'Enable' : 'Disable',
      );
      btn.addEventListener('click', async () => {
        const question = `Disable ${a.username}? Their sessions stop working at once.`;
        if (!a.disabled && !window.confirm(question)) return;
        btn.disabled = true;
        try {
          await this.api.post(`/api/admin/accounts/${encodeURIComponent(a.username)}/${action}`);
          this.accountsStatus.ok(`${a.username} is now ${a.disabled ? 'enabled' : 'disabled'}.`);
          await this.loadAccounts();
        } catch (err) {
          btn.disabled = false;
          this.accountsStatus.error(`Could not ${action} ${a.username}. ${describeError(err)}`);
        }
      });
      this.accountsBody.append(
        h(
          'tr',
          { 'data-account': a.username },
          h('th', { scope: 'row' }, a.username),
          h('td', {}, a.role === 'admin' ? 'Administrator' : 'Listener'),
          h('td', { class: a.disabled ? 'state-off' : 'state-on' }, a.disabled ? 'Disabled' : 'Active'),
          h('td', {}, this.certText(a)),
          // The server refuses disabling one's own account (so the last
          // administrator is never disabled): not offered.
          h('td', {}, a.username === this.self && !a.disabled ? h('span', { class: 'muted' }, 'Your account') : btn,
            ' ', this.mentorButton(a)),
        ),
      );
    }
    const table = this.accountsBody.closest('table');
    if (table) stackTable(table);
  }

  /**
   * Grants or withdraws the mentor capability (listeners only; the server
   * grants it only while the listener holds a valid certificate). Withdrawing
   * tells that mentor's mentees in their app.
   */
  private mentorButton(a: Account): HTMLButtonElement | null {
    if (a.role !== 'listener' || a.mentor === undefined) return null;
    const grant = !a.mentor;
    const btn = h('button', { type: 'button', class: 'button secondary small', 'aria-label': `${grant ? 'Make' : 'Stop'} ${a.username} ${grant ? 'a mentor' : 'mentoring'}` },
      grant ? 'Make mentor' : 'Stop mentoring');
    btn.addEventListener('click', async () => {
      if (!grant && !window.confirm(`Stop ${a.username} mentoring? Their card is hidden and their mentees are told they may ask another mentor.`)) return;
      btn.disabled = true;
      try {
        await setMentor(this.api, a.username, grant);
        this.accountsStatus.ok(grant ? `${a.username} is now a mentor.` : `${a.username} no longer mentors.`);
        await this.loadAccounts();
      } catch (err) {
        btn.disabled = false;
        this.accountsStatus.error(err instanceof ApiError && err.code === 'not_certified'
          ? `${a.username} needs a valid certificate before they can mentor.` : `Could not change ${a.username}. ${describeError(err)}`);
      }
    });
    return btn;
  }

  private createSection(): HTMLElement {
    const status = new StatusLine();
    const username = h('input', {
      name: 'username', required: true, maxlength: '64', pattern: '[A-Za-z0-9._\\-]{1,64}',
      autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', id: 'new-username',
    });
    const role = h('select', { name: 'role', id: 'new-role' }, h('option', { value: 'listener' }, 'Listener'), h('option', { value: 'admin' }, 'Administrator'));
    const password = h('input', { name: 'password', required: true, minlength: '12', autocomplete: 'new-password', id: 'new-password', type: 'text', spellcheck: 'false' });
    const gen = h('button', { type: 'button', class: 'button secondary small', onclick: () => { password.value = generatePassword(); password.focus(); password.select(); } }, 'Generate a password');
    const submit = h('button', { type: 'submit', class: 'button primary' }, 'Create account');
    const form = h(
      'form',
      { id: 'create-account', novalidate: true },
      field('Username', username, 'Letters, digits, dot, underscore and hyphen; up to 64. A listener’s username is also the name GPs see on the certificate.'),
      field('Role', role),
      field('Initial password', password, 'At least 12 characters. It is shown here only until you leave the page: pass it on through a secure channel.'),
      gen,
      h('div', { class: 'actions' }, submit),
      status.el,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const u = username.value.trim();
      if (!USERNAME.test(u)) {
        status.error('Enter a username of 1 to 64 letters, digits, dots, underscores or hyphens.');
        username.focus();
        return;
      }
      if (password.value.length < 12) {
        status.error('The password must have at least 12 characters.');
        password.focus();
        return;
      }
      submit.disabled = true;
      try {
        await this.api.post('/api/admin/accounts', { username: u, password: password.value, role: role.value });
        status.ok(`Account ${u} created (${role.value === 'admin' ? 'administrator' : 'listener'}).`);
        form.reset();
        await this.loadAccounts();
      } catch (err) {
        if (err instanceof ApiError && err.code === 'exists') status.error(`An account named ${u} already exists.`);
        else status.error(`Could not create the account. ${describeError(err)}`);
      } finally {
        submit.disabled = false;
      }
    });
    return h('section', { class: 'card', 'aria-labelledby': 'create-title' }, h('h2', { id: 'create-title' }, 'Create an account'), form);
  }

  // ---- enrolments and certificates ----

  private enrolmentsSection(): HTMLElement {
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'enrolments-title' },
      h('h2', { id: 'enrolments-title', tabindex: '-1' }, 'Pending enrolments'),
      h(
        'ol',
        { class: 'steps' },
        h('li', {}, 'Save the enrolment request and take it to the offline machine that holds the root key.'),
        h('li', {}, 'Phone the listener, or meet them, and have them read out the key fingerprint their own console shows (30 digits). Do not take it from this page or from a message: this page comes from the server, which is what this check guards against.'),
        h('li', {}, 'On the offline machine, run ', h('code', {}, 'peerline org certify --key root.key --request USER.request --expect-fingerprint "DIGITS THEY READ" --directory org.directory --out USER.cert'), ' (30 days at most). It refuses if the request’s key is not the one they read out.'),
        h('li', {}, 'Upload the certificate and the directory here (the directory names each listener’s one current certificate; a replaced one is revoked with the next list).'),
      ),
      this.enrolmentsStatus.el,
      this.enrolmentsBox,
    );
  }

  async loadEnrolments(): Promise<void> {
    try {
      const res = await this.api.get<{ enrolments: Enrolment[] }>('/api/admin/enrolments');
      clear(this.enrolmentsBox);
      for (const u of this.objectUrls.splice(0)) URL.revokeObjectURL(u);
      if (res.enrolments.length === 0) {
        this.enrolmentsBox.append(h('p', { class: 'empty' }, 'No enrolment is waiting for a certificate.'));
      }
      for (const e of res.enrolments) this.enrolmentsBox.append(this.enrolmentItem(e));
      this.enrolmentsStatus.clear();
    } catch (err) {
      this.enrolmentsStatus.error(this.unavailable(err, 'Could not load pending enrolments'));
    }
  }

  private enrolmentItem(e: Enrolment): HTMLElement {
    const status = new StatusLine();
    const blob = new Blob([`${e.enrolment_request}\n`], { type: 'text/plain' });
    const url = URL.createObjectURL(blob);
    this.objectUrls.push(url);
    const save = h('a', { href: url, download: `${e.username}.request`, class: 'button secondary small' }, `Save ${e.username}.request`);
    const copy = h('button', { type: 'button', class: 'button secondary small' }, 'Copy request text');
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(e.enrolment_request);
        status.ok('Enrolment request copied.');
      } catch {
        status.error('Copying is not allowed here; use “Save” instead.');
      }
    });
    const text = h('textarea', { rows: '3', spellcheck: 'false', autocomplete: 'off', class: 'mono', name: 'certificate' });
    const file = h('input', { type: 'file', accept: '.cert,.txt,text/plain' });
    const preview = h('p', { class: 'meta', 'aria-live': 'polite' });
    const showPreview = () => {
      const info = text.value.trim() ? readCertificate(text.value) : null;
      preview.textContent = !text.value.trim()
        ? ''
        : info
          ? this.describeCert(info, e.username)
          : 'This does not look like a Peerline certificate (base64url text from peerline org certify).';
    };
    text.addEventListener('input', showPreview);
    file.addEventListener('change', async () => {
      try {
        const t = await readFileText(file);
        if (t !== null) {
          text.value = t;
          showPreview();
        }
      } catch (err) {
        status.error(describeError(err));
      }
    });
    const dirText = h('textarea', { rows: '3', spellcheck: 'false', autocomplete: 'off', class: 'mono', name: 'directory' });
    const dirFile = h('input', { type: 'file', accept: '.directory,.txt,text/plain' });
    dirFile.addEventListener('change', async () => {
      try {
        const t = await readFileText(dirFile);
        if (t !== null) dirText.value = t;
      } catch (err) {
        status.error(describeError(err));
      }
    });
    const upload = h('button', { type: 'submit', class: 'button primary' }, `Upload certificate for ${e.username}`);
    const form = h(
      'form',
      { class: 'upload', novalidate: true },
      field('Certificate file', file),
      field('…or paste the certificate (base64url text)', text),
      preview,
      field('Directory file (org.directory, written by the same command)', dirFile),
      field('…or paste the directory (base64url text)', dirText),
      h('div', { class: 'actions' }, upload),
      status.el,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const cert = normaliseB64url(text.value);
      if (!cert) {
        status.error('Choose the certificate file or paste its text first.');
        text.focus();
        return;
      }
      const directory = normaliseB64url(dirText.value);
      if (!directory) {
        status.error('Choose the directory file `peerline org certify` wrote, or paste its text, too.');
        dirText.focus();
        return;
      }
      const info = readCertificate(cert);
      if (info && info.handle !== e.username) {
        status.error(`This certificate is for ${info.handle}, not ${e.username}.`);
        return;
      }
      upload.disabled = true;
      try {
        await this.api.put(`/api/admin/accounts/${encodeURIComponent(e.username)}/certificate`, { certificate: cert, directory });
        await Promise.all([this.loadAccounts(), this.loadEnrolments()]);
        // The enrolment (and its form) is gone: say so where it was.
        this.enrolmentsStatus.ok(`Certificate for ${e.username} stored: ${e.username} can now take conversations as a verified listener.`);
        document.getElementById('enrolments-title')?.focus();
      } catch (err) {
        if (err instanceof ApiError && err.code === 'invalid_certificate')
          status.error(`The server refused this certificate: ${err.message} Check it was made from this enrolment request with the organisation’s root key.`);
        else status.error(`Could not upload the certificate. ${describeError(err)}`);
      } finally {
        upload.disabled = false;
      }
    });
    return h(
      'article',
      { class: 'enrolment', 'data-enrolment': e.username, 'aria-labelledby': `enrol-${e.username}` },
      h('h3', { id: `enrol-${e.username}` }, e.username),
      h('p', {}, 'Key fingerprint in this request, as the server reports it: ', h('code', { class: 'fingerprint' }, e.identity_fingerprint),
        '. Compare what the listener reads out with what ', h('code', {}, 'peerline org certify'), ' prints, not with this.'),
      h('div', { class: 'actions' }, save, copy),
      form,
    );
  }

  private describeCert(c: CertificateInfo, expected?: string): string {
    const who = expected && c.handle !== expected ? `for ${c.handle} — not ${expected}!` : `for ${c.handle}`;
    return `Certificate ${who} (${c.role}), serial ${c.serial}, valid ${formatDateTime(c.notBeforeMs)} to ${formatDateTime(c.notAfterMs)}.`;
  }

  // ---- revocation list ----

  private revocationSection(): HTMLElement {
    const status = new StatusLine();
    const text = h('textarea', { rows: '3', spellcheck: 'false', autocomplete: 'off', class: 'mono', id: 'crl-text' });
    const file = h('input', { type: 'file', accept: '.crl,.txt,text/plain', id: 'crl-file' });
    const preview = h('p', { class: 'meta', 'aria-live': 'polite' });
    const showPreview = () => {
      let listText = text.value.trim();
      if (listText.startsWith('{')) {
        try {
          listText = String(JSON.parse(listText).revocation_list ?? '');
        } catch {
          listText = '';
        }
      }
      const info = listText ? readRevocationList(listText) : null;
      preview.textContent = !text.value.trim()
        ? ''
        : info
          ? `List number ${info.number}, ${info.serials.length} revoked serials, stale from ${formatDateTime(info.nextUpdateMs)}.`
          : 'This does not look like a Peerline revocation list (base64url text from peerline org sign-revocation-list).';
    };
    text.addEventListener('input', showPreview);
    file.addEventListener('change', async () => {
      try {
        const t = await readFileText(file);
        if (t !== null) {
          text.value = t;
          showPreview();
        }
      } catch (err) {
        status.error(describeError(err));
      }
    });
    const upload = h('button', { type: 'submit', class: 'button primary' }, 'Upload revocation list');
    const form = h(
      'form',
      { novalidate: true, id: 'crl-form' },
      field('Revocation list file', file),
      field('…or paste the list (base64url text)', text),
      preview,
      h('div', { class: 'actions' }, upload),
      status.el,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const crl = text.value.trim().startsWith('{') ? text.value.trim() : normaliseB64url(text.value);
      if (!crl) {
        status.error('Choose the revocation list file or paste its text first.');
        return;
      }
      upload.disabled = true;
      try {
        // A pasted upload body from the CLI ({"revocation_list", "revocation_delegation"}) or a bare list.
        const body = crl.startsWith('{') ? JSON.parse(text.value) : { revocation_list: crl };
        await this.api.put('/api/admin/revocation-list', body);
        status.ok('Revocation list stored. GPs’ browsers use it from their next conversation.');
        form.reset();
        preview.textContent = '';
        await this.loadRevocationList();
      } catch (err) {
        if (err instanceof ApiError && err.code === 'stale_number')
          status.error('The server already has a list with this number or a newer one. Make the next list from the current one.');
        else if (err instanceof ApiError && err.code === 'invalid_revocation_list')
          status.error(`The server refused this list: ${err.message}`);
        else status.error(`Could not upload the revocation list. ${describeError(err)}`);
      } finally {
        upload.disabled = false;
      }
    });
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'crl-title' },
      h('h2', { id: 'crl-title' }, 'Revocation list'),
      h(
        'p',
        {},
        'A revocation list is valid for at most 48 hours, so a server cannot keep showing GPs an old one: sign a new list every day, even with nothing new to revoke (GPs’ browsers refuse listeners when the list is stale). ',
        'It is signed by a revocation key the organisation’s root key delegated — in this browser, or in a scheduled job on the organisation’s own machine (',
        h('code', {}, 'peerline org sign-revocation-list'),
        ', docs/OPERATIONS.md) — never by the server. To revoke a certificate (a lost device, a listener leaving), type its serial below and sign.',
      ),
      this.crlInfo,
      this.signer.el,
      h('h3', {}, 'Or upload a list signed elsewhere'),
      form,
    );
  }

  async loadRevocationList(): Promise<void> {
    let res: TrustStateText | null = null;
    try {
      res = await this.api.get<TrustStateText>('/api/revocation-list');
    } catch {
      res = null;
    }
    await this.signer.refresh(res);
    try {
      if (!res) await this.api.get('/api/revocation-list'); // to report why
      if (!res?.revocation_list) throw new ApiError(404, 'not_found', 'none');
      const info = readRevocationList(res.revocation_list);
      if (!info) {
        this.crlInfo.textContent = 'The stored revocation list cannot be read.';
        return;
      }
      const stale = info.nextUpdateMs <= Date.now();
      this.crlInfo.textContent = `Current list: number ${info.number}, ${info.serials.length} revoked serials${
        info.serials.length ? ` (${info.serials.join(', ')})` : ''
      }, ${stale ? 'STALE since' : 'stale from'} ${formatDateTime(info.nextUpdateMs)}.`;
      this.crlInfo.classList.toggle('error', stale);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404)
        this.crlInfo.textContent = 'No revocation list is stored yet. GPs’ browsers will refuse listeners until one is uploaded.';
      else this.crlInfo.textContent = `Could not read the current revocation list. ${describeError(err)}`;
    }
  }
}
