// Peerline's group encryption (MLS, RFC 9420, through ts-mls): the library
// the group room uses. docs/CRYPTO.md, "Groups", describes the protocol.
export { CIPHERSUITE, GROUP_ID_BYTES, MAX_INCOMING_BYTES, MAX_MEMBERS, MAX_MESSAGE_BYTES, PAD_BUCKETS } from './ciphersuite.js';
export { GROUP_ERROR_CODES, GroupError } from './errors.js';
export type { GroupErrorCode } from './errors.js';
export { decodeGroupCredential, makeFacilitatorCredential, makeMemberCredential, verifyFacilitatorCredential } from './credential.js';
export type { CertifiedIdentity, Clock, GroupTrust } from './credential.js';
export { FACILITATOR_LEAF } from './policy.js';
export type { RosterEntry } from './roster.js';
export { GroupSession } from './session.js';
export type { GroupEvent } from './session.js';
export { FacilitatorSession } from './facilitator.js';
export type { FacilitatorOptions, PendingChange } from './facilitator.js';
export { MemberCandidate, MemberSession } from './member.js';
export type { MemberOptions } from './member.js';
