// The mentoring modules the GP's page will use (relationship key, QR code,
// calendar, cards, planner) store nothing and reach no key store: only the
// mentor's notes (notes-*.ts) touch IndexedDB. The GP page's own rule is
// tests/shared/storage-rule.test.mjs; this keeps src/mentoring from becoming
// a way round it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { webClient } from './bundle.mjs';

const dir = join(webClient, 'src', 'mentoring');
const STORAGE = /\b(localStorage|sessionStorage|indexedDB|document\.cookie|caches\.open|cookieStore|fetch|XMLHttpRequest|WebSocket|sendBeacon)\b/;
const MENTOR_ONLY = /^notes-/;

test('GP-facing mentoring modules neither store nor send anything, nor import the mentor\'s notes or the key store', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.includes('relationship-key.ts') && files.includes('notes-store.ts'), 'the rule reads the right folder');
  const offenders = [];
  for (const f of files.filter((x) => !MENTOR_ONLY.test(x))) {
    const code = readFileSync(join(dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    if (STORAGE.test(code)) offenders.push(`${f} touches storage or the network`);
    if (/from\s+['"][./]*\/keystore\//.test(code)) offenders.push(`${f} imports keystore`);
    if (/from\s+['"]\.\/notes-/.test(code)) offenders.push(`${f} imports the mentor's notes`);
  }
  assert.deepEqual(offenders, []);
  assert.match(readFileSync(join(dir, 'notes-store.ts'), 'utf8'), /keystore\/idb/, 'the notes do use the key store');
});
