// One member's view of a group (the facilitator's too): what it can read,
// send and see. Every incoming message is checked here before anything
// changes: the group, the epoch, the wire format, then MLS with the
// membership policy; a refusal is an event and leaves the state as it was.
//
// ts-mls is functional (each call returns a new state and the secrets it
// `consumed`); calls are run one at a time, and consumed secrets are wiped
// only once the new state is adopted.
import {
  createApplicationMessage, defaultKeyPackageEqualityConfig, defaultLifetimeConfig, emptyPskIndex, processPrivateMessage,
  zeroOutUint8Array,
} from 'ts-mls';
import type { CiphersuiteImpl, ClientConfig, ClientState, PrivateMessage } from 'ts-mls';
import { unprotectPrivateMessage } from 'ts-mls/messageProtection.js';
import { equal } from '../crypto/sodium.js';
import type { CredentialCheck } from './authentication.js';
import { GroupError, groupFail } from './errors.js';
import type { GroupErrorCode } from './errors.js';
import { unpadPayload, padPayload } from './padding.js';
import { membershipPolicy, treeRefusal } from './policy.js';
import type { PolicyVerdict } from './policy.js';
import { entryFor, rosterChanges, rosterOf } from './roster.js';
import type { RosterEntry } from './roster.js';
import { decodeIncoming, encodeOutgoing } from './wire.js';

export type GroupEvent =
  | { kind: 'message'; sender: RosterEntry; body: Uint8Array; epoch: bigint }
  | { kind: 'member-joined'; member: RosterEntry; epoch: bigint }
  | { kind: 'member-left'; member: RosterEntry; epoch: bigint }
  /** This member was removed: nothing more can be read or sent. */
  | { kind: 'removed'; epoch: bigint }
  | { kind: 'rejected'; reason: GroupErrorCode; detail?: string };

/** The ts-mls configuration of every Peerline group member. */
export function groupClientConfig(check: CredentialCheck): ClientConfig {
  return {
    // Keys for late application messages are kept for two epochs and ten
    // generations only: forward secrecy over convenience.
    keyRetentionConfig: { retainKeysForGenerations: 10, retainKeysForEpochs: 2, maximumForwardRatchetSteps: 200 },
    lifetimeConfig: defaultLifetimeConfig,
    keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
    // Application payloads arrive already padded to a bucket (padding.ts).
    paddingConfig: { kind: 'padUntilLength', padUntilLength: 0 },
    authService: check.service,
  };
}

export const wipeAll = (secrets: Uint8Array[]) => secrets.forEach(zeroOutUint8Array);

/** An MLS failure as a refusal: the credential check's reason if it had one. */
export function refusalOf(e: unknown, check: CredentialCheck): GroupError {
  const failure = check.takeFailure();
  if (failure) return failure;
  if (e instanceof GroupError) return e;
  const message = e instanceof Error ? e.message : String(e);
  // AEAD and signature failures (ts-mls, @noble/ciphers) mean the message was
  // altered or not made with this epoch's keys.
  if (/invalid tag|signature invalid|decrypt/i.test(message)) return new GroupError('undecryptable', message);
  return new GroupError('invalid', message);
}

export class GroupSession {
  protected state: ClientState;
  protected readonly cs: CiphersuiteImpl;
  protected readonly check: CredentialCheck;
  readonly groupId: Uint8Array;
  private chain: Promise<unknown> = Promise.resolve();

  protected constructor(state: ClientState, cs: CiphersuiteImpl, check: CredentialCheck) {
    this.state = state;
    this.cs = cs;
    this.check = check;
    this.groupId = Uint8Array.from(state.groupContext.groupId);
  }

  /** The current epoch (0 when the group is created; one more per accepted commit). */
  get epoch(): bigint {
    return this.state.groupContext.epoch;
  }

  get selfLeaf(): number {
    return this.state.privatePath.leafIndex;
  }

  /** False once this member has been removed. */
  get active(): boolean {
    return this.state.groupActiveState.kind === 'active';
  }

  /** Who is in the group, from the MLS tree this member has verified. */
  roster(): RosterEntry[] {
    return rosterOf(this.state.ratchetTree, this.selfLeaf);
  }

  /** Runs `fn` after every call before it has finished. */
  protected serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** An application message to the group (an encoded MLS PrivateMessage), padded to a bucket. */
  encrypt(payload: Uint8Array): Promise<Uint8Array> {
    return this.serial(async () => {
      if (!this.active) groupFail('removed');
      const padded = padPayload(payload);
      const r = await createApplicationMessage(this.state, padded, this.cs);
      this.state = r.newState;
      wipeAll(r.consumed);
      return encodeOutgoing({ version: 'mls10', wireformat: 'mls_private_message', privateMessage: r.privateMessage });
    });
  }

  /**
   * Everything one incoming message (bytes from the server) means for the
   * room, in order: a message, members who joined or left, this member's
   * removal, or one `rejected` event with the reason (state unchanged).
   */
  processIncoming(bytes: Uint8Array): Promise<GroupEvent[]> {
    return this.serial(async () => {
      try {
        return await this.process(bytes);
      } catch (e) {
        const r = refusalOf(e, this.check);
        return [r.detail === undefined ? { kind: 'rejected', reason: r.code } : { kind: 'rejected', reason: r.code, detail: r.detail }];
      }
    });
  }

