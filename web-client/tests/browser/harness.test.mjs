// Tests of the harness itself and of the build it serves: if these fail,
// nothing else in tests/browser/ is meaningful.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as h from './harness.mjs';

const skip = h.skipReason();
let stack;

before(async () => {
  if (skip) return;
  stack = await h.startStack({ listeners: ['harness.listener'] });
});

after(async () => {
  await stack?.stop();
});

test('the server serves every built page with the CSP, and every script and stylesheet carries a valid sha384 integrity', { skip }, async () => {
  const pages = readdirSync(stack.webRoot).filter((f) => f.endsWith('.html')).map((f) => `/${f}`);
  assert.ok(pages.includes('/index.html'));
  for (const p of pages) {
    const r = await fetch(`${stack.baseUrl}${p}`);
    assert.equal(r.status, 200, `GET ${p}`);
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /script-src[^;]*'wasm-unsafe-eval'/, "libsodium's WebAssembly needs 'wasm-unsafe-eval' in script-src");
    assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
    const html = await r.text();
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, `${p} has an inline script`);
    assert.doesNotMatch(html, /<style\b/, `${p} has an inline style element`);
    const tags = html.match(/<(script|link)\b[^>]*(src|href)="\/assets\/[^"]+"[^>]*>/g) ?? [];
    assert.ok(tags.length >= 2, `${p} references its bundles`);
    for (const tag of tags) {
      const url = /(?:src|href)="([^"]+)"/.exec(tag)[1];
      const integrity = /integrity="sha384-([^"]+)"/.exec(tag)?.[1];
      assert.ok(integrity, `${url} has no integrity attribute`);
      const body = Buffer.from(await (await fetch(`${stack.baseUrl}${url}`)).arrayBuffer());
      assert.equal(createHash('sha384').update(body).digest('base64'), integrity, `${url} integrity`);
      assert.equal(createHash('sha384').update(readFileSync(join(stack.webRoot, url))).digest('base64'), integrity);
    }
  }
});

test('the pinned organisation key is the harness root key', { skip }, async () => {
  const org = h.orgKey();
  const html = await (await fetch(`${stack.baseUrl}/`)).text();
  const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  assert.ok(scripts.length >= 1);
  const code = (await Promise.all(scripts.map(async (u) => (await fetch(`${stack.baseUrl}${u}`)).text()))).join('\n');
  assert.ok(code.includes(org.publicKey), 'the GP page\'s scripts embed the pinned public key');
});

test('the harness sees Redis contents and MONITOR traffic', { skip }, async () => {
  const mon = await stack.redis.monitor();
  await stack.redis.command('SET', 'harness:probe', 'probe-value-123');
  await h.waitFor(() => mon.text().includes('probe-value-123'), 'MONITOR to show the SET');
  const dump = await stack.redis.dumpAll();
  assert.ok(dump.some((e) => e.key === 'harness:probe' && e.text.includes('probe-value-123')));
  assert.ok(dump.some((e) => e.text.includes('harness.listener')), 'the listener account is in Redis');
  await stack.redis.command('DEL', 'harness:probe');
  await mon.stop();
});

test('a listener made by the harness can log in through the API', { skip }, async () => {
  const token = await stack.login('harness.listener');
  const me = await stack.api('GET', '/api/me', { token });
  assert.equal(me.status, 200);
  assert.equal(me.body.role, 'listener');
});
