// The real-browser test harness (docs/WEB-CLIENT.md, "Tests").
//
// Everything is real: a Debian `redis-server` on a free loopback port in a
// temporary directory, the `peerline` server binary serving the built web
// client, the `peerline admin` and `peerline org` commands, and headless
// Chromium driven by playwright-core. Nothing is mocked.
//
//   import * as h from './harness.mjs';
//   const stack = await h.startStack({ serverArgs: ['--offer-timeout-ms', '3000'] });
//   const listener = await stack.createListener('dr.ames');   // account + always-on shift
//   const browser = await h.launchBrowser();
//   const page = await h.newPage(browser, stack, '/listener.html');
//   ...
//   await h.screenshot(page, 'listener-console');
//   await browser.close(); await stack.stop();
//
// The web client is built once (into test-output/dist, rebuilt only when its
// sources change) with the harness's organisation root key pinned: that key
// lives in test-output/org-root.key, made by `peerline org keygen`. Test
// files run in separate processes (node --test), so the build takes a lock.
// Each build is signed with its root (`peerline org sign-release`): the
// server refuses a web root that does not match a release signed by the root
// it knows, which is --org-public-key (the harness key unless a test gives
// its own) or, in demo mode, the demo root key (opts.demoOrgKey).
//
// Environment: PEERLINE_BINARY (default <repo>/build/server/peerline),
// PEERLINE_KEEP_TEST_DIRS=1 keeps each stack's temp dir (logs, Redis dir).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync,
  rmSync, statSync, writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const WEB_CLIENT = resolve(here, '../..');
export const REPO = resolve(WEB_CLIENT, '..');
export const PEERLINE = process.env.PEERLINE_BINARY || join(REPO, 'build/server/peerline');
export const OUTPUT = join(WEB_CLIENT, 'test-output');
export const SCREENSHOTS = join(OUTPUT, 'screenshots');
export const DIST = join(OUTPUT, 'dist');
export const CHROMIUM = '/usr/bin/chromium';
export const REDIS_SERVER = '/usr/bin/redis-server';
export const REDIS_CLI = '/usr/bin/redis-cli';
export const ORG_KEY_FILE = join(OUTPUT, 'org-root.key');
/** Password for every account the harness makes (the server wants >= 12 characters). */
export const PASSWORD = 'correct horse battery staple';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Why the browser tests cannot run here, or false. Tests pass this to
 * `test(name, { skip: h.skipReason() }, fn)` so a machine without Chromium
 * reports a skip, never a pass.
 */
