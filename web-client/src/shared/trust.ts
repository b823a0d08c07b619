// The organisation root key pinned at build time (VITE_PEERLINE_ORG_ROOT,
// checked by vite.config.ts), its displayed fingerprint, and the release's
// floor on revocation-list numbers.
import * as psc1 from '../crypto/index.js';

export { trustStateBytes } from './trust-state';

export const PINNED_ROOT_TEXT: string = import.meta.env.VITE_PEERLINE_ORG_ROOT;

/**
 * The lowest revocation-list number this release accepts
 * (`scripts/build-web --min-revocation-number N`; 0 when not set): a fresh
 * tab refuses any older list the server might serve.
 */
export const MIN_REVOCATION_NUMBER: bigint = BigInt(import.meta.env.VITE_PEERLINE_MIN_REVOCATION_NUMBER || '0');

let root: Uint8Array | null = null;

/** Loads libsodium and decodes the pinned key. Call once at start. */
export async function initCrypto(): Promise<void> {
  await psc1.ready();
  root = psc1.rootPublicKeyFromText(PINNED_ROOT_TEXT);
}

export function pinnedRoot(): Uint8Array {
  if (!root) throw new Error('initCrypto() first');
  return root;
}

/** "xxxx xxxx ..." fingerprint of the pinned organisation key. */
export function rootFingerprint(): string {
  return psc1.fingerprint(pinnedRoot());
}
