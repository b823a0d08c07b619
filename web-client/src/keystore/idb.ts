// One object store of an IndexedDB database (version 1), for the few records
// a page keeps in this browser: the listener's device keys, the
// administrator's revocation key. The database is opened for each
// transaction and closed after it; these stores are read a few times a
// session, so nothing holds a connection open (which would block a version
// change from another tab). Its own chunk (vite.config.ts): the dashboard
// uses it without loading the GP and listener pages' stylesheet. It lives
// outside src/shared because the GP page stores nothing but its continuity
// code (tests/shared/storage-rule.test.mjs checks both).

export type StoreTransaction = <T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>) => Promise<T>;

/** A function that runs one request on `storeName` in its own transaction and resolves when that commits. */
export function objectStore(dbName: string, storeName: string, keyPath: string): StoreTransaction {
  const open = () => new Promise<IDBDatabase>((res, rej) => {
    const r = indexedDB.open(dbName, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(storeName, { keyPath });
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  return async <T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const db = await open();
    try {
      return await new Promise<T>((res, rej) => {
        const t = db.transaction(storeName, mode);
        const req = fn(t.objectStore(storeName));
        t.oncomplete = () => res(req.result);
        t.onerror = () => rej(t.error);
        t.onabort = () => rej(t.error);
      });
    } finally {
      db.close();
    }
  };
}
