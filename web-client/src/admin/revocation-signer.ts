// "Sign today's revocation list": the administrator's delegated revocation
// key lives in this browser (revocation-key.ts), never on the server. One
// click fetches the trust state, builds the next list (every earlier
// revocation, the directory's replaced certificates, any serials typed here),
// signs it with the WebCrypto key and uploads it. Lists are valid 48 hours;
// the card warns from a day before the current one goes stale.
// docs/CRYPTO.md §3.4, docs/OPERATIONS.md ("Revocation lists").
import * as psc1 from '../crypto/index.js';
import type { TrustStateText } from '../shared/api';
import { Api, ApiError } from '../shared/api';
import { b64urlDecodeOrNull as fromB64url, b64urlEncode as toB64url } from '../shared/b64';
import { formatDateTime } from '../shared/datetime';
import { field, h, StatusLine } from '../shared/dom';
import { describeError } from './errors';
import {
  createRevocationKey, loadRevocationKey, publicKeyText, saveRevocationKey, signWith, type RevocationKeyRecord,
} from './revocation-key';

const DAY_MS = 24 * 3600 * 1000;

// Not ../shared/: that chunk carries the GP and listener pages' styles.
let root: Uint8Array | null = null;
/** Loads libsodium and decodes the organisation root key pinned at build time. */
async function pinnedRoot(): Promise<Uint8Array> {
  await psc1.ready();
  root ??= psc1.rootPublicKeyFromText(import.meta.env.VITE_PEERLINE_ORG_ROOT) as Uint8Array;
  return root;
}

function b64urlDecode(text: string): Uint8Array {
  const b = fromB64url(text);
  if (!b) throw new Error('That is not base64url text.');
  return b;
}

export class RevocationSigner {
  readonly el: HTMLElement;
  private readonly keyInfo = h('div', { id: 'revkey-info' });
  private readonly warning = h('div', { id: 'crl-expiry-warning', class: 'warning', role: 'alert', hidden: true });
  private readonly status = new StatusLine();
  private readonly serials = h('input', { type: 'text', id: 'revkey-revoke', inputmode: 'numeric', autocomplete: 'off' });
  private readonly signButton = h('button', { type: 'button', id: 'revkey-sign', class: 'button primary' }, 'Sign and publish today’s list');
  private rec: RevocationKeyRecord | null = null;

  constructor(private readonly api: Api, private readonly onPublished: () => Promise<void>) {
    this.signButton.addEventListener('click', () => void this.signAndPublish());
    this.el = h(
      'div',
      { class: 'revocation-signer' },
      this.warning,
      h('h3', {}, 'This browser’s revocation key'),
      this.keyInfo,
      field('Certificate serials to revoke now (optional, separated by commas)', this.serials,
        'Every earlier revocation and every certificate replaced by a newer one are carried on automatically.'),
      h('div', { class: 'actions' }, this.signButton),
      this.status.el,
    );
  }

  /** Reloads the key from IndexedDB and shows the state of the current list. */
  async refresh(current: TrustStateText | null): Promise<void> {
    try {
      this.rec = await loadRevocationKey();
    } catch {
      this.rec = null;
    }
    this.renderKey();
    this.renderWarning(current);
  }

  private renderWarning(current: TrustStateText | null): void {
    let staleMs: number | null = null;
    try {
      if (current?.revocation_list) staleMs = Number(psc1.decodeRevocationList(b64urlDecode(current.revocation_list)).nextUpdate) * 1000;
    } catch {
      staleMs = null;
    }
    const now = Date.now();
    if (staleMs === null) {
      this.warning.textContent = 'No valid revocation list is published: GPs’ browsers refuse every listener until one is. Sign one now.';
    } else if (staleMs <= now) {
      this.warning.textContent = `The revocation list went stale at ${formatDateTime(staleMs)}: GPs’ browsers refuse every listener until a new one is signed. Sign one now.`;
    } else if (staleMs - now <= DAY_MS) {
      this.warning.textContent = `The revocation list goes stale at ${formatDateTime(staleMs)}, within a day. Sign today’s list now (or check the scheduled job).`;
    } else {
      this.warning.hidden = true;
      return;
    }
    this.warning.hidden = false;
  }