  private async process(bytes: Uint8Array): Promise<GroupEvent[]> {
    const msg = decodeIncoming(bytes);
    if (msg.wireformat !== 'mls_private_message') groupFail('wrong_wire_format', msg.wireformat);
    const pm = msg.privateMessage;
    if (!equal(pm.groupId, this.groupId)) groupFail('wrong_group');
    if (!this.active) groupFail('removed');
    if (pm.epoch > this.epoch) groupFail('future_epoch', `epoch ${pm.epoch}, at ${this.epoch}`);
    switch (pm.contentType) {
      case 'application':
        return [await this.receiveApplication(pm)];
      case 'commit':
        if (pm.epoch < this.epoch) groupFail('stale_epoch', `epoch ${pm.epoch}, at ${this.epoch}`);
        return this.receiveCommit(pm);
      default:
        // The facilitator commits its changes inline; nobody sends proposals.
        groupFail('proposal_not_allowed', 'standalone proposal');
    }
  }

  private async receiveApplication(pm: PrivateMessage): Promise<GroupEvent> {
    // ts-mls's processPrivateMessage does not say who sent an application
    // message, so this is its application path with the sender kept.
    const current = pm.epoch === this.epoch;
    const past = current ? undefined : this.state.historicalReceiverData.get(pm.epoch);
    if (!current && !past) groupFail('stale_epoch', `no keys kept for epoch ${pm.epoch}`);
    const from = past ?? {
      senderDataSecret: this.state.keySchedule.senderDataSecret, secretTree: this.state.secretTree,
      ratchetTree: this.state.ratchetTree, groupContext: this.state.groupContext,
    };
    let result;
    try {
      result = await unprotectPrivateMessage(
        from.senderDataSecret, pm, from.secretTree, from.ratchetTree, from.groupContext,
        this.state.clientConfig.keyRetentionConfig, this.cs);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      groupFail(/in the past/.test(message) ? 'replayed' : 'undecryptable', message);
    }
    const content = result.content.content;
    if (content.contentType !== 'application' || content.sender.senderType !== 'member') groupFail('malformed', 'not an application message from a member');
    const leaf = content.sender.leafIndex;
    const node = from.ratchetTree[leaf * 2];
    if (node?.nodeType !== 'leaf') groupFail('undecryptable', 'sender leaf is blank');
    const sender = entryFor(leaf, node.leaf, this.selfLeaf);
    // The keys of past epochs are kept for late messages only: a sender the
    // current tree no longer holds at that leaf (removed, or replaced) could
    // otherwise go on posting with its pre-removal state.
    if (past && !this.roster().some((e) => e.leaf === sender.leaf && e.role === sender.role && e.id === sender.id)) {
      groupFail('removed', `leaf ${leaf} sent for epoch ${pm.epoch} and is not in the group at ${this.epoch}`);
    }
    const body = unpadPayload(content.applicationData);
    if (past) {
      const kept = new Map(this.state.historicalReceiverData);
      kept.set(pm.epoch, { ...past, secretTree: result.tree });
      this.state = { ...this.state, historicalReceiverData: kept };
    } else {
      this.state = { ...this.state, secretTree: result.tree };
    }
    wipeAll(result.consumed);
    return { kind: 'message', sender, body, epoch: pm.epoch };
  }

  private async receiveCommit(pm: PrivateMessage): Promise<GroupEvent[]> {
    const verdict: PolicyVerdict = {};
    this.check.takeFailure();
    const before = this.roster();
    const r = await processPrivateMessage(this.state, pm, emptyPskIndex, this.cs, membershipPolicy(verdict));
    if (r.kind !== 'newState') groupFail('malformed', 'commit header on an application message');
    if (r.actionTaken === 'reject') throw verdict.refusal ?? new GroupError('not_facilitator');
    const next = r.newState;
    const epoch = pm.epoch + 1n;
    if (next.groupActiveState.kind === 'removedFromGroup') {
      const left = before.filter((e) => !e.self && !rosterOf(next.ratchetTree, -1).some((a) => a.leaf === e.leaf && a.id === e.id));
      this.state = next;
      wipeAll(r.consumed);
      return [...left.map((member): GroupEvent => ({ kind: 'member-left', member, epoch })), { kind: 'removed', epoch }];
    }
    if (next.groupActiveState.kind !== 'active') groupFail('proposal_not_allowed', next.groupActiveState.kind);
    const refusal = treeRefusal(next.ratchetTree);
    if (refusal) throw refusal;
    this.state = next;
    wipeAll(r.consumed);
    return this.changeEvents(before, epoch);
  }

  /** member-left then member-joined events between `before` and now. */
  protected changeEvents(before: RosterEntry[], epoch: bigint): GroupEvent[] {
    const { joined, left } = rosterChanges(before, this.roster());
    return [
      ...left.map((member): GroupEvent => ({ kind: 'member-left', member, epoch })),
      ...joined.map((member): GroupEvent => ({ kind: 'member-joined', member, epoch })),
    ];
  }
}
