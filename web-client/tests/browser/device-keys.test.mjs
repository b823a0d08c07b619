// The listener's device keys in real Chromium (docs/CRYPTO.md, "Keys in the
// browser"): IK and S are non-extractable WebCrypto keys in IndexedDB. A
// script running in the listener's page (what an injected script could do)
// tries every way to get their bytes and fails; the handshake still works
// through crypto.subtle; a device enrolled in the first format is migrated
// once, to the same key. The safety code's advice says to compare it outside
// the chat only.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as psc1 from '../../src/crypto/index.js';
import * as f from './flows.mjs';
import * as h from './harness.mjs';

const skip = h.skipReason();
let stack;
let browser;

before(async () => {
  if (skip) return;
  await psc1.ready();
  stack = await h.startStack({ listeners: ['dr.ames', 'dr.brown'] });
  await stack.publishRevocationList();
  browser = await h.launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/**
 * Runs in the page, as any script there could: reads every record of the
 * listener's IndexedDB and tries to get secret bytes out of it — exportKey
 * in every format and wrapKey for each CryptoKey, and decrypting every byte
 * field with every key that can decrypt. Returns what it saw and got.
 */
function raidIndexedDb() {
  return (async () => {
    const subtle = crypto.subtle;
    const db = await new Promise((res, rej) => {
      const r = indexedDB.open('peerline-listener');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const records = await new Promise((res, rej) => {
      const r = db.transaction('devices', 'readonly').objectStore('devices').getAll();
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    db.close();
    const keys = [];
    const byteFields = [];
    const walk = (v, path) => {
      if (v instanceof CryptoKey) keys.push({ path, key: v });
      else if (v instanceof Uint8Array || v instanceof ArrayBuffer) byteFields.push({ path, bytes: new Uint8Array(v) });
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    records.forEach((r, i) => walk(r, `record${i}`));
    const got = [];
    const kek = await subtle.generateKey({ name: 'AES-KW', length: 256 }, true, ['wrapKey']);
    for (const { path, key } of keys) {
      for (const format of ['pkcs8', 'jwk', 'raw', 'spki']) {
        try {
          await subtle.exportKey(format, key);
          if (key.type !== 'public') got.push(`${path} exported as ${format}`);
        } catch { /* refused, as it must be */ }
      }
      try {
        await subtle.wrapKey('pkcs8', key, kek, 'AES-KW');
        got.push(`${path} wrapped`);
      } catch { /* refused */ }
      if (key.usages.includes('decrypt')) {
        const iv = byteFields.find((b) => b.bytes.length === 12);
        for (const b of byteFields) {
          for (const additionalData of [undefined, ...byteFields.filter((x) => x.bytes.length === 32).map((x) => x.bytes)]) {
            try {
              const params = { name: key.algorithm.name, iv: iv?.bytes ?? new Uint8Array(12) };
              if (additionalData) params.additionalData = additionalData;
              const plain = await subtle.decrypt(params, key, b.bytes);
              got.push(`${b.path} decrypted with ${path}: ${plain.byteLength} bytes`);
            } catch { /* not this one */ }
          }
        }
      }
    }
    return {
      records: records.length,
      versions: records.map((r) => r.v ?? 1),
      keys: keys.map(({ path, key }) => ({ path, name: key.algorithm.name, type: key.type, extractable: key.extractable, usages: key.usages })),
      byteFields: byteFields.map((b) => ({ path: b.path, length: b.bytes.length })),
      got,
    };
  })();
}

test('no page script can read the listener’s keys, and the handshake uses them through WebCrypto', { skip }, async () => {
  const listener = await h.newPage(browser, stack, '/listener.html');
  await f.listenerSignIn(listener, 'dr.ames', h.PASSWORD);
  assert.match(await f.enrolDevice(listener), /Waiting for an administrator/);

  const raid = await listener.evaluate(raidIndexedDb);
  assert.deepEqual(raid.got, [], 'nothing secret came out');
  assert.equal(raid.records, 1);
  assert.deepEqual(raid.versions, [2]);
  const privates = raid.keys.filter((k) => k.type === 'private');
  assert.deepEqual(privates.map((k) => [k.name, k.extractable]).sort(), [['Ed25519', false], ['X25519', false]]);
  assert.ok(raid.keys.every((k) => k.type === 'private'), 'no other key is stored');
  // The only bytes stored are the two public keys (and later the certificate).
  assert.deepEqual(raid.byteFields.map((b) => b.length), [32, 32]);

  await stack.certifyPending('dr.ames');
  await f.waitCertified(listener);
  await f.goAvailable(listener);

  // A whole handshake: the listener's response is signed by the WebCrypto IK
  // and the keys derived with the WebCrypto S.
  const gp = await h.newPage(browser, stack, '/');
  await f.gpAsk(gp);
  await f.acceptOffer(listener);
  const est = await f.waitEstablished(gp, listener);
  assert.equal(est.handle, 'dr.ames');
  assert.equal(est.gpCode, est.listenerCode);

  // The advice next to the code: compare outside the chat only.
  const gpHint = await gp.locator('#safety .hint').textContent();
  const listenerHint = await listener.locator('.conv-panel:not([hidden]) .safety .hint').textContent();
  for (const hint of [gpHint, listenerHint]) {
    assert.match(hint, /only outside this chat/);
    assert.match(hint, /in person or on a phone call/);
    assert.doesNotMatch(hint, /read (it|theirs) to/);
  }
  const after = await listener.evaluate(raidIndexedDb);
  assert.deepEqual(after.got, []);
  assert.deepEqual(listener.problems, []);
  assert.deepEqual(gp.problems, []);
});

test('a device enrolled in the first format is migrated once, to the same key, and the old sealed copy is gone', { skip }, async () => {
  // dr.brown enrolled before this change: a raw identity, certified.
  const raw = psc1.generateListenerIdentity(new psc1.SystemRng());
  const token = await stack.login('dr.brown');
  const put = await stack.api('PUT', '/api/listener/enrolment',
    { token, body: { enrolment_request: Buffer.from(psc1.makeEnrolmentRequest(raw, 'dr.brown')).toString('base64url') } });
  assert.equal(put.status, 200, put.text);
  await stack.certifyPending('dr.brown');

  // Its browser holds the first format: the raw secrets sealed with AES-GCM
  // under a non-extractable wrapping key, as the old devicekeys.ts wrote them.
  const listener = await h.newPage(browser, stack, '/listener.html');
  await f.ready(listener);
  await listener.evaluate(async ({ secrets, identityPublic, signedPublic }) => {
    const wrappingKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ip = Uint8Array.from(identityPublic);
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: ip }, wrappingKey, Uint8Array.from(secrets)));
    const blob = { v: 1, iv, sealed, identityPublic: ip, signedPublic: Uint8Array.from(signedPublic), certificate: null };
    const db = await new Promise((res, rej) => {
      const r = indexedDB.open('peerline-listener', 1);
      r.onupgradeneeded = () => r.result.createObjectStore('devices', { keyPath: 'username' });
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    await new Promise((res, rej) => {
      const t = db.transaction('devices', 'readwrite');
      t.objectStore('devices').put({ username: 'dr.brown', wrappingKey, blob, enrolledMs: Date.now() });
      t.oncomplete = res;
      t.onerror = () => rej(t.error);
    });
    db.close();
  }, {
    secrets: [...raw.identitySecret, ...raw.signedSecret],
    identityPublic: [...raw.identityPublic], signedPublic: [...raw.signedPublic],
  });
  // Control: in the first format, a page script gets the secrets out.
  const old = await listener.evaluate(raidIndexedDb);
  assert.ok(old.got.some((g) => /decrypted .*: 96 bytes/.test(g)), `the first format gives up its secrets: ${JSON.stringify(old.got)}`);

  // Signing in loads (and so migrates) the identity; the console recognises
  // the certified key as this device's.
  await f.listenerSignIn(listener, 'dr.brown', h.PASSWORD);
  await listener.waitForFunction(() => /is certified by the organisation/.test(document.getElementById('device-state').textContent),
    null, { timeout: f.TIMEOUT });
  const raid = await listener.evaluate(raidIndexedDb);
  assert.deepEqual(raid.got, [], 'nothing secret comes out after the migration');
  assert.deepEqual(raid.versions, [2]);
  assert.ok(!raid.keys.some((k) => k.name === 'AES-GCM'), 'the wrapping key is gone');
  assert.ok(!raid.byteFields.some((b) => b.length > 32 && !b.path.endsWith('.certificate')), 'the sealed secrets are gone');

  // Same key: the stored IK signs, and the signature verifies under the
  // public key the device was certified for.
  const message = 'PSC1/test-only: a challenge';
  const sig = await listener.evaluate(async (m) => {
    const db = await new Promise((res) => { const r = indexedDB.open('peerline-listener'); r.onsuccess = () => res(r.result); });
    const rec = await new Promise((res) => { const r = db.transaction('devices').objectStore('devices').get('dr.brown'); r.onsuccess = () => res(r.result); });
    db.close();
    return [...new Uint8Array(await crypto.subtle.sign('Ed25519', rec.identityKey, new TextEncoder().encode(m)))];
  }, message);
  const sodium = (await import('libsodium-wrappers')).default;
  await sodium.ready;
  assert.ok(sodium.crypto_sign_verify_detached(Uint8Array.from(sig), new TextEncoder().encode(message), raw.identityPublic));
  assert.deepEqual(listener.problems, []);
});