  private renderKey(): void {
    const box = this.keyInfo;
    box.replaceChildren();
    const create = h('button', { type: 'button', id: 'revkey-create', class: 'button secondary' },
      this.rec ? 'Replace this browser’s key' : 'Create this browser’s revocation key');
    create.addEventListener('click', () => void this.create());
    this.signButton.disabled = !this.rec?.delegation;
    if (!this.rec) {
      box.append(
        h('p', {}, 'This browser has no revocation key. Create one: its private half can never leave this browser (not even this page can read it).'),
        h('div', { class: 'actions' }, create),
      );
      return;
    }
    const pub = publicKeyText(this.rec);
    box.append(h('p', {}, 'Public key: ', h('code', { id: 'revkey-public', class: 'mono' }, pub)));
    if (!this.rec.delegation) {
      const text = h('textarea', { rows: '3', spellcheck: 'false', autocomplete: 'off', class: 'mono', id: 'revkey-delegation' });
      const save = h('button', { type: 'button', id: 'revkey-delegation-save', class: 'button primary' }, 'Use this delegation');
      save.addEventListener('click', () => void this.saveDelegation(text.value));
      box.append(
        h('p', {}, 'On the offline machine, have the root key delegate list signing to this key: ',
          h('code', {}, `peerline org delegate-revocation --key root.key --revocation-public-key ${pub} --out admin.delegation`),
          ', then paste the file’s text here.'),
        field('Delegation (base64url text)', text),
        h('div', { class: 'actions' }, save),
      );
    } else {
      try {
        const d = psc1.decodeRevocationDelegation(b64urlDecode(this.rec.delegation));
        box.append(h('p', { id: 'revkey-delegated' }, `Delegated by the organisation’s root key until ${formatDateTime(Number(d.notAfter) * 1000)}.`));
      } catch {
        box.append(h('p', { class: 'error' }, 'The stored delegation cannot be read.'));
      }
    }
    box.append(h('div', { class: 'actions' }, create));
  }

  private async create(): Promise<void> {
    if (this.rec && !window.confirm('Replace this browser’s revocation key? The old key’s delegation stops being used here.')) return;
    try {
      this.rec = await createRevocationKey();
      this.status.ok('A new revocation key was created in this browser. Have it delegated, below.');
    } catch (err) {
      this.status.error(`This browser cannot make an Ed25519 key (${describeError(err)}). Use the scheduled job instead (docs/OPERATIONS.md).`);
    }
    this.renderKey();
  }

  private async saveDelegation(text: string): Promise<void> {
    if (!this.rec) return;
    const t = text.replace(/\s+/g, '');
    try {
      const d = psc1.decodeRevocationDelegation(b64urlDecode(t));
      if (!psc1.delegationSignatureOk(d, await pinnedRoot())) throw new Error('It is not signed by the organisation key this dashboard trusts.');
      if (!d.revocationKey.every((x: number, i: number) => x === this.rec!.publicKey[i])) throw new Error('It delegates another key, not this browser’s.');
      if (BigInt(Math.floor(Date.now() / 1000)) >= d.notAfter) throw new Error('It has expired.');
      this.rec.delegation = t;
      await saveRevocationKey(this.rec);
      this.status.ok('Delegation stored. This browser can now sign revocation lists.');
    } catch (err) {
      this.status.error(`That delegation cannot be used. ${err instanceof Error ? err.message : String(err)}`);
    }
    this.renderKey();
  }

  private async signAndPublish(): Promise<void> {
    const rec = this.rec;
    if (!rec?.delegation) return;
    const typed = this.serials.value.split(/[\s,]+/).filter(Boolean);
    if (typed.some((x) => !/^[1-9][0-9]{0,18}$/.test(x))) {
      this.status.error('Serials are whole numbers, as shown in the accounts table.');
      this.serials.focus();
      return;
    }
    this.signButton.disabled = true;
    try {
      const rootKey = await pinnedRoot();
      let state: TrustStateText | null = null;
      try {
        state = await this.api.get<TrustStateText>('/api/revocation-list');
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
      }
      const fields = psc1.org.nextRevocationList({
        root: rootKey,
        delegation: b64urlDecode(rec.delegation),
        previous: [state?.revocation_list, rec.lastList].filter((x): x is string => !!x).map(b64urlDecode),
        previousDelegations: state?.revocation_delegation ? [b64urlDecode(state.revocation_delegation)] : [],
        directory: state?.directory ? b64urlDecode(state.directory) : new Uint8Array(0), // none before anyone is certified
        addSerials: typed.map(BigInt),
        now: Math.floor(Date.now() / 1000),
      });
      const signature = await signWith(rec, psc1.revocationListSignedBytes(fields));
      const list = toB64url(psc1.encodeRevocationList({ ...fields, signature }));
      await this.api.put('/api/admin/revocation-list', { revocation_list: list, revocation_delegation: rec.delegation });
      rec.lastList = list;
      await saveRevocationKey(rec);
      this.serials.value = '';
      this.status.ok(`List ${fields.number} signed in this browser and published (${fields.serials.length} revoked), valid until ${formatDateTime(Number(fields.nextUpdate) * 1000)}.`);
      await this.onPublished();
    } catch (err) {
      const code = err instanceof psc1.E2eError ? ` (${err.code})` : '';
      this.status.error(`Could not sign the list${code}. ${err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.signButton.disabled = !this.rec?.delegation;
    }
  }
}
