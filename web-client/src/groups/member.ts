// A GP's side of a group: a fresh anonymous credential and key package for
// this session, and joining from the facilitator's Welcome. The Welcome is
// accepted only if the facilitator signed it (its GroupInfo's signer is the
// facilitator's leaf), the tree has exactly one facilitator and every
// credential in it passes the Peerline check.
import { defaultCapabilities, emptyPskIndex, encodeMlsMessage, generateKeyPackage, joinGroup } from 'ts-mls';
import type { CiphersuiteImpl, ClientState, KeyPackage, PrivateKeyPackage } from 'ts-mls';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { decryptGroupInfo, decryptGroupSecrets } from 'ts-mls/welcome.js';
import { equal, ready } from '../crypto/sodium.js';
import { makeCredentialCheck } from './authentication.js';
import type { CredentialCheck } from './authentication.js';
import { CIPHERSUITE, GROUP_ID_BYTES, ciphersuite, keyPackageLifetime } from './ciphersuite.js';
import { makeMemberCredential } from './credential.js';
import type { Clock, GroupTrust } from './credential.js';
import { groupFail } from './errors.js';
import { FACILITATOR_LEAF, treeRefusal } from './policy.js';
import { GroupSession, groupClientConfig, refusalOf, wipeAll } from './session.js';
import { decodeIncoming } from './wire.js';

export interface MemberOptions {
  /** The group the room says this is (the Welcome must be for it). */
  groupId: Uint8Array;
  trust: GroupTrust;
  clock: Clock;
  /**
   * The facilitator's handle the room shows; the Welcome's facilitator must
   * have it. Required: without it a GP could be welcomed into a group run by
   * any certified listener.
   */
  expectedFacilitator: string;
}

export class MemberSession extends GroupSession {
  /** @internal made by MemberCandidate.join */
  static joined(state: ClientState, cs: CiphersuiteImpl, check: CredentialCheck): MemberSession {
    return new MemberSession(state, cs, check);
  }
}

/** A GP about to join: holds this session's key package until the Welcome comes. */
export class MemberCandidate {
  /** The key package (an encoded MLS message) to hand to the facilitator. */
  readonly keyPackage: Uint8Array;
  private used = false;

  private constructor(
    private readonly opts: MemberOptions, private readonly cs: CiphersuiteImpl, private readonly check: CredentialCheck,
    private readonly publicPackage: KeyPackage, private readonly privatePackage: PrivateKeyPackage,
  ) {
    this.keyPackage = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: publicPackage });
  }

  /** A new anonymous credential and key package (fresh keys and member id every call). */
  static async prepare(opts: MemberOptions): Promise<MemberCandidate> {
    await ready();
    if (opts.groupId.length !== GROUP_ID_BYTES) groupFail('wrong_group', 'group id length');
    if (typeof opts.expectedFacilitator !== 'string' || opts.expectedFacilitator === '') groupFail('not_allowed', 'expectedFacilitator is required');
    const cs = await ciphersuite();
    const check = makeCredentialCheck(opts.groupId, opts.trust, opts.clock);
    const kp = await generateKeyPackage(makeMemberCredential(), defaultCapabilities(), keyPackageLifetime(), [], cs);
    return new MemberCandidate(opts, cs, check, kp.publicPackage, kp.privatePackage);
  }

  /** Joins from the facilitator's Welcome; throws GroupError if it must not be joined. */
  async join(welcomeBytes: Uint8Array): Promise<MemberSession> {
    if (this.used) groupFail('invalid', 'this key package was already used');
    const m = decodeIncoming(welcomeBytes);
    if (m.wireformat !== 'mls_welcome') groupFail('wrong_wire_format', m.wireformat);
    const welcome = m.welcome;
    if (welcome.cipherSuite !== CIPHERSUITE) groupFail('invalid', `ciphersuite ${welcome.cipherSuite}`);
    await this.checkSigner(welcome);
    this.check.takeFailure();
    let state;
    try {
      state = await joinGroup(welcome, this.publicPackage, this.privatePackage, emptyPskIndex, this.cs, undefined, undefined, groupClientConfig(this.check));
    } catch (e) {
      throw refusalOf(e, this.check);
    }
    const refusal = treeRefusal(state.ratchetTree);
    if (refusal) throw refusal;
    const session = MemberSession.joined(state, this.cs, this.check);
    const facilitator = session.roster().find((e) => e.leaf === FACILITATOR_LEAF);
    if (facilitator?.id !== this.opts.expectedFacilitator) {
      groupFail('not_facilitator', `facilitator is ${facilitator?.id}, expected ${this.opts.expectedFacilitator}`);
    }
    this.used = true;
    wipeAll([this.privatePackage.initPrivateKey]);
    return session;
  }

  // ts-mls's joinGroup verifies the GroupInfo's signature by whichever leaf
  // it names, but does not say which; a member who made a commit of their
  // own (which the others refuse) could still sign a Welcome into that fork.
  // So the GroupInfo is opened here first and must be the facilitator's, for
  // this group.
  private async checkSigner(welcome: Parameters<typeof joinGroup>[0]) {
    const ref = await makeKeyPackageRef(this.publicPackage, this.cs.hash);
    const initKey = await this.cs.hpke.importPrivateKey(this.privatePackage.initPrivateKey);
    const secrets = await decryptGroupSecrets(initKey, ref, welcome, this.cs.hpke);
    if (!secrets) groupFail('undecryptable', 'the Welcome is not for this key package');
    try {
      if (secrets.psks.length > 0) groupFail('invalid', 'pre-shared keys are not used');
      const info = await decryptGroupInfo(welcome, secrets.joinerSecret, new Uint8Array(this.cs.kdf.size), this.cs);
      if (!info) groupFail('undecryptable', 'group info');
      if (!equal(info.groupContext.groupId, this.opts.groupId)) groupFail('wrong_group');
      if (info.signer !== FACILITATOR_LEAF) groupFail('not_facilitator', `Welcome signed by leaf ${info.signer}`);
    } finally {
      wipeAll([secrets.joinerSecret, ...(secrets.pathSecret ? [secrets.pathSecret] : [])]);
    }
  }
}
