// The mentor's notes on the device (src/mentoring/notes-store.ts) in real
// headless Chromium: IndexedDB holds only ciphertext and a non-extractable
// key, a note survives a reload, and an export moves the notes to another
// "device" (a fresh browser context) where the first device's records do not
// open. The page is the bundled module served from 127.0.0.1 (a secure
// context); no Peerline server is needed for this layer.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { CHROMIUM, launchBrowser } from '../browser/harness.mjs';
import { webClient } from './bundle.mjs';

const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing`;
const CANARY = 'CANARY-b41c: thinking of leaving the partnership';
const PASS = 'plough lantern october kettle';
const COST = { t: 2, m: 19_456, p: 1 };

let server;
let origin;
let browser;

before(async () => {
  if (skip) return;
  const out = join(webClient, 'test-output', 'mentoring-notes-store-page.js');
  await build({
    stdin: { contents: "import * as S from './src/mentoring/notes-store.ts'; globalThis.S = S;", resolveDir: webClient, loader: 'ts' },
    bundle: true, format: 'esm', platform: 'browser', outfile: out, logLevel: 'error',
  });
  const js = readFileSync(out);
  server = createServer((req, res) => {
    if (req.url === '/notes.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><title>notes</title><script type="module" src="/notes.js"></script>');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r()));
});

/** A fresh context ("a device") with the module loaded; page errors collected. */
async function device() {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(e.message));
  await page.goto(origin);
  await page.waitForFunction(() => globalThis.S !== undefined, null, { timeout: 10_000 });
  return { context, page };
}

/** Every IndexedDB record of the notes database, as the page's own script can read it. */
const rawRecords = (page) => page.evaluate(() => new Promise((res, rej) => {
  const r = indexedDB.open('peerline-mentor-notes', 1);
  r.onerror = () => rej(r.error);
  r.onsuccess = () => {
    const all = r.result.transaction('records').objectStore('records').getAll();
    all.onsuccess = async () => {
      const out = [];
      for (const rec of all.result) {
        if (rec.key instanceof CryptoKey) {
          let exported = 'refused';
          try { await crypto.subtle.exportKey('raw', rec.key); exported = 'EXPORTED'; } catch { /* expected */ }
          out.push({ id: rec.id, extractable: rec.key.extractable, algorithm: rec.key.algorithm.name, exported });
        } else {
          out.push({ id: rec.id, relationshipId: rec.relationshipId, iv: [...rec.sealed.iv], ct: [...rec.sealed.ct] });
        }
      }
      r.result.close();
      res(out);
    };
  };
}));

test('IndexedDB holds only ciphertext and a key no script can export; a note survives a reload', { skip, timeout: 120_000 }, async () => {
  const a = await device();
  try {
    await a.page.evaluate(([t]) => globalThis.S.saveNote('rel-1', { text: t, updatedMs: 1_790_000_000_000 }), [CANARY]);
    const records = await rawRecords(a.page);
    const key = records.find((r) => r.id === 'device-key');
    assert.deepEqual(key, { id: 'device-key', extractable: false, algorithm: 'AES-GCM', exported: 'refused' });
    const note = records.find((r) => r.id === 'note:rel-1');
    assert.ok(note && note.ct.length > CANARY.length);
    assert.ok(!Buffer.from(note.ct).toString('latin1').includes('CANARY'), 'no plaintext stored');
    assert.ok(!JSON.stringify(records).includes('CANARY'));
    await a.page.reload();
    await a.page.waitForFunction(() => globalThis.S !== undefined);
    assert.deepEqual(await a.page.evaluate(() => globalThis.S.loadNote('rel-1')), { text: CANARY, updatedMs: 1_790_000_000_000 });
    assert.equal(await a.page.evaluate(() => globalThis.S.loadNote('rel-unknown')), null);
    assert.deepEqual(a.page.problems, []);
  } finally {
    await a.context.close();
  }
});

test('an export moves the notes to another device; the old device\'s records do not open there', { skip, timeout: 300_000 }, async () => {
  const a = await device();
  const b = await device();
  try {
    await a.page.evaluate(async ([t]) => {
      await globalThis.S.saveNote('rel-1', { text: t, updatedMs: 2000 });
      await globalThis.S.saveNote('rel-2', { text: 'second mentee, older on A', updatedMs: 1000 });
    }, [CANARY]);
    const file = await a.page.evaluate(([p, c]) => globalThis.S.exportAll(p, c), [PASS, COST]);
    // The file's text, and its ciphertext decoded from base64 (the text alone could not show plaintext in ct).
    assert.ok(!file.includes('CANARY'));
    const ct = Buffer.from(JSON.parse(file).ct, 'base64');
    assert.ok(ct.length > CANARY.length);
    assert.ok(!ct.toString('latin1').includes('CANARY'), 'no plaintext in the exported ciphertext');
    // Device B already has a newer note for rel-2; A's older one must not replace it.
    await b.page.evaluate(() => globalThis.S.saveNote('rel-2', { text: 'newer on B', updatedMs: 5000 }));
    const wrong = await b.page.evaluate(([f]) => globalThis.S.importAll(f, 'not the passphrase').then(() => 'accepted', (e) => e.code), [file]);
    assert.equal(wrong, 'wrong_passphrase');
    assert.deepEqual(await b.page.evaluate(([f, p]) => globalThis.S.importAll(f, p), [file, PASS]), { added: 1, replaced: 0, kept: 1 });
    const listed = await b.page.evaluate(() => globalThis.S.listNotes());
    assert.deepEqual(listed.sort((x, y) => x.relationshipId.localeCompare(y.relationshipId)), [
      { relationshipId: 'rel-1', note: { text: CANARY, updatedMs: 2000 } },
      { relationshipId: 'rel-2', note: { text: 'newer on B', updatedMs: 5000 } },
    ]);
    // A's sealed record copied into B's database as it is: B's key does not open it.
    const aRecord = (await rawRecords(a.page)).find((r) => r.id === 'note:rel-1');
    const opened = await b.page.evaluate(async ([rec]) => {
      const key = await globalThis.S.deviceNotesKey();
      try {
        await crypto.subtle.decrypt({ name: 'AES-GCM', iv: new Uint8Array(rec.iv),
          additionalData: new TextEncoder().encode('PLM1/mentor-note\nrel-1') }, key, new Uint8Array(rec.ct));
        return 'opened';
      } catch {
        return 'refused';
      }
    }, [aRecord]);
    assert.equal(opened, 'refused');
    await b.page.evaluate(() => globalThis.S.forgetAll());
    assert.deepEqual(await rawRecords(b.page), []);
    assert.deepEqual([...a.page.problems, ...b.page.problems], []);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
