// Bundles one src/mentoring module with esbuild (Vite's own dependency) into
// test-output/ and imports it, as the browser build would resolve it
// (platform browser: the packages' browser entry points). libsodium-wrappers
// stays external and loads from node_modules, as in tests/shared/.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export const webClient = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Imports `src/mentoring/<name>.ts` (and anything it imports) bundled for the browser. */
export async function load(name) {
  const out = join(webClient, 'test-output', `mentoring-${name}.mjs`);
  mkdirSync(dirname(out), { recursive: true });
  await build({
    entryPoints: [join(webClient, 'src', 'mentoring', `${name}.ts`)],
    bundle: true, format: 'esm', platform: 'browser', outfile: out,
    external: ['libsodium-wrappers'], logLevel: 'error',
  });
  return import(pathToFileURL(out).href);
}

/** src/crypto (PSC-1: certificates, the organisation's tools) bundled the same way, for trust fixtures. */
export async function loadCrypto() {
  const out = join(webClient, 'test-output', 'mentoring-crypto.mjs');
  mkdirSync(dirname(out), { recursive: true });
  await build({
    entryPoints: [join(webClient, 'src', 'crypto', 'index.js')],
    bundle: true, format: 'esm', platform: 'browser', outfile: out,
    external: ['libsodium-wrappers'], logLevel: 'error',
  });
  const P = await import(pathToFileURL(out).href);
  await P.ready();
  return P;
}
