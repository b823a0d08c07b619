// Listener trust material on the server side: checks on what listeners and
// administrators upload, and the demo keys. The server only stores and hands
// out enrolment requests, certificates, the root-signed directory, the
// revocation key's delegation and revocation lists; it cannot make or alter
// them — except in demo mode (`serve --demo`), where it holds a demo root key
// and a demo revocation key, certifies enrolments at once, re-signs the list
// and says so (docs/CRYPTO.md §8).
// Pure: the JSON API does the Redis I/O.
#pragma once

#include "peerline/crypto/e2e.hpp"
#include "peerline/crypto/org.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace peerline::trust {

namespace e2e = crypto::e2e;

// What this node knows about the organisation: the root public key, if
// configured (--org-public-key, or the demo key), to check uploads early
// (the clients check everything again themselves); the demo root key only
// in demo mode.
struct org_keys {
    std::optional<e2e::pub32> root;
    std::optional<crypto::org::root_key> demo_root;
    std::optional<crypto::org::revocation_key> demo_revocation;
    e2e::bytes demo_delegation;  // the demo root's delegation to demo_revocation
};

// A listener's enrolment request (base64url): decodes, self-signature holds,
// handle == username. The decoded request, or an error message for the user.
struct checked_enrolment {
    e2e::enrolment_request request;
    e2e::bytes encoded;
};
std::optional<checked_enrolment> check_enrolment(std::string_view b64, std::string_view username,
                                                 std::string& error);

// A certificate an administrator uploads for `username`, with the directory
// `peerline org certify` wrote beside it, against that listener's pending
// enrolment: the certificate decodes, its handle, identity and signed keys
// match, validity at most 30 days, root signatures when the root is known;
// the directory decodes, is no older than `stored_directory_number`, and
// names this certificate as the handle's one current certificate (so the
// server never holds two live certificates for a handle).
struct checked_certificate {
    e2e::listener_certificate certificate;
    e2e::directory directory;
};
std::optional<checked_certificate> check_certificate(std::string_view cert_b64, std::string_view directory_b64,
                                                     std::string_view enrolment_b64, std::string_view username,
                                                     const org_keys& org, std::uint64_t stored_directory_number,
                                                     std::string& error);

// A delegation upload: decodes, root signature when the root is known, valid at `now_s`.
std::optional<e2e::revocation_delegation> check_delegation(std::string_view b64, const org_keys& org,
                                                           std::uint64_t now_s, std::string& error);

// A revocation list upload: decodes, signed by the delegated revocation key
// (`delegation_b64`, checked as above), issued while the delegation holds, at
// most 48 hours long, not stale, number above `stored_number` (0 = none).
std::optional<e2e::revocation_list> check_revocation_list(std::string_view b64, std::string_view delegation_b64,
                                                          const org_keys& org, std::uint64_t stored_number,
                                                          std::uint64_t now_s, std::string& error);

// What demo mode signed: the base64url text and the fields the server keeps
// next to it.
struct issued_certificate {
    std::string text;
    std::uint64_t serial = 0;
    std::uint64_t not_after = 0;
    std::string directory;  // the next directory, naming this certificate
    std::uint64_t directory_number = 0;
};
struct issued_list {
    std::string text;
    std::uint64_t number = 0;
    std::uint64_t next_update = 0;
};

// Demo mode: certifies a checked enrolment for 30 days from `now_s` and
// makes the next directory from `current_directory_b64`.
std::optional<issued_certificate> demo_certify(const org_keys& org, const checked_enrolment& enrolment,
                                               std::string_view current_directory_b64, std::uint64_t now_s);

// Demo mode: an empty directory (number 1), for a server with none yet.
std::optional<std::string> demo_empty_directory(const org_keys& org, std::uint64_t now_s);

// Demo mode: the next revocation list (valid 48 hours from `now_s`) signed
// with the demo revocation key, against `directory_b64`.
std::optional<issued_list> demo_revocation_list(const org_keys& org, std::string_view current_b64,
                                                std::string_view directory_b64, std::uint64_t now_s);

// Demo mode: the demo revocation key (a file beside the demo root key) and a
// fresh delegation to it from the demo root, valid a year from `now_s`.
void load_demo_revocation_key(org_keys& org, const std::string& path, std::uint64_t now_s);

// Reads (or, if missing, creates with mode 0600) the demo root key file.
// Throws std::runtime_error with a clear message.
crypto::org::root_key load_or_create_demo_key(const std::string& path, bool& created);

// Parses --org-public-key (base64url, 32 bytes). nullopt if malformed.
std::optional<e2e::pub32> parse_public_key(std::string_view b64);

std::string to_b64(const e2e::bytes& b);
std::optional<e2e::bytes> from_b64(std::string_view b64, std::size_t max_bytes);

} // namespace peerline::trust
