// The MLS credentials of a Peerline group, carried in MLS "basic"
// credentials' identity field (docs/CRYPTO.md, "Groups: credentials"):
//
//   facilitator: u8 1 | u8 0x20 | u8 cert_len | certificate | binding (64)
//     binding = Sign(IK, "PSC1/group-facilitator",
//                    u8 1 | u8 0x20 | group_id (16) | mls_signature_key (32) | certificate)
//   member:      u8 1 | u8 0x21 | member_id (16 random bytes, new each session)
//
// The certificate is the facilitator's org-signed PSC-1 certificate, checked
// exactly as a GP checks a listener (verifyListenerCertificate: pinned root,
// validity, revocation list, directory, role). Its identity key IK signs the
// binding, so only the device holding IK can make an MLS leaf that counts as
// the facilitator, and only for this group. A member's credential says nothing
// about who they are.
import type { Credential } from 'ts-mls';
import { verifyListenerCertificate } from '../crypto/certificate.js';
import type { ListenerCertificate, TrustAnchor } from '../crypto/certificate.js';
import * as C from '../crypto/constants.js';
import { E2eError } from '../crypto/errors.js';
import type { ListenerIdentity } from '../crypto/handshake.js';
import type { DeviceIdentity } from '../crypto/keystore.js';
import { signAsIdentity } from '../crypto/keystore.js';
import { concat, verify } from '../crypto/sodium.js';
import { GROUP_ID_BYTES } from './ciphersuite.js';
import { GroupError, groupFail } from './errors.js';

export const LABEL_GROUP_FACILITATOR = 'PSC1/group-facilitator';
export const STRUCT_FACILITATOR_CREDENTIAL = 0x20;
export const STRUCT_MEMBER_CREDENTIAL = 0x21;
export const MEMBER_ID_BYTES = 16;
const MLS_SIGNATURE_KEY_BYTES = 32;

/** The trust a member checks a facilitator against: a GP's TrustAnchor without the time. */
export type GroupTrust = Omit<TrustAnchor, 'now'>;
/** Unix seconds now; tests drive it. */
export type Clock = () => number | bigint;

/** A listener identity (raw, or a WebCrypto DeviceIdentity) holding its certificate. */
export type CertifiedIdentity = ListenerIdentity | DeviceIdentity;

export type GroupCredential =
  | { kind: 'facilitator'; certificate: Uint8Array; binding: Uint8Array }
  | { kind: 'member'; memberId: Uint8Array };

const header = (type: number) => Uint8Array.of(C.PROTOCOL_VERSION, type);

function bindingTbs(groupId: Uint8Array, mlsSignatureKey: Uint8Array, certificate: Uint8Array): Uint8Array {
  return concat(header(STRUCT_FACILITATOR_CREDENTIAL), groupId, mlsSignatureKey, certificate);
}

function checkSizes(groupId: Uint8Array, mlsSignatureKey: Uint8Array) {
  if (groupId.length !== GROUP_ID_BYTES || mlsSignatureKey.length !== MLS_SIGNATURE_KEY_BYTES) {
    groupFail('bad_credential', 'bad_length');
  }
}

/**
 * The facilitator's credential for `groupId`, binding the certified identity
 * to the MLS signature key `mlsSignatureKey` (Ed25519 public, 32 bytes).
 */
export async function makeFacilitatorCredential(
  identity: CertifiedIdentity, groupId: Uint8Array, mlsSignatureKey: Uint8Array,
): Promise<Credential> {
  checkSizes(groupId, mlsSignatureKey);
  const cert = identity.certificate;
  if (!cert || cert.length > C.MAX_CERT_BYTES) groupFail('bad_credential', 'no_certificate');
  const binding: Uint8Array = await signAsIdentity(identity, LABEL_GROUP_FACILITATOR, bindingTbs(groupId, mlsSignatureKey, cert));
  return { credentialType: 'basic', identity: concat(header(STRUCT_FACILITATOR_CREDENTIAL), Uint8Array.of(cert.length), cert, binding) };
}

/** A fresh anonymous member credential (a new random id every call). */
export function makeMemberCredential(): Credential {
  const id = globalThis.crypto.getRandomValues(new Uint8Array(MEMBER_ID_BYTES));
  return { credentialType: 'basic', identity: concat(header(STRUCT_MEMBER_CREDENTIAL), id) };
}

/** Strict decoding of a credential; throws GroupError('bad_credential'). */
export function decodeGroupCredential(credential: Credential): GroupCredential {
  if (credential.credentialType !== 'basic') groupFail('bad_credential', 'not_basic');
  const b = credential.identity;
  if (b.length < 2 || b[0] !== C.PROTOCOL_VERSION) groupFail('bad_credential', 'bad_version');
  if (b[1] === STRUCT_MEMBER_CREDENTIAL) {
    if (b.length !== 2 + MEMBER_ID_BYTES) groupFail('bad_credential', 'bad_length');
    return { kind: 'member', memberId: b.slice(2) };
  }
  if (b[1] !== STRUCT_FACILITATOR_CREDENTIAL) groupFail('bad_credential', 'bad_type');
  if (b.length < 3) groupFail('bad_credential', 'truncated');
  const certLen = b[2];
  if (certLen < C.MIN_CERT_BYTES || certLen > C.MAX_CERT_BYTES) groupFail('bad_credential', 'bad_length');
  if (b.length !== 3 + certLen + C.SIGNATURE_BYTES) groupFail('bad_credential', 'bad_length');
  return { kind: 'facilitator', certificate: b.slice(3, 3 + certLen), binding: b.slice(3 + certLen) };
}

/**
 * The member's whole check of a facilitator credential: the certificate as a
 * GP checks a listener's (at `now`, for `allowedRoles`), then the binding to
 * this group and this MLS signature key. Returns the certificate; throws
 * GroupError('bad_credential', <PSC-1 code or 'binding'>).
 */
export function verifyFacilitatorCredential(
  credential: Credential, mlsSignatureKey: Uint8Array, groupId: Uint8Array, trust: GroupTrust, now: number | bigint,
): ListenerCertificate {
  const c = decodeGroupCredential(credential);
  if (c.kind !== 'facilitator') groupFail('bad_credential', 'not_facilitator');
  checkSizes(groupId, mlsSignatureKey);
  let cert: ListenerCertificate;
  try {
    cert = verifyListenerCertificate(c.certificate, { ...trust, now });
  } catch (e) {
    if (e instanceof E2eError) throw new GroupError('bad_credential', (e as E2eError & { code: string }).code);
    throw e;
  }
  if (!verify(LABEL_GROUP_FACILITATOR, bindingTbs(groupId, mlsSignatureKey, c.certificate), c.binding, cert.identityKey)) {
    groupFail('bad_credential', 'binding');
  }
  return cert;
}
