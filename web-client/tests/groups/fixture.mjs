// Shared setup for the group tests (web-client/tests/groups/): src/groups is
// TypeScript, bundled by esbuild (Vite's own dependency) into test-output/
// with its own copy of src/crypto, which the tests use through G.psc1 and
// G.org so that one libsodium instance is initialised. ts-mls and its
// crypto packages stay external (loaded from node_modules, as Vite would).
//
// An organisation (root, revocation key, directory, list) certifies a
// facilitator; the clock is driven by the tests. `deliver` only fans one
// message out to the sessions given: it does not order commits as the delivery
// service of docs/CRYPTO.md ("Groups") must; each test delivers in the order
// it means (and reorders on purpose where that is the attack).
import { mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const webClient = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const T0 = 1700000000;
export const DAY = 86400;
export const utf8 = (s) => new TextEncoder().encode(s);
export const text = (b) => new TextDecoder().decode(b);

/** Bundles src/groups (and src/crypto) for the calling test file; returns the module. */
export async function loadGroups(testFile) {
  const out = join(webClient, 'test-output', 'groups', `${basename(testFile).replace(/\W/g, '_')}.mjs`);
  mkdirSync(dirname(out), { recursive: true });
  await build({
    stdin: {
      contents: "export * from './src/groups/index.ts'; export * as psc1 from './src/crypto/index.js'; export * as org from './src/crypto/org.js';",
      resolveDir: webClient, loader: 'ts',
    },
    bundle: true, format: 'esm', platform: 'neutral', outfile: out, logLevel: 'error', mainFields: ['module', 'main'],
    external: ['libsodium-wrappers', 'ts-mls', 'ts-mls/*', '@hpke/*', '@noble/*'],
  });
  const G = await import(pathToFileURL(out).href);
  await G.psc1.ready();
  return G;
}

/**
 * An organisation with a certified facilitator ('ann.facilitator', serial
 * 42, valid from T0 - 1 day for 30 days) and the trust state members check
 * against; `clock.now` is what every session reads.
 */
export function makeWorld(G, { revoked = [], extraCerts = [] } = {}) {
  const rng = new G.psc1.DeterministicRng(new Uint8Array(32).fill(7));
  const root = G.org.generateRootKey(rng);
  const certify = (id, handle, serial, notBefore = T0 - DAY, validity = 30 * DAY, role = G.psc1.ROLE_LISTENER) =>
    G.org.certify(root, G.psc1.makeEnrolmentRequest(id, handle), role, serial, notBefore, validity);
  const facilitator = G.psc1.generateListenerIdentity(rng);
  facilitator.certificate = certify(facilitator, 'ann.facilitator', 42);
  const certs = [facilitator.certificate, ...extraCerts.map((f) => f(certify, rng))];
  const { now: _now, ...trust } = G.org.makeTrust(root, rng, certs, revoked, T0 - DAY, 2 * DAY, T0);
  const clock = { now: T0 };
  return { rng, root, certify, facilitator, trust, clock, tick: () => clock.now };
}

/**
 * A facilitator and `n` members, all joined through one commit the delivery
 * service accepted. Returns the sessions (members[i] is at leaf i + 1).
 */
export async function makeGroup(G, world, n) {
  const f = await G.FacilitatorSession.create({ identity: world.facilitator, trust: world.trust, clock: world.tick });
  const members = await addMembers(G, world, f, [], n);
  return { f, members };
}

/** Adds `n` new members through the facilitator; everyone already in processes the commit. */
export async function addMembers(G, world, f, existing, n) {
  const candidates = [];
  for (let i = 0; i < n; i++) {
    candidates.push(await G.MemberCandidate.prepare({ groupId: f.groupId, trust: world.trust, clock: world.tick, expectedFacilitator: 'ann.facilitator' }));
  }
  const change = await f.add(candidates.map((c) => c.keyPackage));
  await f.commitAccepted();
  for (const m of existing) {
    const ev = await m.processIncoming(change.commit);
    if (ev.some((e) => e.kind === 'rejected')) throw new Error(`an add was refused: ${JSON.stringify(ev)}`);
  }
  const joined = [];
  for (const c of candidates) joined.push(await c.join(change.welcome));
  return [...existing, ...joined];
}

/** Each session's events for the same incoming bytes. */
export const deliver = (bytes, sessions) => Promise.all(sessions.map((s) => s.processIncoming(bytes)));

/** A comparable roster: "leaf:role:id". */
export const rosterKey = (s) => s.roster().map((e) => `${e.leaf}:${e.role}:${e.id}`).join(' ');
