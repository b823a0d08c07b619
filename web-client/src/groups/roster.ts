// Who is in the group, read from the MLS ratchet tree alone (never from
// anything the server says), and what changed between two trees.
import type { LeafNode, RatchetTree } from 'ts-mls';
import { decodeCertificate } from '../crypto/certificate.js';
import { toHex } from '../crypto/sodium.js';
import { decodeGroupCredential } from './credential.js';

export interface RosterEntry {
  /** The MLS leaf index. */
  leaf: number;
  role: 'facilitator' | 'member';
  /** Members: their per-session random id (hex); the facilitator: their certified handle. */
  id: string;
  /** This client's own leaf. */
  self: boolean;
}

/** The occupied leaves of `tree`, by leaf index. */
export function leaves(tree: RatchetTree): { leaf: number; node: LeafNode }[] {
  const out: { leaf: number; node: LeafNode }[] = [];
  for (let i = 0; i < tree.length; i += 2) {
    const n = tree[i];
    if (n?.nodeType === 'leaf') out.push({ leaf: i / 2, node: n.leaf });
  }
  return out;
}

/** The entry for one leaf (its credential was checked when it entered the tree). */
export function entryFor(leaf: number, node: LeafNode, selfLeaf: number): RosterEntry {
  const c = decodeGroupCredential(node.credential);
  const id = c.kind === 'member' ? toHex(c.memberId) as string : decodeCertificate(c.certificate).handle;
  return { leaf, role: c.kind, id, self: leaf === selfLeaf };
}

export function rosterOf(tree: RatchetTree, selfLeaf: number): RosterEntry[] {
  return leaves(tree).map(({ leaf, node }) => entryFor(leaf, node, selfLeaf));
}

/** Members in `after` and not in `before` (joined), and the reverse (left). */
export function rosterChanges(before: RosterEntry[], after: RosterEntry[]): { joined: RosterEntry[]; left: RosterEntry[] } {
  const key = (e: RosterEntry) => `${e.leaf}/${e.role}/${e.id}`;
  const had = new Set(before.map(key));
  const has = new Set(after.map(key));
  return { joined: after.filter((e) => !had.has(key(e))), left: before.filter((e) => !has.has(key(e))) };
}
