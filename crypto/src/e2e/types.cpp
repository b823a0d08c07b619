// Wiping of secrets and the specification's error names.
#include "peerline/crypto/e2e/types.hpp"

#include <sodium.h>

namespace peerline::crypto::e2e {

key32::~key32() { sodium_memzero(b.data(), b.size()); }

std::string_view error_name(error e) noexcept {
    switch (e) {
    case error::ok: return "ok";
    case error::truncated: return "truncated";
    case error::trailing_bytes: return "trailing_bytes";
    case error::bad_version: return "bad_version";
    case error::bad_type: return "bad_type";
    case error::bad_length: return "bad_length";
    case error::bad_field: return "bad_field";
    case error::bad_signature: return "bad_signature";
    case error::cert_not_yet_valid: return "cert_not_yet_valid";
    case error::cert_expired: return "cert_expired";
    case error::cert_validity_too_long: return "cert_validity_too_long";
    case error::cert_revoked: return "cert_revoked";
    case error::cert_wrong_role: return "cert_wrong_role";
    case error::crl_stale: return "crl_stale";
    case error::crl_rollback: return "crl_rollback";
    case error::crl_validity_too_long: return "crl_validity_too_long";
    case error::delegation_invalid: return "delegation_invalid";
    case error::directory_stale: return "directory_stale";
    case error::not_in_directory: return "not_in_directory";
    case error::weak_key: return "weak_key";
    case error::replayed_handshake: return "replayed_handshake";
    case error::sid_mismatch: return "sid_mismatch";
    case error::commitment_mismatch: return "commitment_mismatch";
    case error::unexpected_frame: return "unexpected_frame";
    case error::header_auth_failed: return "header_auth_failed";
    case error::body_auth_failed: return "body_auth_failed";
    case error::duplicate_message: return "duplicate_message";
    case error::too_many_skipped: return "too_many_skipped";
    case error::skipped_store_full: return "skipped_store_full";
    case error::bad_padding: return "bad_padding";
    case error::message_too_large: return "message_too_large";
    case error::counter_exhausted: return "counter_exhausted";
    case error::session_closed: return "session_closed";
    }
    return "unknown";
}

} // namespace peerline::crypto::e2e
