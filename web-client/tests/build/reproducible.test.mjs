// The web build is reproducible (docs/CRYPTO.md §9): two builds of the same
// sources with the same pinned root are byte-identical, file for file, even
// from a checkout at another path and into another output directory. That is
// what lets an auditor rebuild a signed release from its commit and compare
// it with what the organisation signed and the server serves.
// A build with another root must differ, so the comparison can fail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const WEB_CLIENT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ROOT_A = Buffer.alloc(32, 7).toString('base64url');
const ROOT_B = Buffer.alloc(32, 9).toString('base64url');
const work = mkdtempSync(join(tmpdir(), 'peerline-repro-'));
after(() => rmSync(work, { recursive: true, force: true }));

function build(sourceDir, outDir, root) {
  const r = spawnSync(process.execPath, [join(sourceDir, 'node_modules/vite/bin/vite.js'), 'build',
    '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: sourceDir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, VITE_PEERLINE_ORG_ROOT: root },
  });
  assert.equal(r.status, 0, `vite build failed:\n${r.stdout}\n${r.stderr}`);
  return outDir;
}

/** Relative path -> bytes of every file under `dir`. */
function tree(dir, base = dir, out = new Map()) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) tree(p, base, out);
    else out.set(relative(base, p), readFileSync(p));
  }
  return out;
}

function differences(a, b) {
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  return names.filter((n) => !a.has(n) || !b.has(n) || !a.get(n).equals(b.get(n)));
}

test('two builds of the same sources and root are byte-identical; another root is not', async () => {
  // A copy of the sources at another path (dependencies shared by a link).
  const copy = join(work, 'elsewhere', 'web-client');
  for (const f of readdirSync(WEB_CLIENT)) {
    if (f.endsWith('.html') || ['src', 'public', 'package.json', 'package-lock.json', 'tsconfig.json', 'vite.config.ts'].includes(f)) {
      cpSync(join(WEB_CLIENT, f), join(copy, f), { recursive: true });
    }
  }
  symlinkSync(join(WEB_CLIENT, 'node_modules'), join(copy, 'node_modules'));

  const first = tree(build(WEB_CLIENT, join(work, 'first'), ROOT_A));
  const second = tree(build(copy, join(work, 'second'), ROOT_A));
  assert.ok(first.size >= 4 && [...first.keys()].some((n) => n.endsWith('.js')), 'the build produced pages and scripts');
  assert.deepEqual(differences(first, second), [], 'files that differ between two builds');
  assert.ok(!existsSync(join(work, 'first', '.well-known')), 'the build itself is unsigned: signing comes after');

  const other = tree(build(WEB_CLIENT, join(work, 'other-root'), ROOT_B));
  assert.notDeepEqual(differences(first, other), [], 'a build with another pinned root must differ');
});
