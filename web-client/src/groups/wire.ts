// Reading one MLS message from outside (the server) with explicit limits:
// at most MAX_INCOMING_BYTES, exactly one message, nothing after it.
import { decodeMlsMessage, encodeMlsMessage } from 'ts-mls';
import type { MLSMessage } from 'ts-mls';
import { MAX_INCOMING_BYTES } from './ciphersuite.js';
import { groupFail } from './errors.js';

/** One MLS message; GroupError('too_large' | 'malformed') otherwise. */
export function decodeIncoming(bytes: Uint8Array): MLSMessage {
  if (!(bytes instanceof Uint8Array)) groupFail('malformed', 'not bytes');
  if (bytes.length > MAX_INCOMING_BYTES) groupFail('too_large', `${bytes.length} bytes`);
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch {
    decoded = undefined;
  }
  if (!decoded) groupFail('malformed');
  if (decoded[1] !== bytes.length) groupFail('malformed', 'trailing bytes');
  if (decoded[0].version !== 'mls10') groupFail('malformed', 'version');
  return decoded[0];
}

export const encodeOutgoing = (m: MLSMessage): Uint8Array => encodeMlsMessage(m);