export function skipReason() {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium)`;
  if (!existsSync(REDIS_SERVER)) return `${REDIS_SERVER} is missing`;
  if (!existsSync(PEERLINE)) return `no peerline binary at ${PEERLINE} (build it, or set PEERLINE_BINARY)`;
  return false; // not null: node 20's test runner skips on any value but undefined and false
}

// --- child processes ----------------------------------------------------------

const children = new Set();
process.on('exit', () => {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* gone */ }
  }
});

/** Spawns `argv`, output to `logFile`; the child is killed if this process exits. */
function startChild(argv, logFile, opts = {}) {
  const out = openSync(logFile, 'a');
  const env = { ...process.env, ...(opts.env ?? {}) };
  for (const k of Object.keys(env)) if (k.startsWith('PEERLINE_') && !(opts.env && k in opts.env)) delete env[k];
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', out, out], env, cwd: opts.cwd });
  closeSync(out);
  children.add(child);
  child.exited = new Promise((res) => child.once('exit', (code, signal) => {
    children.delete(child);
    res({ code, signal });
  }));
  return child;
}

async function stopChild(child, graceMs = 5000) {
  if (!children.has(child)) return child.exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const r = await child.exited;
  clearTimeout(timer);
  return r;
}

/** Runs a command to completion; throws with its output if it fails. */
export function run(argv, { input, cwd, env } = {}) {
  const envAll = { ...process.env, ...(env ?? {}) };
  const r = spawnSync(argv[0], argv.slice(1), { input, cwd, env: envAll, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns something truthy; throws `what` after `timeoutMs`. */
export async function waitFor(fn, what, timeoutMs = 15000, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    await sleep(everyMs);
  }
}

// --- Redis --------------------------------------------------------------------

function encodeCommand(args) {
  const parts = [`*${args.length}\r\n`];
  for (const a of args) {
    const b = Buffer.from(String(a));
    parts.push(`$${b.length}\r\n`, b, '\r\n');
  }
  return Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));
}

/** Parses one RESP reply at `buf[pos]`; returns [value, next] or null if incomplete. */
function parseReply(buf, pos) {
  const eol = buf.indexOf('\r\n', pos);
  if (eol < 0) return null;
  const kind = String.fromCharCode(buf[pos]);
  const line = buf.toString('utf8', pos + 1, eol);
  const next = eol + 2;
  switch (kind) {
    case '+': return [line, next];
    case '-': return [new Error(line), next];
    case ':': return [Number(line), next];
    case '$': {
      const n = Number(line);
      if (n < 0) return [null, next];
      if (buf.length < next + n + 2) return null;
      return [buf.subarray(next, next + n), next + n + 2];
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return [null, next];
      const out = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, p);
        if (!r) return null;
        out.push(r[0]);
        p = r[1];
      }
      return [out, p];
    }
    default: throw new Error(`unexpected RESP byte ${kind}`);
  }
}

/** A minimal Redis client for test assertions (one command at a time). */
export class RedisClient {
  static async connect(port) {
    const sock = net.connect(port, '127.0.0.1');
    await new Promise((res, rej) => { sock.once('connect', res); sock.once('error', rej); });
    return new RedisClient(sock);
  }

  constructor(sock) {
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    this.waiting = [];
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        if (!this.waiting.length) break;
        const r = parseReply(this.buf, 0);
        if (!r) break;
        this.buf = this.buf.subarray(r[1]);
        const w = this.waiting.shift();
        if (r[0] instanceof Error) w.rej(r[0]); else w.res(r[0]);
      }
    });
    sock.on('error', (e) => { for (const w of this.waiting.splice(0)) w.rej(e); });
  }

  /** Sends one command; bulk strings come back as Buffers. */
  command(...args) {
    return new Promise((res, rej) => {
      this.waiting.push({ res, rej });
      this.sock.write(encodeCommand(args));
    });
  }

  close() {
    this.sock.destroy();
  }
}

export class RedisServer {
  /** Starts redis-server on a free port with no persistence, in `dir`. */
  static async start(dir) {
    mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const log = join(dir, 'redis.log');
    const child = startChild([REDIS_SERVER, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
      '--save', '', '--appendonly', 'no', '--daemonize', 'no'], log);
    const r = new RedisServer(child, port, dir, log);
    await waitFor(async () => {
      if (!children.has(child)) throw new Error(`redis-server exited:\n${readFileSync(log, 'utf8')}`);
      const c = await RedisClient.connect(port);
      try { return (await c.command('PING')) === 'PONG'; } finally { c.close(); }
    }, `redis-server on port ${port}`, 10000);
    r.client = await RedisClient.connect(port);
    return r;
  }

  constructor(child, port, dir, log) {
    Object.assign(this, { child, port, dir, log });
    this.url = `redis://127.0.0.1:${port}`;
  }

  command(...args) {
    return this.client.command(...args);
  }

  /**
   * Every key and every value, as text (for "the canary is nowhere" checks):
   * [{key, type, text}] where text joins the key and all its contents.
   */
  async dumpAll() {
    const out = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.command('SCAN', cursor, 'COUNT', '1000');
      cursor = next.toString();
      for (const kb of keys) {
        const key = kb.toString('latin1');
        const type = await this.command('TYPE', key);
        let v;
        switch (type) {
          case 'string': v = await this.command('GET', key); break;
          case 'hash': v = await this.command('HGETALL', key); break;
          case 'list': v = await this.command('LRANGE', key, '0', '-1'); break;
          case 'set': v = await this.command('SMEMBERS', key); break;
          case 'zset': v = await this.command('ZRANGE', key, '0', '-1', 'WITHSCORES'); break;
          case 'stream': v = await this.command('XRANGE', key, '-', '+'); break;
          default: v = null;
        }
        const flat = (x) => (x == null ? '' : Array.isArray(x) ? x.map(flat).join('\n') : Buffer.isBuffer(x) ? x.toString('latin1') : String(x));
        out.push({ key, type, text: `${key}\n${flat(v)}` });
      }
    } while (cursor !== '0');
    return out;
  }

  /**
   * Starts `redis-cli MONITOR` (a real child process) and returns
   * {text(): everything seen so far, stop()}.
   */
  async monitor() {
    const file = join(this.dir, `monitor-${Date.now()}.log`);
    const child = startChild([REDIS_CLI, '-p', String(this.port), 'MONITOR'], file);
    await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').includes('OK'), 'redis-cli MONITOR to start', 10000);
    return {
      file,
      text: () => readFileSync(file, 'latin1'),
      stop: async () => { await stopChild(child, 2000); return readFileSync(file, 'latin1'); },
    };
  }

  async stop() {
    this.client?.close();
    await stopChild(this.child);
  }
}

