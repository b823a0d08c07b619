// The organisation's offline root key and what an administrator does with it:
// the function API behind `peerline org keygen|certify|revoke` (the CLI in
// server/ wires these to files). Pure: the caller reads and writes the files.
// docs/CRYPTO.md, "Organisation root key".
#pragma once

#include "peerline/crypto/e2e/certificate.hpp"
#include "peerline/crypto/e2e/handshake.hpp"
#include "peerline/crypto/e2e/rng.hpp"

#include <string>
#include <string_view>

namespace peerline::crypto::org {

using e2e::bytes;
using e2e::byte_view;
using e2e::error;
using e2e::result;

// The root key pair. Wiped on destruction.
struct root_key {
    e2e::sign_secret secret{};  // libsodium Ed25519 secret key (seed || public)
    e2e::pub32 public_key{};
    root_key() = default;
    root_key(const root_key&) = default;
    root_key& operator=(const root_key&) = default;
    ~root_key();
};

// A new root key as the text of a key file (keep it offline, mode 0600):
//   PEERLINE-ORG-ROOT-KEY-V1
//   public: <base64url, 32 bytes>
//   secret: <base64url, 32-byte Ed25519 seed>
std::string keygen(e2e::rng& random);

// Parses a key file; checks the public key matches the seed. bad_field otherwise.
result<root_key> parse_key_file(std::string_view text);

// What the web client pins: the root public key as base64url (43 characters).
std::string public_key_text(const e2e::pub32& root);
// What people compare: "xxxx xxxx xxxx xxxx xxxx xxxx xxxx xxxx", the first 16
// bytes of BLAKE2b-256("PSC1/root-fingerprint" || public key) in hex.
std::string fingerprint(const e2e::pub32& root);

// A random certificate serial in [1, 2^63 - 1].
std::uint64_t random_serial(e2e::rng& random);

// Certifies a listener's enrolment request (encoded enrolment_request, whose
// self-signature is checked) for `validity_s` seconds (<= 30 days) from
// `not_before`. Returns the encoded certificate.
result<bytes> certify(const root_key& root, byte_view enrolment_request, e2e::role r, std::uint64_t serial,
                      std::uint64_t not_before, std::uint64_t validity_s);

// A new signed revocation list: `current` (encoded, may be empty for the
// first list; must verify under `root`) plus `add_serials`, number + 1,
// issued at `now`, stale after `validity_s` seconds (<= 30 days).
result<bytes> revoke(const root_key& root, byte_view current, const std::vector<std::uint64_t>& add_serials,
                     std::uint64_t now, std::uint64_t validity_s);

// For `--demo`: a root key, a listener identity generated here (a real
// listener's is generated in the browser), its certificate valid from `now`
// for 30 days, and an empty revocation list. Say so when using it.
struct demo_setup {
    std::string root_key_file;
    e2e::listener_identity listener;
    bytes certificate;
    bytes revocation_list;
};
result<demo_setup> make_demo(e2e::rng& random, std::string handle, std::uint64_t now);

} // namespace peerline::crypto::org
