// Who may change a group's membership, enforced by every member's client:
// the facilitator, whose leaf is always the first (they create the group),
// and nobody else. ts-mls calls the commit policy with the committer's leaf
// and every proposal the commit applies (inline, or by reference with the
// leaf that proposed it); a refusal leaves the member's state as it was.
import type { IncomingMessageCallback, Proposal, RatchetTree } from 'ts-mls';
import { MAX_MEMBERS } from './ciphersuite.js';
import { decodeGroupCredential } from './credential.js';
import { GroupError } from './errors.js';
import { leaves } from './roster.js';

export const FACILITATOR_LEAF = 0;

export interface PolicyVerdict {
  refusal?: GroupError;
}

function proposalRefusal(p: Proposal, proposer: number | undefined): GroupError | undefined {
  if (proposer !== FACILITATOR_LEAF) return new GroupError('not_facilitator', `${p.proposalType} proposed by ${proposer ?? 'a non-member'}`);
  switch (p.proposalType) {
    case 'add':
    case 'update':
      return undefined;
    case 'remove':
      return p.remove.removed === FACILITATOR_LEAF ? new GroupError('facilitator_count', 'removes the facilitator') : undefined;
    default:
      return new GroupError('proposal_not_allowed', String(p.proposalType));
  }
}

/**
 * The callback for ts-mls's processing: standalone proposals are refused
 * (the facilitator commits its changes inline); a commit is accepted only
 * from the facilitator's leaf, with add, remove and update proposals all
 * from the facilitator. The reason of a refusal is left in `verdict`.
 */
export function membershipPolicy(verdict: PolicyVerdict): IncomingMessageCallback {
  return (incoming) => {
    if (incoming.kind === 'proposal') {
      verdict.refusal = new GroupError('proposal_not_allowed', `standalone ${incoming.proposal.proposal.proposalType}`);
      return 'reject';
    }
    if (incoming.senderLeafIndex !== FACILITATOR_LEAF) {
      verdict.refusal = new GroupError('not_facilitator', `commit from ${incoming.senderLeafIndex ?? 'outside the group'}`);
      return 'reject';
    }
    for (const p of incoming.proposals) {
      const r = proposalRefusal(p.proposal, p.senderLeafIndex);
      if (r) {
        verdict.refusal = r;
        return 'reject';
      }
    }
    return 'accept';
  };
}

/**
 * What every tree a member accepts must satisfy: exactly one facilitator
 * credential, at FACILITATOR_LEAF, and at most MAX_MEMBERS leaves.
 */
export function treeRefusal(tree: RatchetTree): GroupError | undefined {
  const all = leaves(tree);
  if (all.length > MAX_MEMBERS) return new GroupError('group_full', `${all.length} members`);
  const facilitators = all.filter(({ node }) => decodeGroupCredential(node.credential).kind === 'facilitator').map((l) => l.leaf);
  if (facilitators.length !== 1 || facilitators[0] !== FACILITATOR_LEAF) {
    return new GroupError('facilitator_count', `facilitator leaves [${facilitators.join(',')}]`);
  }
  return undefined;
}