// --- the organisation root key and the web client build ----------------------

/** Runs `peerline org show --key FILE`: {publicKey, fingerprint}. */
export function orgShow(keyFile) {
  const text = run([PEERLINE, 'org', 'show', '--key', keyFile]);
  const publicKey = /public key:\s+(\S+)/.exec(text)?.[1];
  const fingerprint = /fingerprint:\s+(.+)/.exec(text)?.[1].trim();
  if (!publicKey || !fingerprint) throw new Error(`unexpected output of peerline org show:\n${text}`);
  return { keyFile, publicKey, fingerprint };
}

/** Creates a root key file with `peerline org keygen` (if missing) and shows it. */
export function orgKey(keyFile = ORG_KEY_FILE) {
  mkdirSync(dirname(keyFile), { recursive: true });
  if (!existsSync(keyFile)) run([PEERLINE, 'org', 'keygen', '--key', keyFile]);
  return orgShow(keyFile);
}

/** `peerline org sign-release`: returns the release fingerprint it printed. */
export function signRelease(keyFile, webRoot) {
  const text = run([PEERLINE, 'org', 'sign-release', '--key', keyFile, '--web-root', webRoot]);
  const fingerprint = /release:\s+(.+)/.exec(text)?.[1].trim();
  if (!fingerprint) throw new Error(`unexpected output of peerline org sign-release:\n${text}`);
  return fingerprint;
}

/** Arguments that tell a server which root signed its web root (see the top). */
function rootArgs(opts) {
  if (opts.demo || (opts.serverArgs ?? []).includes('--org-public-key')) return [];
  return ['--org-public-key', orgKey().publicKey];
}

function filesUnder(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) filesUnder(p, out); else out.push(p);
  }
  return out;
}

