// Listener certificates, revocation lists, revocation-key delegations and
// enrolment requests: the signed structures by which the organisation's
// offline Ed25519 root key (and the revocation key it delegates) says who is
// a trained listener. The directory is in directory.hpp. Encodings are byte-exact and decoders strict
// (docs/CRYPTO.md, "Certificates").
#pragma once

#include "peerline/crypto/e2e/types.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace peerline::crypto::e2e {

enum class role : std::uint8_t {
    listener = 1,
    supervisor = 2,
};

// A decoded certificate. `signature` is the root's Ed25519 signature over
// "PSC1/certificate" || the encoding up to the handle.
struct listener_certificate {
    role cert_role = role::listener;
    std::uint64_t serial = 0;
    std::uint64_t not_before = 0;  // unix seconds, inclusive
    std::uint64_t not_after = 0;   // unix seconds, exclusive
    pub32 identity_key{};          // Ed25519: signs the listener's handshakes
    pub32 signed_key{};            // X25519: the "ephemeral-capable" static DH key
    std::string handle;            // 1..64 bytes of [A-Za-z0-9._-]
    std::array<byte, 64> signature{};
};

// Signed by the revocation key the root delegated (never by the root, never
// by the relay server), valid for at most 48 hours.
struct revocation_list {
    std::uint64_t number = 0;       // strictly increasing with each new list
    std::uint64_t issued_at = 0;
    std::uint64_t next_update = 0;  // the list is stale from this second on
    std::uint64_t directory_number = 0;  // the directory current when it was signed (0 = none)
    std::vector<std::uint64_t> serials;  // strictly ascending
    std::array<byte, 64> signature{};
};

// The root's signature handing list signing to a revocation key for a while
// (at most 366 days), so the root stays offline and the server never signs.
struct revocation_delegation {
    pub32 revocation_key{};  // Ed25519 public key
    std::uint64_t not_before = 0;
    std::uint64_t not_after = 0;
    std::array<byte, 64> signature{};
};

// What a listener's device sends to be certified. The self-signature proves
// possession of the identity key.
struct enrolment_request {
    pub32 identity_key{};
    pub32 signed_key{};
    std::string handle;
    std::array<byte, 64> signature{};
};

// True for 1..64 bytes of [A-Za-z0-9._-].
bool valid_handle(std::string_view handle) noexcept;

// --- encoding (the signature fields are written as they are) ---
bytes encode(const listener_certificate& c);
bytes encode(const revocation_list& l);
bytes encode(const enrolment_request& r);
bytes encode(const revocation_delegation& d);

// --- strict decoding: exact lengths, no trailing bytes, typed errors ---
result<listener_certificate> decode_certificate(byte_view in);
result<revocation_list> decode_revocation_list(byte_view in);
result<enrolment_request> decode_enrolment_request(byte_view in);
result<revocation_delegation> decode_revocation_delegation(byte_view in);

// The bytes an Ed25519 signature covers: label || fields up to the signature.
// The administrator's browser signs this with a WebCrypto key.
bytes revocation_list_signed_bytes(const revocation_list& l);

// --- signing. `root_secret` / `identity_secret` are libsodium Ed25519 secret
// keys (64 bytes: seed || public key). Signing is deterministic. ---
using sign_secret = std::array<byte, 64>;
// Signs and returns the certificate; validates the fields first
// (bad_field, cert_validity_too_long).
result<listener_certificate> sign_certificate(listener_certificate c, const sign_secret& root_secret);
// `revocation_secret` is the delegated revocation key's secret.
result<revocation_list> sign_revocation_list(revocation_list l, const sign_secret& revocation_secret);
result<revocation_delegation> sign_revocation_delegation(revocation_delegation d, const sign_secret& root_secret);
result<enrolment_request> sign_enrolment_request(enrolment_request r, const sign_secret& identity_secret);

// --- verification ---
error verify_signature(const listener_certificate& c, const pub32& root) noexcept;
error verify_signature(const revocation_list& l, const pub32& revocation_key) noexcept;
error verify_signature(const revocation_delegation& d, const pub32& root) noexcept;
error verify_signature(const enrolment_request& r) noexcept;

// What a GP's client trusts: the pinned root, the trust state the server
// handed it (the revocation key's delegation, the latest revocation list and
// the directory), the clock, which roles may answer, and the lowest list
// number it accepts (the build's floor, raised to the highest number seen).
struct trust_anchor {
    pub32 root{};
    bytes revocation_list;        // encoded, signed by the delegated revocation key
    bytes revocation_delegation;  // encoded, signed by root
    bytes directory;              // encoded, signed by root
    std::uint64_t now = 0;
    std::vector<role> allowed_roles{role::listener};
    std::uint64_t min_crl_number = 0;
};

// The whole chain check, in this order: decode, root signature, validity
// period (length, not yet valid, expired), the trust state (delegation: root
// signature, valid now; list: decode, signature by the delegated key, at most
// 48 hours, issued within the delegation, not stale, number at least the
// floor; directory: root signature, no older than the list names), serial not
// revoked, certificate is the directory's current one for its handle, role
// allowed.
result<listener_certificate> verify_listener_certificate(byte_view cert, const trust_anchor& trust);

} // namespace peerline::crypto::e2e
