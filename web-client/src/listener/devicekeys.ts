// The listener's device identity in IndexedDB. The secrets are wrapped
// (AES-256-GCM) by a WebCrypto key created non-extractable
// (src/crypto/keystore.js); IndexedDB holds the CryptoKey object and the
// wrapped blob. One record per username on this device.
import * as psc1 from '../crypto/index.js';
import type { ListenerIdentityLike } from '../shared/conversation';

const DB = 'peerline-listener';
const STORE = 'devices';

interface DeviceRecord {
  username: string;
  wrappingKey: CryptoKey;
  blob: Awaited<ReturnType<typeof psc1.wrapIdentity>>;
  enrolledMs: number;
}

function open(): Promise<IDBDatabase> {
  return new Promise((res, rej) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: 'username' });
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
}

async function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((res, rej) => {
      const t = db.transaction(STORE, mode);
      const req = fn(t.objectStore(STORE));
      t.oncomplete = () => res(req.result);
      t.onerror = () => rej(t.error);
      t.onabort = () => rej(t.error);
    });
  } finally {
    db.close();
  }
}

/** The stored identity for `username`, unwrapped, or null if this device has none. */
export async function loadIdentity(username: string): Promise<ListenerIdentityLike | null> {
  const rec = (await tx<DeviceRecord | undefined>('readonly', (s) => s.get(username))) ?? null;
  if (!rec) return null;
  return (await psc1.unwrapIdentity(rec.wrappingKey, rec.blob)) as ListenerIdentityLike;
}

/** Generates a new identity, stores it wrapped, and returns it. */
export async function createIdentity(username: string): Promise<ListenerIdentityLike> {
  const id = psc1.generateListenerIdentity(new psc1.SystemRng()) as ListenerIdentityLike;
  const wrappingKey = await psc1.newWrappingKey();
  const blob = await psc1.wrapIdentity(wrappingKey, id);
  await tx('readwrite', (s) => s.put({ username, wrappingKey, blob, enrolledMs: Date.now() } satisfies DeviceRecord));
  return id;
}

/** Records the organisation's certificate next to the (public) identity key. */
export async function saveCertificate(username: string, certificate: Uint8Array): Promise<void> {
  const rec = await tx<DeviceRecord | undefined>('readonly', (s) => s.get(username));
  if (!rec) return;
  rec.blob = { ...rec.blob, certificate };
  await tx('readwrite', (s) => s.put(rec));
}
