// The facilitator's side of a group: creating it and the only changes of
// membership there are. A change is a commit the facilitator makes and the
// delivery service orders; it takes effect here only when the service says
// the commit was accepted for its epoch (commitAccepted), as it does for
// every other member when they process it.
import { equal, ready } from '../crypto/sodium.js';
import { createCommit, createGroup, defaultCapabilities, generateKeyPackageWithKey } from 'ts-mls';
import type { CiphersuiteImpl, ClientState, KeyPackage, Proposal } from 'ts-mls';
import { makeCredentialCheck } from './authentication.js';
import type { CredentialCheck } from './authentication.js';
import { CIPHERSUITE, GROUP_ID_BYTES, MAX_MEMBERS, ciphersuite, keyPackageLifetime } from './ciphersuite.js';
import { decodeGroupCredential, makeFacilitatorCredential, verifyFacilitatorCredential } from './credential.js';
import type { CertifiedIdentity, Clock, GroupTrust } from './credential.js';
import { GroupError, groupFail } from './errors.js';
import { FACILITATOR_LEAF, treeRefusal } from './policy.js';
import { leaves } from './roster.js';
import { GroupSession, groupClientConfig, refusalOf, wipeAll } from './session.js';
import type { GroupEvent } from './session.js';
import { decodeIncoming, encodeOutgoing } from './wire.js';

export interface FacilitatorOptions {
  /** The facilitator's certified listener identity (raw, or a WebCrypto DeviceIdentity), with its certificate. */
  identity: CertifiedIdentity;
  /** The organisation's trust state, as the GP page has it (root, list, delegation, directory). */
  trust: GroupTrust;
  clock: Clock;
}

export interface PendingChange {
  /** The commit (an MLS PrivateMessage) for the delivery service to order for its epoch. */
  commit: Uint8Array;
  /** For an add: the Welcome for the new members (carries the ratchet tree). */
  welcome?: Uint8Array;
  /** The epoch the commit is for. */
  epoch: bigint;
}

export class FacilitatorSession extends GroupSession {
  private pending: { state: ClientState; consumed: Uint8Array[]; change: PendingChange } | undefined;

  private constructor(state: ClientState, cs: CiphersuiteImpl, check: CredentialCheck) {
    super(state, cs, check);
  }

  /**
   * A new group with the facilitator alone at its first leaf. The facilitator's
   * own credential is checked as members will check it, so an expired or
   * revoked certificate fails here (GroupError 'bad_credential').
   */
  static async create(opts: FacilitatorOptions): Promise<FacilitatorSession> {
    await ready();
    const cs = await ciphersuite();
    const groupId = globalThis.crypto.getRandomValues(new Uint8Array(GROUP_ID_BYTES));
    const keys = await cs.signature.keygen();
    const credential = await makeFacilitatorCredential(opts.identity, groupId, keys.publicKey);
    verifyFacilitatorCredential(credential, keys.publicKey, groupId, opts.trust, opts.clock());
    const check = makeCredentialCheck(groupId, opts.trust, opts.clock);
    const kp = await generateKeyPackageWithKey(credential, defaultCapabilities(), keyPackageLifetime(), [], keys, cs);
    const state = await createGroup(groupId, kp.publicPackage, kp.privatePackage, [], cs, groupClientConfig(check));
    wipeAll([kp.privatePackage.initPrivateKey]);
    return new FacilitatorSession(state, cs, check);
  }

  /** As GroupSession's, but the facilitator's own pending commit echoed back is named as such. */
  override processIncoming(bytes: Uint8Array): Promise<GroupEvent[]> {
    const p = this.pending;
    if (p && bytes.length === p.change.commit.length && equal(bytes, p.change.commit)) {
      return Promise.resolve([{ kind: 'rejected', reason: 'own_commit' }]);
    }
    return super.processIncoming(bytes);
  }

  /** The change waiting for the delivery service, if any (to send again unchanged after a reconnect). */
  get pendingChange(): PendingChange | undefined {
    return this.pending?.change;
  }

  /**
   * Adds the members whose key packages (as MemberCandidate.keyPackage gave
   * them) are `keyPackages`. Each must be a member credential, valid now;
   * the group stays within MAX_MEMBERS.
   */
  add(keyPackages: Uint8Array[]): Promise<PendingChange> {
    return this.serial(async () => {
      const proposals: Proposal[] = keyPackages.map((bytes) => {
        const m = decodeIncoming(bytes);
        if (m.wireformat !== 'mls_key_package') groupFail('wrong_wire_format', m.wireformat);
        const kp: KeyPackage = m.keyPackage;
        if (kp.cipherSuite !== CIPHERSUITE) groupFail('invalid', `ciphersuite ${kp.cipherSuite}`);
        if (decodeGroupCredential(kp.leafNode.credential).kind !== 'member') groupFail('bad_credential', 'not a member credential');
        return { proposalType: 'add', add: { keyPackage: kp } };
      });
      if (proposals.length === 0) groupFail('invalid', 'nothing to add');
      if (leaves(this.state.ratchetTree).length + proposals.length > MAX_MEMBERS) groupFail('group_full');
      return this.commit(proposals);
    });
  }

  /** Removes the members at these leaves (never the facilitator's). */
  remove(leafIndices: number[]): Promise<PendingChange> {
    return this.serial(async () => {
      const occupied = new Set(leaves(this.state.ratchetTree).map((l) => l.leaf));
      if (leafIndices.length === 0) groupFail('invalid', 'nothing to remove');
      for (const leaf of leafIndices) {
        if (leaf === FACILITATOR_LEAF) groupFail('not_allowed', 'the facilitator cannot be removed');
        if (!occupied.has(leaf)) groupFail('invalid', `no member at leaf ${leaf}`);
      }
      return this.commit([...new Set(leafIndices)].map((removed): Proposal => ({ proposalType: 'remove', remove: { removed } })));
    });
  }

  private async commit(proposals: Proposal[]): Promise<PendingChange> {
    if (this.pending) groupFail('commit_pending');
    if (!this.active) groupFail('removed');
    this.check.takeFailure();
    let r;
    try {
      r = await createCommit({ state: this.state, cipherSuite: this.cs }, { extraProposals: proposals, ratchetTreeExtension: true });
    } catch (e) {
      throw refusalOf(e, this.check);
    }
    const refusal = treeRefusal(r.newState.ratchetTree);
    if (refusal) throw refusal;
    const change: PendingChange = { commit: encodeOutgoing(r.commit), epoch: this.epoch };
    if (r.welcome) change.welcome = encodeOutgoing({ version: 'mls10', wireformat: 'mls_welcome', welcome: r.welcome });
    this.pending = { state: r.newState, consumed: r.consumed, change };
    return change;
  }

  /**
   * The delivery service accepted the pending commit for its epoch: the
   * change takes effect here too. Returns the member-joined/left events.
   */
  commitAccepted(): Promise<GroupEvent[]> {
    return this.serial(async () => {
      const p = this.pending;
      if (!p) throw new GroupError('no_commit_pending');
      const before = this.roster();
      const oldEpoch = this.epoch;
      // Application messages read while the commit waited moved the old
      // epoch's secret tree on; keep that one, so none can be read twice.
      const kept = new Map(p.state.historicalReceiverData);
      const old = kept.get(oldEpoch);
      if (old) kept.set(oldEpoch, { ...old, secretTree: this.state.secretTree });
      this.state = { ...p.state, historicalReceiverData: kept };
      this.pending = undefined;
      wipeAll(p.consumed);
      return this.changeEvents(before, this.epoch);
    });
  }
}
