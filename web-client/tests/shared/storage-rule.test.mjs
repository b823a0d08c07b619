// The GP page's storage rule, checked in its source: only src/gp/continuity.ts
// may touch browser storage; the GP page, the GP's mentoring page
// (src/gp-mentoring, which keeps the relationship key in memory only) and
// the code they share store nothing (the browser tests check the same at run time).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
const STORAGE = /\b(localStorage|sessionStorage|indexedDB|document\.cookie|caches\.open|cookieStore)\b/;

test('only src/gp/continuity.ts touches browser storage in the GP pages (talking and mentoring) and the shared code', () => {
  const offenders = [];
  for (const dir of ['gp', 'gp-mentoring', 'shared', 'crypto']) {
    for (const f of readdirSync(join(src, dir))) {
      if (dir === 'gp' && f === 'continuity.ts') continue;
      // Code only: comments may talk about storage.
      const text = readFileSync(join(src, dir, f), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      if (STORAGE.test(text)) offenders.push(`${dir}/${f}`);
      // The staff pages' key store (src/keystore) must not reach the GP page either.
      if (/from\s+['"][./]*\/keystore\//.test(text)) offenders.push(`${dir}/${f} imports keystore`);
    }
  }
  assert.deepEqual(offenders, []);
  assert.match(readFileSync(join(src, 'gp', 'continuity.ts'), 'utf8'), /localStorage/, 'the rule checks the right thing');
});
