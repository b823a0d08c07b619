// The organisation's offline root key, the revocation key it delegates, and
// what administrators do with them: the function API behind `peerline org
// keygen|certify|delegate-revocation|sign-revocation-list` (the CLI in
// server/ wires these to files). Pure: the caller reads and writes the files.
// docs/CRYPTO.md, "Organisation root key".
#pragma once

#include "peerline/crypto/e2e/certificate.hpp"
#include "peerline/crypto/e2e/directory.hpp"
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

// The delegated revocation key, in the same format under the first line
//   PEERLINE-ORG-REVOCATION-KEY-V1
// (kept on the organisation's own machine for a scheduled job, never on the
// relay server). Administrators' browsers hold theirs as WebCrypto keys.
using revocation_key = root_key;
std::string revocation_keygen(e2e::rng& random);
result<revocation_key> parse_revocation_key_file(std::string_view text);

// What the web client pins: the root public key as base64url (43 characters).
std::string public_key_text(const e2e::pub32& root);
// What people compare: "xxxx xxxx xxxx xxxx xxxx xxxx xxxx xxxx", the first 16
// bytes of BLAKE2b-256("PSC1/root-fingerprint" || public key) in hex.
std::string fingerprint(const e2e::pub32& root);

// What a listener reads out from their own device and the administrator
// gives `certify --expect-fingerprint`: 30 decimal digits in six groups of
// five, "12345 67890 ...", from BLAKE2b-256("PSC1/key-fingerprint" || key):
// each group is 5 bytes of the hash, big-endian, mod 100000 (about 100 bits).
std::string key_fingerprint(const e2e::pub32& identity_key);
// True if `typed` (digits with any spaces or hyphens) is that fingerprint.
bool fingerprint_matches(std::string_view typed, const e2e::pub32& identity_key);

// A random certificate serial in [1, 2^63 - 1].
std::uint64_t random_serial(e2e::rng& random);

// Certifies a listener's enrolment request (encoded enrolment_request, whose
// self-signature is checked) for `validity_s` seconds (<= 30 days) from
// `not_before`. Returns the encoded certificate.
result<bytes> certify(const root_key& root, byte_view enrolment_request, e2e::role r, std::uint64_t serial,
                      std::uint64_t not_before, std::uint64_t validity_s);

// The next directory: `current` (encoded, may be empty for the first; must
// verify under `root`) with `certificate`'s entry for its handle, replacing
// (and retiring the serial of) any previous one; number + 1, issued at `now`.
result<bytes> update_directory(const root_key& root, byte_view current, byte_view certificate, std::uint64_t now);

// The root delegates list signing to `revocation_public` for `validity_s`
// seconds (<= 366 days) from `not_before`. Returns the encoded delegation.
result<bytes> delegate_revocation(const root_key& root, const e2e::pub32& revocation_public,
                                  std::uint64_t not_before, std::uint64_t validity_s);

// A new revocation list signed with the delegated key. It never forgets a
// revocation: its serials are the union of every `previous` list (each must
// verify under the signing key or under one of `previous_delegations` — say,
// another administrator's key — each of which must verify under the root:
// the signer's own last list and the server's copy), the directory's retired
// serials and `add_serials`; its
// number is one above the highest previous; it names `directory` (which must
// verify under `root` and be no older than any previous list names; empty
// before anyone is certified, named as 0). Valid
// for `validity_s` seconds (<= 48 hours) from `now`.
struct list_inputs {
    e2e::pub32 root{};
    bytes delegation;
    std::vector<bytes> previous;
    std::vector<bytes> previous_delegations;
    bytes directory;
    std::vector<std::uint64_t> add_serials;
    std::uint64_t now = 0;
    std::uint64_t validity_s = e2e::max_crl_validity_s;
};
// The list's fields, unsigned (for a signer that holds its key elsewhere, such
// as a WebCrypto key in an administrator's browser).
result<e2e::revocation_list> next_revocation_list(const list_inputs& in);
result<bytes> sign_revocation_list(const revocation_key& key, const list_inputs& in);

// A whole trust state in one go, for demo mode and tests: a revocation key
// drawn from `random`, delegated by `root` from `issued_at` for a year; a
// directory naming each of `certificates` (in order, so a later one for the
// same handle replaces and retires an earlier one); a list signed at
// `issued_at`, valid `validity_s`, revoking `revoked` and the retired serials.
// `now` and `root` are filled in; roles and the floor are left as defaults.
result<e2e::trust_anchor> make_trust(const root_key& root, e2e::rng& random, const std::vector<bytes>& certificates,
                                     const std::vector<std::uint64_t>& revoked, std::uint64_t issued_at,
                                     std::uint64_t validity_s, std::uint64_t now);

// For `--demo` and tests: a root key, a revocation key and its delegation, a
// listener identity generated here (a real listener's is generated in the
// browser), its certificate valid from `now` for 30 days, the directory
// naming it, and an empty revocation list. Say so when using it.
struct demo_setup {
    std::string root_key_file;
    std::string revocation_key_file;
    bytes delegation;
    e2e::listener_identity listener;
    bytes certificate;
    bytes directory;
    bytes revocation_list;
};
result<demo_setup> make_demo(e2e::rng& random, std::string handle, std::uint64_t now);

} // namespace peerline::crypto::org
