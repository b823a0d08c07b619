// The administrator's revocation key in this browser (docs/CRYPTO.md §3.4):
// an Ed25519 WebCrypto key pair made non-extractable, so no script — the
// page's own included — can read the private key; IndexedDB keeps the
// CryptoKey objects, the root's delegation to this key, and the last list
// this browser signed (its own record of every revocation, so a server that
// hands back an older list cannot make it forget one).
import { b64urlEncode } from '../shared/b64';
import { objectStore } from '../keystore/idb';

const DB = 'peerline-admin';
const STORE = 'revocation-key';
const ID = 'current';

export interface RevocationKeyRecord {
  id: typeof ID;
  keys: CryptoKeyPair;
  publicKey: Uint8Array; // raw, 32 bytes
  delegation: string | null; // base64url, once uploaded
  lastList: string | null; // base64url, the last list signed here
  createdMs: number;
}

const tx = objectStore(DB, STORE, 'id');

export async function loadRevocationKey(): Promise<RevocationKeyRecord | null> {
  return (await tx<RevocationKeyRecord | undefined>('readonly', (s) => s.get(ID))) ?? null;
}

export async function saveRevocationKey(rec: RevocationKeyRecord): Promise<void> {
  await tx('readwrite', (s) => s.put(rec));
}

/** A new non-extractable Ed25519 key pair, stored (replacing any earlier one). */
export async function createRevocationKey(): Promise<RevocationKeyRecord> {
  const keys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey));
  const rec: RevocationKeyRecord = { id: ID, keys, publicKey, delegation: null, lastList: null, createdMs: Date.now() };
  await saveRevocationKey(rec);
  return rec;
}

/** Ed25519 signature of `bytes` with the stored private key (64 bytes). */
export async function signWith(rec: RevocationKeyRecord, bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, rec.keys.privateKey, bytes as Uint8Array<ArrayBuffer>));
}

export const publicKeyText = (rec: RevocationKeyRecord): string => b64urlEncode(rec.publicKey);