function sourceStamp(publicKey) {
  const h = createHash('sha256').update(publicKey);
  const files = [
    ...readdirSync(WEB_CLIENT).filter((f) => f.endsWith('.html')).map((f) => join(WEB_CLIENT, f)),
    join(WEB_CLIENT, 'vite.config.ts'), join(WEB_CLIENT, 'package-lock.json'), join(WEB_CLIENT, 'tsconfig.json'),
    ...filesUnder(join(WEB_CLIENT, 'src')),
    ...(existsSync(join(WEB_CLIENT, 'public')) ? filesUnder(join(WEB_CLIENT, 'public')) : []),
  ].filter((f) => existsSync(f)).sort();
  for (const f of files) h.update(f).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

async function withLock(lockDir, fn) {
  const deadline = Date.now() + 300000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let pid = 0;
      try { pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8')); } catch { /* being written */ }
      let alive = true;
      if (pid) { try { process.kill(pid, 0); } catch { alive = false; } }
      const old = Date.now() - statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs > 600000;
      if (!alive || old) rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`lock ${lockDir} held by ${pid} for too long`);
      else await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Builds the web client with `org` pinned (default: the harness key) into
 * `outDir` and signs the release with `org`'s key file, unless an identical
 * signed build is already there. Returns outDir.
 */
export async function buildWebClient({ org = orgKey(), outDir = DIST } = {}) {
  mkdirSync(OUTPUT, { recursive: true });
  return withLock(join(OUTPUT, '.build-lock'), async () => {
    const stamp = sourceStamp(org.publicKey);
    // Beside the build, not in it: every file in a web root must be signed.
    const stampFile = `${outDir}.build-stamp`;
    if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return outDir;
    const r = spawnSync(process.execPath, [join(WEB_CLIENT, 'node_modules/vite/bin/vite.js'), 'build',
      '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: WEB_CLIENT, encoding: 'utf8', env: { ...process.env, VITE_PEERLINE_ORG_ROOT: org.publicKey },
    });
    if (r.status !== 0) throw new Error(`web client build failed:\n${r.stdout}\n${r.stderr}`);
    signRelease(org.keyFile, outDir);
    writeFileSync(stampFile, stamp);
    return outDir;
  });
}

// --- the Peerline server ------------------------------------------------------

/**
 * A running stack: Redis + one `peerline serve` + helpers.
 * opts.serverArgs: extra `serve` options (e.g. ['--offer-timeout-ms','3000']).
 * opts.demo: start with --demo; opts.demoOrgKey: its --demo-org-key file.
 * opts.webRoot: a built web client (default: buildWebClient()).
 * opts.listeners / opts.admins: usernames to create (listeners with an
 * always-on shift) before the server starts; password PASSWORD.
 */
export async function startStack(opts = {}) {
  const why = skipReason();
  if (why) throw new Error(why);
  const dir = mkdtempSync(join(tmpdir(), 'peerline-browser-'));
  const redis = await RedisServer.start(join(dir, 'redis'));
  const webRoot = opts.webRoot ?? await buildWebClient();
  const stack = new Stack(dir, redis, webRoot, opts);
  try {
    // Accounts and shifts made before the server starts are in the rota it
    // loads at start (later ones arrive by a rota-change broadcast).
    for (const u of opts.listeners ?? []) await stack.createListener(u);
    for (const u of opts.admins ?? []) await stack.createAdmin(u);
    await stack.startServer();
  } catch (e) {
    await stack.stop();
    throw e;
  }
  return stack;
}

export class Stack {
  constructor(dir, redis, webRoot, opts) {
    Object.assign(this, { dir, redis, webRoot, opts });
    this.dataDir = join(dir, 'data');
    this.serverLogFile = join(dir, 'server.log');
    mkdirSync(this.dataDir, { recursive: true });
    this.adminToken = null;
  }

  /** Starts `peerline serve` (again, after stopServer(): same port if it was known). */
  async startServer() {
    this.port ??= await freePort();
    const argv = [PEERLINE, 'serve', '--bind', '127.0.0.1', '--port', String(this.port), '--redis', this.redis.url,
      '--data-dir', this.dataDir, '--password-hash-cost', 'minimum', '--web-root', this.webRoot];
    if (this.opts.demo) argv.push('--demo');
    if (this.opts.demoOrgKey) argv.push('--demo-org-key', this.opts.demoOrgKey);
    argv.push(...rootArgs(this.opts), ...(this.opts.serverArgs ?? []));
    this.server = startChild(argv, this.serverLogFile);
    this.baseUrl = `http://127.0.0.1:${this.port}`;
    await waitFor(async () => {
      if (!children.has(this.server)) throw new Error(`peerline serve exited:\n${this.serverLog().slice(-4000)}`);
      const r = await fetch(`${this.baseUrl}/readyz`);
      return r.status === 200;
    }, `peerline serve on ${this.baseUrl} to be ready`, 20000);
  }

  /**
   * Another `peerline serve` node on the same Redis (nodes share queue,
   * presence and routing), with its own web root and options:
   * {webRoot, demo, demoOrgKey, serverArgs}. Returns {baseUrl, log(), stop()}.
   */
  async startNode(opts = {}) {
    const port = await freePort();
    const n = (this.nodes ?? []).length + 2;
    const logFile = join(this.dir, `server-${n}.log`);
    const dataDir = join(this.dir, `data-${n}`);
    mkdirSync(dataDir, { recursive: true });
    const argv = [PEERLINE, 'serve', '--bind', '127.0.0.1', '--port', String(port), '--redis', this.redis.url,
      '--data-dir', dataDir, '--password-hash-cost', 'minimum', '--web-root', opts.webRoot ?? this.webRoot];
    if (opts.demo) argv.push('--demo');
    if (opts.demoOrgKey) argv.push('--demo-org-key', opts.demoOrgKey);
    argv.push(...rootArgs(opts), ...(opts.serverArgs ?? []));
    const child = startChild(argv, logFile);
    const node = {
      baseUrl: `http://127.0.0.1:${port}`,
      log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
      stop: () => stopChild(child),
    };
    this.nodes = [...(this.nodes ?? []), node];
    await waitFor(async () => {
      if (!children.has(child)) throw new Error(`peerline serve (node ${n}) exited:\n${node.log().slice(-4000)}`);
      return (await fetch(`${node.baseUrl}/readyz`)).status === 200;
    }, `node ${n} on ${node.baseUrl} to be ready`, 20000);
    return node;
  }

  /** Everything every server node has logged. */
  allServerLogs() {
    return [this.serverLog(), ...(this.nodes ?? []).map((n) => n.log())].join('\n');
  }

  async stopServer() {
    if (this.server) await stopChild(this.server);
    this.server = null;
  }

  /** Everything the server has logged (stderr and stdout). */
  serverLog() {
    return existsSync(this.serverLogFile) ? readFileSync(this.serverLogFile, 'utf8') : '';
  }

  /** `peerline admin ...` against this stack's Redis. */
  adminCli(args, input) {
    return run([PEERLINE, 'admin', '--redis', this.redis.url, '--password-hash-cost', 'minimum', ...args], { input });
  }

  /** A listener account with an always-on shift; returns {username, password}. */
  async createListener(username, { shift = true } = {}) {
    this.adminCli(['create-listener', username, '--password-stdin'], `${PASSWORD}\n`);
    if (shift) this.adminCli(['add-shift', username, '--always']);
    return { username, password: PASSWORD };
  }

  async createAdmin(username) {
    this.adminCli(['create-admin', username, '--password-stdin'], `${PASSWORD}\n`);
    return { username, password: PASSWORD };
  }

  /** fetch() against the server: JSON in/out, returns {status, body, headers}. */
  async api(method, path, { token, body } = {}) {
    const headers = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: r.status, body: json, text, headers: r.headers };
  }

  /** POST /api/login; returns the token or throws. */
  async login(username, password = PASSWORD) {
    const r = await this.api('POST', '/api/login', { body: { username, password } });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
    return r.body.token;
  }

  /** An admin token (creates the account "harness.admin" once). */
  async admin() {
    if (!this.adminToken) {
      await this.createAdmin('harness.admin');
      this.adminToken = await this.login('harness.admin');
    }
    return this.adminToken;
  }

  /**
   * Certifies `username`'s pending enrolment with the root key in `keyFile`
   * (`peerline org certify`, given the fingerprint the listener would read
   * out: here the server's report of it, or `fingerprint`) and uploads the
   * certificate with the directory it wrote (kept per stack and root key).
   */
  async certifyPending(username, keyFile = ORG_KEY_FILE, { role = 'listener', days = 7, fingerprint } = {}) {
    const token = await this.admin();
    const list = await this.api('GET', '/api/admin/enrolments', { token });
    if (list.status !== 200) throw new Error(`GET /api/admin/enrolments: ${list.status} ${list.text}`);
    const e = list.body.enrolments.find((x) => x.username === username);
    if (!e) throw new Error(`no pending enrolment for ${username}: ${list.text}`);
    const req = join(this.dir, `${username}.request`);
    const cert = join(this.dir, `${username}.cert`);
    const directory = join(this.dir, `${basename(keyFile)}.directory`);
    writeFileSync(req, `${e.enrolment_request}\n`);
    rmSync(cert, { force: true });
    run([PEERLINE, 'org', 'certify', '--key', keyFile, '--request', req, '--expect-fingerprint', fingerprint ?? e.identity_fingerprint,
      '--directory', directory, '--out', cert, '--role', role, '--days', String(days)]);
    const put = await this.api('PUT', `/api/admin/accounts/${encodeURIComponent(username)}/certificate`,
      { token, body: { certificate: readFileSync(cert, 'utf8').trim(), directory: readFileSync(directory, 'utf8').trim() } });
    if (put.status !== 204) throw new Error(`PUT certificate for ${username}: ${put.status} ${put.text}`);
  }

  /**
   * The organisation's delegated revocation key for this stack: a key file
   * (`peerline org revocation-keygen`) and the root's delegation to it
   * (`peerline org delegate-revocation`), made once per stack and root key.
   */
  revocationKey(keyFile = ORG_KEY_FILE) {
    const base = join(this.dir, basename(keyFile));
    const revocationKeyFile = `${base}.revocation.key`;
    const delegationFile = `${base}.delegation`;
    if (!existsSync(revocationKeyFile)) {
      const out = run([PEERLINE, 'org', 'revocation-keygen', '--out', revocationKeyFile]);
      const pub = /public key:\s+(\S+)/.exec(out)?.[1];
      run([PEERLINE, 'org', 'delegate-revocation', '--key', keyFile, '--revocation-public-key', pub, '--out', delegationFile]);
    }
    return { revocationKeyFile, delegationFile, publicKey: orgShow(keyFile).publicKey };
  }

  /**
   * Signs the next revocation list with the stack's delegated revocation
   * key, as the organisation's scheduled job does (`peerline org
   * sign-revocation-list` from the server's trust state and its own record,
   * revoking `serials`), and uploads it via the admin API.
   */
  async publishRevocationList(serials = ['1'], keyFile = ORG_KEY_FILE, hours = 48) {
    const token = await this.admin();
    const { revocationKeyFile, delegationFile, publicKey } = this.revocationKey(keyFile);
    this.crlCount = (this.crlCount ?? 0) + 1;
    const stateFile = join(this.dir, `trust-state-${this.crlCount}.json`);
    const current = await this.api('GET', '/api/revocation-list');
    writeFileSync(stateFile, current.status === 200 ? current.text : '{}');
    const out = join(this.dir, `crl-upload-${this.crlCount}.json`);
    run([PEERLINE, 'org', 'sign-revocation-list', '--revocation-key', revocationKeyFile, '--delegation', delegationFile,
      '--org-public-key', publicKey, '--trust-state', stateFile, '--state', join(this.dir, `${basename(keyFile)}.last-list`),
      ...serials.flatMap((x) => ['--revoke', String(x)]), '--hours', String(hours), '--out', out]);
    const put = await this.api('PUT', '/api/admin/revocation-list', { token, body: JSON.parse(readFileSync(out, 'utf8')) });
    if (put.status !== 204) throw new Error(`PUT /api/admin/revocation-list: ${put.status} ${put.text}`);
  }

  /**
   * A TCP proxy in front of the server, for simulating a network drop (the
   * browser's offline emulation does not cut open WebSockets). Pages loaded
   * from proxy.baseUrl talk to the server through it. The server must allow
   * the proxy's origin: pass serverArgs ['--allowed-origin', proxyOrigin]
   * with a port from reserveProxyPort() before startStack().
   *   proxy.drop()        cuts every open connection, refuses new ones
   *   proxy.restore()     accepts connections again
   */
  async startProxy(port) {
    const sockets = new Set();
    let refusing = false;
    const server = net.createServer((client) => {
      if (refusing) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.port, '127.0.0.1');
      sockets.add(client);
      sockets.add(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', close);
      upstream.on('error', close);
      client.on('close', close);
      upstream.on('close', close);
    });
    await new Promise((res, rej) => {
      server.once('error', rej);
      server.listen(port ?? 0, '127.0.0.1', res);
    });
    const p = server.address().port;
    const proxy = {
      port: p,
      baseUrl: `http://127.0.0.1:${p}`,
      drop() {
        refusing = true;
        for (const s of sockets) s.destroy();
        sockets.clear();
      },
      restore() {
        refusing = false;
      },
      close: () => new Promise((res) => {
        for (const s of sockets) s.destroy();
        server.close(res);
      }),
    };
    this.proxies = [...(this.proxies ?? []), proxy];
    return proxy;
  }

  async stop() {
    for (const p of this.proxies ?? []) await p.close();
    for (const n of this.nodes ?? []) await n.stop();
    await this.stopServer();
    await this.redis.stop();
    if (process.env.PEERLINE_KEEP_TEST_DIRS === '1') console.log(`# kept ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

// --- the browser --------------------------------------------------------------

/** Headless Debian Chromium through playwright-core (no browser downloads). */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * A fresh browser context (its own storage, like a separate person) with
 * page errors and CSP violations collected in `page.problems`.
 */
export async function newPage(browser, stack, path = '/', contextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 800 }, ...contextOptions });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // The location names the resource for the browser's own network errors
    // ("Failed to load resource: net::ERR_…" carries no URL in its text).
    const where = m.location()?.url;
    page.problems.push(`console: ${m.text()}${where ? ` [at ${where}]` : ''}`);
  });
  if (path != null) await page.goto(`${stack.baseUrl}${path}`);
  return page;
}

/**
 * page.problems less the errors Chromium itself logs when a connection
 * through one of the given proxies fails while the test has it dropped
 * ("WebSocket connection to 'ws://127.0.0.1:P/…' failed", "net::ERR_…" for a
 * resource of that origin). Chromium 156 logs these for the page's own
 * reconnection attempts; whether one is logged depends on timing, so a test
 * that drops the network compares this, not page.problems, with []. Anything
 * else — a page error, a CSP violation, a failure on another origin — stays.
 */
export function problemsExceptDrops(page, ...droppedProxies) {
  const origins = droppedProxies.flatMap((p) => [`ws://127.0.0.1:${p.port}/`, `http://127.0.0.1:${p.port}/`]);
  const fromDrop = (problem) => problem.startsWith('console: ')
    && /\bfailed\b|net::ERR_/.test(problem)
    && origins.some((o) => problem.includes(`'${o}`) || problem.includes(`[at ${o}`));
  return page.problems.filter((p) => !fromDrop(p));
}

/** Saves a full-page PNG to test-output/screenshots/<name>.png; returns its path. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Appends a line to test-output/<name>.log (for post-mortems of failed runs). */
export function note(name, text) {
  mkdirSync(OUTPUT, { recursive: true });
  const s = createWriteStream(join(OUTPUT, `${name}.log`), { flags: 'a' });
  s.end(`${new Date().toISOString()} ${text}\n`);
}
