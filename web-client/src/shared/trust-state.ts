// The organisation's trust state as the server hands it out (GET
// /api/revocation-list), decoded to bytes for the PSC-1 checks. Separate
// from trust.ts so code bundled without Vite's import.meta.env can use it.
import type { TrustStateText } from './api';
import { b64urlDecode } from './b64';

/** The trust state's three parts as bytes, for verifyListenerCertificate / verifyTrustState. */
export function trustStateBytes(t: TrustStateText): {
  revocationList: Uint8Array; revocationDelegation: Uint8Array; directory: Uint8Array;
} {
  return {
    revocationList: b64urlDecode(t.revocation_list ?? ''),
    revocationDelegation: b64urlDecode(t.revocation_delegation ?? ''),
    directory: b64urlDecode(t.directory ?? ''),
  };
}
