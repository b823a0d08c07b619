// The signed release of the web client in use (docs/CRYPTO.md §9):
// - `peerline verify-web` passes against the real server serving the signed
//   build, and the GP, listener and administrator pages show the release's
//   short fingerprint, the one `peerline org sign-release` printed;
// - against a server that lies — a plain Node static server on loopback
//   serving a copy of the build with one byte of the encryption code
//   changed, or a looser Content-Security-Policy, or a manifest re-signed by
//   another key — verify-web fails and names the first mismatch. The same
//   Node server serving the genuine files passes, so it is the lie that fails.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import * as h from './harness.mjs';

const skip = h.skipReason();
const MANIFEST = '.well-known/peerline-release.json';
let stack;
let browser;
let work;
const liars = [];

before(async () => {
  if (skip) return;
  stack = await h.startStack();
  browser = await h.launchBrowser();
  work = mkdtempSync(join(tmpdir(), 'peerline-release-'));
});

after(async () => {
  for (const s of liars) s.close();
  await browser?.close();
  await stack?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** "xxxx xxxx xxxx xxxx" of a manifest file, as docs/CRYPTO.md §9 defines it. */
function fingerprintOf(webRoot) {
  const hex = createHash('sha256').update(readFileSync(join(webRoot, MANIFEST))).digest('hex').slice(0, 16);
  return hex.match(/.{4}/g).join(' ');
}

/** Runs `peerline verify-web` without blocking this process (the lying servers live in it). */
function verifyWeb(baseUrl, ...extra) {
  return new Promise((res) => {
    execFile(h.PEERLINE, ['verify-web', baseUrl, '--org-public-key', h.orgKey().publicKey, ...extra],
      { encoding: 'utf8', timeout: 60000 }, (error, out, err) => res({ code: error ? error.code : 0, out, err }));
  });
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json' };

/** A static server on loopback serving `dir` under `csp`, as a dishonest operator might. */
async function lyingServer(dir, csp) {
  const server = http.createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path === '/') path = '/index.html';
    let body;
    try {
      body = readFileSync(join(dir, path));
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream', 'Content-Security-Policy': csp });
    res.end(body);
  });
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  liars.push(server);
  return `http://127.0.0.1:${server.address().port}`;
}

async function servedCsp() {
  return (await fetch(`${stack.baseUrl}/`)).headers.get('content-security-policy');
}

function copyOfBuild(name) {
  const dir = join(work, name);
  cpSync(stack.webRoot, dir, { recursive: true });
  return dir;
}

test('verify-web passes against the real server, and every page shows the signed release fingerprint', { skip }, async () => {
  const expected = fingerprintOf(stack.webRoot);
  const r = await verifyWeb(stack.baseUrl, '--expect-release', expected);
  assert.equal(r.code, 0, `verify-web failed:\n${r.out}\n${r.err}`);
  assert.match(r.out, new RegExp(`release:\\s+${expected}`));
  assert.match(r.out, /checked:\s+5 pages/); // "/" and the four pages

  for (const path of ['/', '/listener.html', '/admin.html', '/mentoring.html']) {
    const page = await h.newPage(browser, stack, path);
    await page.waitForFunction((fp) => document.getElementById('release-fingerprint')?.textContent === fp, expected,
      { timeout: 15000 });
    await page.close();
  }

  // A release other than the one expected is reported as such.
  const other = await verifyWeb(stack.baseUrl, '--expect-release', '0000 0000 0000 0000');
  assert.equal(other.code, 1);
  assert.match(other.err, new RegExp(`serves release ${expected}, not the expected 0000 0000 0000 0000`));
});

test('verify-web passes against another static server serving the genuine build under the genuine policy', { skip }, async () => {
  const url = await lyingServer(stack.webRoot, await servedCsp());
  const r = await verifyWeb(url);
  assert.equal(r.code, 0, `verify-web failed:\n${r.out}\n${r.err}`);
});

test('verify-web fails, naming the file, when one byte of the encryption code is changed', { skip }, async () => {
  const dir = copyOfBuild('tampered');
  const psc1 = readdirSync(join(dir, 'assets')).find((f) => f.startsWith('psc1-') && f.endsWith('.js'));
  assert.ok(psc1, 'the build has a psc1 chunk');
  const file = join(dir, 'assets', psc1);
  const bytes = readFileSync(file);
  bytes[100] ^= 0x01;
  writeFileSync(file, bytes);
  const r = await verifyWeb(await lyingServer(dir, await servedCsp()));
  assert.equal(r.code, 1, r.out);
  assert.match(r.err, new RegExp(`MISMATCH .*/assets/${psc1.replace(/[.-]/g, '\\$&')} \\(loaded by [^)]+\\) differs from the signed release`));
});

test('verify-web fails when the served Content-Security-Policy is not the signed one', { skip }, async () => {
  const loose = (await servedCsp()).replace("script-src 'self'", "script-src 'self' 'unsafe-inline'");
  const r = await verifyWeb(await lyingServer(stack.webRoot, loose));
  assert.equal(r.code, 1, r.out);
  assert.match(r.err, /is served with the Content-Security-Policy .*'unsafe-inline'.*, not the signed/);
});

test('verify-web fails when the manifest is signed by a key other than the organisation root', { skip }, async () => {
  // The rogue pins its own key in a copy of the build and signs it; the
  // harness root is what the auditor trusts.
  const dir = copyOfBuild('rogue-signed');
  const rogue = h.orgKey(join(work, 'rogue.key'));
  for (const f of readdirSync(join(dir, 'assets')).filter((n) => n.endsWith('.js'))) {
    const p = join(dir, 'assets', f);
    writeFileSync(p, readFileSync(p, 'utf8').replaceAll(h.orgKey().publicKey, rogue.publicKey));
  }
  h.signRelease(rogue.keyFile, dir);
  const r = await verifyWeb(await lyingServer(dir, await servedCsp()));
  assert.equal(r.code, 1, r.out);
  assert.match(r.err, /peerline-release\.json is refused \(wrong_root\)/);
});
