// Application payloads are padded to a few fixed sizes before MLS encrypts
// them, so a message's length on the wire says only which bucket it is in
// (ISO/IEC 7816-4 padding, as PSC-1's frames: payload || 0x80 || zeros).
import { pad, unpad } from '../crypto/padding.js';
import { MAX_MESSAGE_BYTES, PAD_BUCKETS } from './ciphersuite.js';
import { GroupError, groupFail } from './errors.js';

export function padPayload(payload: Uint8Array): Uint8Array {
  if (payload.length > MAX_MESSAGE_BYTES) groupFail('message_too_large', `${payload.length} bytes`);
  const bucket = PAD_BUCKETS.find((b) => payload.length + 1 <= b)!;
  return pad(payload, bucket);
}

/** The payload; GroupError('bad_padding') for a size that is no bucket or a missing marker. */
export function unpadPayload(padded: Uint8Array): Uint8Array {
  if (!PAD_BUCKETS.includes(padded.length)) groupFail('bad_padding', `${padded.length} bytes`);
  try {
    return unpad(padded);
  } catch {
    throw new GroupError('bad_padding');
  }
}
