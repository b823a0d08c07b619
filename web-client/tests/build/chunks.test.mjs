// The build's chunks (vite.config.ts manualChunks): the dashboard shares the
// common modules (API, WebSocket, protocol, DOM helpers) with the other
// pages but must not load the GP/listener stylesheet or their shared chunk;
// the GP and listener pages do load it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const WEB_CLIENT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const out = mkdtempSync(join(tmpdir(), 'peerline-chunks-'));
after(() => rmSync(out, { recursive: true, force: true }));

/** The assets a built page loads: scripts, module preloads and stylesheets. */
function loads(page) {
  const html = readFileSync(join(out, page), 'utf8');
  return [...html.matchAll(/<(?:script|link)\b[^>]*\s(?:src|href)="\/assets\/([^"]+)"/g)].map((m) => m[1]);
}

test('the dashboard loads the common chunk but not the GP/listener stylesheet or shared chunk', () => {
  const r = spawnSync(process.execPath, [join(WEB_CLIENT, 'node_modules/vite/bin/vite.js'), 'build',
    '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: WEB_CLIENT, encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, VITE_PEERLINE_ORG_ROOT: Buffer.alloc(32, 7).toString('base64url') },
  });
  assert.equal(r.status, 0, `vite build failed:\n${r.stdout}\n${r.stderr}`);
  const admin = loads('admin.html');
  assert.ok(admin.some((f) => /^common-.*\.js$/.test(f)), `admin.html loads the common chunk: ${admin}`);
  assert.deepEqual(admin.filter((f) => f.endsWith('.css')).map((f) => f.replace(/-[^-]+$/, '')), ['admin'],
    `admin.html's only stylesheet is its own: ${admin}`);
  assert.ok(!admin.some((f) => f.startsWith('shared-')), `admin.html loads nothing of the shared chunk: ${admin}`);
  for (const page of ['index.html', 'listener.html']) {
    const files = loads(page);
    assert.ok(files.some((f) => /^shared-.*\.css$/.test(f)), `${page} loads the GP/listener stylesheet: ${files}`);
    assert.ok(files.some((f) => /^common-.*\.js$/.test(f)), `${page} loads the common chunk: ${files}`);
  }
});
