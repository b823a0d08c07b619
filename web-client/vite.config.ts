// Vite build of the Peerline web client (docs/WEB-CLIENT.md).
// - Every top-level *.html file is a page (index.html for GPs, listener.html,
//   admin.html, ...): add a page by adding a file, nothing here changes.
// - Output in dist/ with content-hashed bundles under dist/assets/ (served
//   Cache-Control: no-store like the pages: nothing stays in the browser).
// - The server's Content-Security-Policy allows no inline script or style, so
//   the pages only reference bundles; a post-build step adds Subresource
//   Integrity (sha384) to every <script src> and <link href> of the built HTML.
// - The organisation's root public key is pinned at build time from
//   VITE_PEERLINE_ORG_ROOT (base64url, 32 bytes); a build without it fails.
// - Reproducible (docs/CRYPTO.md §9): the same commit, lock file and pinned
//   root give the same bytes in any directory, so anyone can rebuild a signed
//   release and compare. Nothing here may depend on the time, the machine, the
//   checkout's path or the order a directory lists in; pages are sorted, file
//   names are content hashes, no source maps (they carry paths).
//   web-client/tests/build/reproducible.test.mjs builds twice and compares.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, loadEnv, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

function pages(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(here).sort()) {
    if (f.endsWith('.html')) out[f.slice(0, -'.html'.length)] = resolve(here, f);
  }
  return out;
}

/** Throws unless `text` is base64url (no padding) of exactly 32 bytes. */
function checkRootKey(text: string | undefined): string {
  if (!text) {
    throw new Error(
      'VITE_PEERLINE_ORG_ROOT is not set. The web client pins the organisation root public key at build time: ' +
        'VITE_PEERLINE_ORG_ROOT=$(peerline org show --key ROOT.key | first line) npm run build');
  }
  if (!/^[A-Za-z0-9_-]{43}$/.test(text) || Buffer.from(text, 'base64url').length !== 32) {
    throw new Error('VITE_PEERLINE_ORG_ROOT must be a 32-byte Ed25519 public key in base64url without padding (43 characters)');
  }
  return text;
}

const TAG = /<(script|link)\b[^>]*>/g;

/** Adds integrity="sha384-..." to every script and link that references a built file. */
export function addIntegrity(html: string, outDir: string): string {
  return html.replace(TAG, (tag) => {
    const m = /\s(?:src|href)="([^"]+)"/.exec(tag);
    if (!m || /\sintegrity=/.test(tag)) return tag;
    const url = m[1];
    if (tag.startsWith('<link') && !/\srel="(?:stylesheet|modulepreload)"/.test(tag)) return tag;
    if (/^(?:[a-z]+:)?\/\//i.test(url) || url.startsWith('data:')) {
      throw new Error(`built HTML references an external script or stylesheet: ${url}`);
    }
    const file = join(outDir, url.replace(/^\//, ''));
    const digest = createHash('sha384').update(readFileSync(file)).digest('base64');
    const withCors = /\scrossorigin\b/.test(tag) ? tag : tag.replace(/^<(script|link)/, '<$1 crossorigin');
    return withCors.replace(/\s*\/?>$/, ` integrity="sha384-${digest}">`);
  });
}

function subresourceIntegrity(): Plugin {
  let outDir = '';
  return {
    name: 'peerline-sri',
    apply: 'build',
    configResolved(c) {
      outDir = resolve(c.root, c.build.outDir);
    },
    closeBundle() {
      for (const f of readdirSync(outDir)) {
        if (!f.endsWith('.html')) continue;
        const path = join(outDir, f);
        const html = readFileSync(path, 'utf8');
        if (/<script(?![^>]*\ssrc=)[^>]*>/.test(html)) throw new Error(`${f}: inline <script> is not allowed (CSP script-src 'self')`);
        if (/<style\b/.test(html)) throw new Error(`${f}: inline <style> is not allowed (CSP style-src 'self')`);
        writeFileSync(path, addIntegrity(html, outDir));
      }
    },
  };
}

export default defineConfig(({ command, mode }) => {
  const env = loadEnv(mode, here, 'VITE_');
  if (command === 'build') checkRootKey(process.env.VITE_PEERLINE_ORG_ROOT ?? env.VITE_PEERLINE_ORG_ROOT);
  return {
    root: here,
    base: '/',
    plugins: [subresourceIntegrity()],
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      target: 'es2022',
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      sourcemap: false,
      rollupOptions: {
        input: pages(),
        output: {
          entryFileNames: 'assets/[name]-[hash].js',
          chunkFileNames: 'assets/[name]-[hash].js',
          assetFileNames: 'assets/[name]-[hash][extname]',
          // Readable names for the chunks pages share.
          manualChunks(id) {
            if (id.includes('/node_modules/libsodium') || id.includes('/src/crypto/')) return 'psc1';
            // Its own chunk: the admin page shows the release too without loading libsodium.
            if (id.includes('/src/shared/release')) return 'release';
            if (id.includes('/src/keystore/idb.ts')) return 'idb';
            // What every page uses, the dashboard included (HTTP API, WebSocket,
            // protocol types, DOM helpers, base64url, date formatter). No
            // stylesheet in it: the dashboard must not load the GP/listener one.
            if (/\/src\/shared\/(api|b64|datetime|dom|mentoring-api|protocol|ws)\.ts$/.test(id)) return 'common';
            // The GP's and listener's shared code (conversation, chat view,
            // trust) with their stylesheet.
            if (id.includes('/src/shared/')) return 'shared';
            return undefined;
          },
        },
      },
    },
    server: { strictPort: true },
  };
});
