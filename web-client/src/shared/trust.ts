// The organisation root key pinned at build time (VITE_PEERLINE_ORG_ROOT,
// checked by vite.config.ts) and its displayed fingerprint.
import * as psc1 from '../crypto/index.js';

export const PINNED_ROOT_TEXT: string = import.meta.env.VITE_PEERLINE_ORG_ROOT;

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
