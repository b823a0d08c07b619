// The group layer's typed refusals (docs/CRYPTO.md, "Groups"). Incoming
// messages that are refused become a `rejected` event carrying one of these
// reasons; calls the room makes wrongly (or a Welcome that must not be
// joined) throw GroupError with one of them.

export const GROUP_ERROR_CODES = [
  // what processIncoming and join refuse
  'too_large',            // more than MAX_INCOMING_BYTES
  'malformed',            // not exactly one well-formed MLS message
  'wrong_wire_format',    // e.g. a public message (the only form of external commits and proposals)
  'wrong_group',          // for another group
  'stale_epoch',          // a handshake message for an epoch already left (a replay or reordering)
  'future_epoch',         // for an epoch this member has not reached (the room may retry it after the next commit)
  'replayed',             // an application message whose key was already used (or this member's own, echoed back)
  'own_commit',           // the facilitator's pending commit, echoed back (the service answers the sender instead)
  'undecryptable',        // does not decrypt or authenticate here
  'not_facilitator',      // a commit, or a proposal inside one, from any leaf but the facilitator's, or from outside the group
  'proposal_not_allowed', // a standalone proposal, or a proposal type the policy never allows
  'bad_credential',       // a credential that fails the Peerline check (detail: the PSC-1 code)
  'facilitator_count',    // the tree would not have exactly one facilitator, at its first leaf
  'group_full',           // more than MAX_MEMBERS
  'removed',              // this member is no longer in the group, or a late message's sender is not in it any more
  'bad_padding',          // an application message without its padding marker
  'invalid',              // refused by MLS itself (signature, confirmation tag, tree, lifetime)
  // what the room may do wrongly
  'not_allowed',          // a facilitator-only call on a member's session, or removing the facilitator
  'commit_pending',       // a second change while the delivery service has not answered the first
  'no_commit_pending',
  'message_too_large',    // more than MAX_MESSAGE_BYTES to encrypt
] as const;

export type GroupErrorCode = (typeof GROUP_ERROR_CODES)[number];

export class GroupError extends Error {
  readonly code: GroupErrorCode;
  readonly detail: string | undefined;
  constructor(code: GroupErrorCode, detail?: string) {
    super(detail ? `group: ${code} (${detail})` : `group: ${code}`);
    this.name = 'GroupError';
    this.code = code;
    this.detail = detail;
  }
}

export function groupFail(code: GroupErrorCode, detail?: string): never {
  throw new GroupError(code, detail);
}
