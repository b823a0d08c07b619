// Frame size buckets and ISO/IEC 7816-4 padding, byte-identical to libsodium's
// sodium_pad/sodium_unpad (not exported by libsodium-wrappers).
import { FRAME_BUCKETS } from './constants.js';
import { fail } from './errors.js';

/** The smallest bucket holding `innerBytes` + marker + `overhead`; 0 if none. */
export function bucketFor(innerBytes, overhead) {
  for (const b of FRAME_BUCKETS) {
    if (b >= overhead && innerBytes + 1 <= b - overhead) return b;
  }
  return 0;
}

/** `inner` || 0x80 || zeros, exactly `paddedSize` bytes. */
export function pad(inner, paddedSize) {
  const out = new Uint8Array(paddedSize);
  out.set(inner);
  out[inner.length] = 0x80;
  return out;
}

/** The bytes before the padding; bad_padding if there is no 0x80 marker. */
export function unpad(padded) {
  // Runs over the whole block whatever the content, like sodium_unpad.
  let marker = -1;
  let seenNonZero = 0;
  for (let i = padded.length - 1; i >= 0; i--) {
    const x = padded[i];
    const first = seenNonZero === 0 && x !== 0 ? 1 : 0;
    if (first && x === 0x80) marker = i;
    if (first && x !== 0x80) marker = -2;
    seenNonZero |= x !== 0 ? 1 : 0;
  }
  if (marker < 0) fail('bad_padding');
  return padded.slice(0, marker);
}
