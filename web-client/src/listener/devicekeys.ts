// The listener's device identity in IndexedDB: IK (Ed25519) and S (X25519)
// as non-extractable WebCrypto CryptoKeys (src/crypto/keystore.js), stored
// by structured clone next to their public halves and the certificate. No
// script can read the keys' bytes; the handshake signs and derives through
// crypto.subtle. One record per username on this device.
//
// Records of the first format (v1: the raw secrets sealed with AES-GCM under
// a non-extractable wrapping key, unwrapped into JavaScript at every login)
// are migrated once, at the first load: the secrets are imported as
// non-extractable keys, wiped, and the sealed copy is deleted with the
// record it was in.
import * as psc1 from '../crypto/index.js';
import type { ListenerIdentityLike } from '../shared/conversation';
import { objectStore } from '../keystore/idb';

const DB = 'peerline-listener';
const STORE = 'devices';

interface DeviceRecord {
  username: string;
  v: 2;
  identityKey: CryptoKey;
  signedKey: CryptoKey;
  identityPublic: Uint8Array;
  signedPublic: Uint8Array;
  certificate: Uint8Array | null;
  enrolledMs: number;
}

/** The first format, read only to migrate it. */
interface LegacyRecord {
  username: string;
  wrappingKey: CryptoKey;
  blob: { v: 1; iv: Uint8Array; sealed: Uint8Array; identityPublic: Uint8Array; signedPublic: Uint8Array; certificate: Uint8Array | null };
  enrolledMs: number;
}

const tx = objectStore(DB, STORE, 'username');

function identityOf(rec: DeviceRecord): ListenerIdentityLike {
  return {
    identityKey: rec.identityKey, signedKey: rec.signedKey,
    identityPublic: rec.identityPublic, signedPublic: rec.signedPublic, certificate: rec.certificate,
  };
}

function recordOf(username: string, id: ListenerIdentityLike, enrolledMs: number): DeviceRecord {
  return {
    username, v: 2, identityKey: id.identityKey, signedKey: id.signedKey,
    identityPublic: id.identityPublic, signedPublic: id.signedPublic, certificate: id.certificate, enrolledMs,
  };
}

/** v1 → v2, once: the raw secrets exist in this function only, then are wiped. */
async function migrate(rec: LegacyRecord): Promise<DeviceRecord> {
  const raw = await psc1.unwrapLegacyIdentity(rec.wrappingKey, rec.blob);
  const id = (await psc1.importDeviceIdentity(raw)) as ListenerIdentityLike;
  const next = recordOf(rec.username, id, rec.enrolledMs);
  // put() replaces the whole record: the sealed secrets and their wrapping key go with it.
  await tx('readwrite', (s) => s.put(next));
  return next;
}

/** The stored identity for `username`, or null if this device has none. */
export async function loadIdentity(username: string): Promise<ListenerIdentityLike | null> {
  const rec = (await tx<DeviceRecord | LegacyRecord | undefined>('readonly', (s) => s.get(username))) ?? null;
  if (!rec) return null;
  if ('v' in rec && rec.v === 2) return identityOf(rec);
  return identityOf(await migrate(rec as LegacyRecord));
}

/** Generates a new identity inside WebCrypto, stores it, and returns it. */
export async function createIdentity(username: string): Promise<ListenerIdentityLike> {
  const id = (await psc1.generateDeviceIdentity()) as ListenerIdentityLike;
  await tx('readwrite', (s) => s.put(recordOf(username, id, Date.now())));
  return id;
}

/** Records the organisation's certificate next to the (public) identity key. */
export async function saveCertificate(username: string, certificate: Uint8Array): Promise<void> {
  const rec = await tx<DeviceRecord | undefined>('readonly', (s) => s.get(username));
  if (!rec || rec.v !== 2) return;
  rec.certificate = certificate;
  await tx('readwrite', (s) => s.put(rec));
}
