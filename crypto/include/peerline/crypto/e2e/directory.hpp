// The organisation's directory: for every certified handle, the one current
// certificate (serial, validity, identity key), signed by the root key with
// each certification. A listener's console checks its own entry is its own
// key (so a certificate the server got for its own key under the listener's
// name is seen by the listener); a GP's client accepts only the directory's
// current certificate for a handle. docs/CRYPTO.md §3.5.
#pragma once

#include "peerline/crypto/e2e/certificate.hpp"

#include <optional>
#include <string>
#include <vector>

namespace peerline::crypto::e2e {

struct directory_entry {
    std::string handle;  // 1..64 bytes of [A-Za-z0-9._-]
    std::uint64_t serial = 0;
    std::uint64_t not_before = 0;
    std::uint64_t not_after = 0;
    pub32 identity_key{};
};

struct directory {
    std::uint64_t number = 0;  // strictly increasing with each new directory
    std::uint64_t issued_at = 0;
    std::vector<directory_entry> entries;  // strictly ascending by handle (bytewise)
    // Serials of certificates a newer one replaced: every revocation list
    // signed against this directory revokes them.
    std::vector<std::uint64_t> retired;  // strictly ascending
    std::array<byte, 64> signature{};
};

bytes encode(const directory& d);
// Strict: exact lengths, at most max_directory_entries entries and
// max_revoked_serials retired serials, canonical order, no trailing bytes.
result<directory> decode_directory(byte_view in);
result<directory> sign_directory(directory d, const sign_secret& root_secret);
error verify_signature(const directory& d, const pub32& root) noexcept;

// The entry for `handle`, if any.
const directory_entry* find_entry(const directory& d, std::string_view handle) noexcept;

// The delegation, revocation list and directory of a trust_anchor, each
// decoded and checked against the root and the clock and against each other
// (the order of verify_listener_certificate). What a listener's console and
// a GP's client both rely on.
struct verified_trust_state {
    revocation_delegation delegation;
    revocation_list list;
    directory dir;
};
result<verified_trust_state> verify_trust_state(const trust_anchor& trust);

} // namespace peerline::crypto::e2e
