// PSC-1's typed errors. `code` is one of the names in docs/CRYPTO.md
// ("Errors"), identical to the C++ error_name() strings.

export const ERROR_CODES = Object.freeze([
  'truncated', 'trailing_bytes', 'bad_version', 'bad_type', 'bad_length', 'bad_field',
  'bad_signature', 'cert_not_yet_valid', 'cert_expired', 'cert_validity_too_long',
  'cert_revoked', 'cert_wrong_role', 'crl_stale', 'crl_rollback',
  'crl_validity_too_long', 'delegation_invalid', 'directory_stale', 'not_in_directory',
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

// What a GP or listener should be told, in plain words, when the protocol
// refuses something. The interface shows this and sends nothing further.
const WARNINGS = {
  bad_signature: 'This listener could not be verified as a trained listener of the organisation. Do not continue.',
  cert_expired: "This listener's certificate has expired, so they cannot be verified. Please try again later.",
  cert_not_yet_valid: "This listener's certificate is not valid yet. Check your device's clock, or try again later.",
  cert_validity_too_long: 'This listener could not be verified as a trained listener of the organisation. Do not continue.',
  cert_revoked: 'This listener is no longer certified by the organisation. Do not continue.',
  cert_wrong_role: 'This person is not certified as a listener. Do not continue.',
  crl_stale: 'The list of withdrawn certificates is out of date, so this listener cannot be verified now.',
  crl_rollback: 'The server sent an old list of withdrawn certificates. This listener cannot be verified now.',
  crl_validity_too_long: 'The list of withdrawn certificates is not one the organisation could have made. This listener cannot be verified now.',
  delegation_invalid: 'The list of withdrawn certificates is not signed by a key the organisation currently trusts. This listener cannot be verified now.',
  directory_stale: 'The server sent an old directory of listeners. This listener cannot be verified now.',
  not_in_directory: 'This is not the certificate the organisation lists for this listener. Do not continue.',
  weak_key: 'The secure connection could not be set up safely. Please start again.',
  replayed_handshake: 'This connection request was already used. Please start again.',
  commitment_mismatch: 'The secure connection was tampered with. Please start again.',
};

/**
 * A plain-language warning for a refused listener or handshake; undefined
 * for errors that only mean one message was dropped (the interface shows
 * gaps instead).
 * @param {string} code
 */
export function warningFor(code) {
  return WARNINGS[code];
}
