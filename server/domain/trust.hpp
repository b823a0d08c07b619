// Listener trust material on the server side: checks on what listeners and
// administrators upload, and the demo root key. The server only stores and
// hands out enrolment requests, certificates and revocation lists; it cannot
// make or alter them — except in demo mode (`serve --demo`), where it holds a
// demo root key, certifies enrolments at once and says so (docs/CRYPTO.md §8).
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
};

// A listener's enrolment request (base64url): decodes, self-signature holds,
// handle == username. The decoded request, or an error message for the user.
struct checked_enrolment {
    e2e::enrolment_request request;
    e2e::bytes encoded;
};
std::optional<checked_enrolment> check_enrolment(std::string_view b64, std::string_view username,
                                                 std::string& error);

// A certificate an administrator uploads for `username`, against that
// listener's pending enrolment: decodes, handle, identity and signed keys
// match, validity at most 30 days, root signature when the root is known.
std::optional<e2e::listener_certificate> check_certificate(std::string_view cert_b64,
                                                           std::string_view enrolment_b64,
                                                           std::string_view username,
                                                           const org_keys& org, std::string& error);

// A revocation list upload: decodes, root signature when the root is known,
// number above `stored_number` (0 = none stored).
std::optional<e2e::revocation_list> check_revocation_list(std::string_view b64, const org_keys& org,
                                                          std::uint64_t stored_number,
                                                          std::string& error);

// What demo mode signed: the base64url text and the fields the server keeps
// next to it.
struct issued_certificate {
    std::string text;
    std::uint64_t serial = 0;
    std::uint64_t not_after = 0;
};
struct issued_list {
    std::string text;
    std::uint64_t number = 0;
    std::uint64_t next_update = 0;
};

// Demo mode: certifies a checked enrolment for 30 days from `now_s`.
std::optional<issued_certificate> demo_certify(const org_keys& org, const checked_enrolment& enrolment,
                                               std::uint64_t now_s);

// Demo mode: a new empty-or-extended revocation list (number `previous + 1`)
// valid for 30 days from `now_s`.
std::optional<issued_list> demo_revocation_list(const org_keys& org, std::string_view current_b64,
                                                std::uint64_t now_s);

// Reads (or, if missing, creates with mode 0600) the demo root key file.
// Throws std::runtime_error with a clear message.
crypto::org::root_key load_or_create_demo_key(const std::string& path, bool& created);

// Parses --org-public-key (base64url, 32 bytes). nullopt if malformed.
std::optional<e2e::pub32> parse_public_key(std::string_view b64);

std::string to_b64(const e2e::bytes& b);
std::optional<e2e::bytes> from_b64(std::string_view b64, std::size_t max_bytes);

} // namespace peerline::trust
