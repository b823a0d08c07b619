// PSC-1's typed errors. `code` is one of the names in docs/CRYPTO.md
// ("Errors"), identical to the C++ error_name() strings.

export const ERROR_CODES = Object.freeze([
  'truncated', 'trailing_bytes', 'bad_version', 'bad_type', 'bad_length', 'bad_field',
  'bad_signature', 'cert_not_yet_valid', 'cert_expired', 'cert_validity_too_long',
  'cert_revoked', 'cert_wrong_role', 'crl_stale', 'crl_rollback',
  'weak_key', 'replayed_handshake', 'sid_mismatch', 'commitment_mismatch', 'unexpected_frame',
  'header_auth_failed', 'body_auth_failed', 'duplicate_message', 'too_many_skipped',
  'skipped_store_full', 'bad_padding', 'message_too_large', 'counter_exhausted', 'session_closed',
]);

export class E2eError extends Error {
  /** @param {string} code one of ERROR_CODES */
  constructor(code) {
    super(`PSC-1: ${code}`);
    this.name = 'E2eError';
    this.code = code;
  }
}

/** @param {string} code @returns {never} */
export function fail(code) {
  throw new E2eError(code);
}
