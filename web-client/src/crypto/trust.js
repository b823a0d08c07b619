// What the web client pins: the organisation's root public key, as the
// base64url text `peerline org keygen` prints (43 characters), and the
// fingerprint people compare with the one administrators publish.
import { fail } from './errors.js';
import { lib } from './sodium.js';

export { fingerprint } from './org.js';

/** @param {string} text base64url, no padding @returns {Uint8Array} 32 bytes */
export function rootPublicKeyFromText(text) {
  let key;
  try {
    key = lib().from_base64(text, lib().base64_variants.URLSAFE_NO_PADDING);
  } catch {
    fail('bad_field');
  }
  if (key.length !== 32) fail('bad_length');
  return key;
}
