// Shared setup for the PSC-1 unit tests: an organisation root, a certified
// listener, a GP's trust anchor, and a helper that runs the handshake. All
// randomness is deterministic so failures reproduce.
#pragma once

#include "peerline/crypto/crypto.hpp"
#include "peerline/crypto/e2e.hpp"
#include "peerline/crypto/org.hpp"

#include <optional>
#include <string>

namespace e2e_test {

using namespace peerline::crypto::e2e;
namespace org = peerline::crypto::org;

inline pub32 seed(std::uint8_t n) {
    pub32 s{};
    s.fill(n);
    return s;
}

inline bytes to_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }
inline std::string to_string(const bytes& b) { return std::string(b.begin(), b.end()); }

// label || a || b, sized up front (GCC 12 warns falsely about vector::insert).
inline bytes labelled(std::string_view label, byte_view a, byte_view b = {}) {
    bytes out(label.size() + a.size() + b.size());
    std::copy(label.begin(), label.end(), out.begin());
    std::copy(a.begin(), a.end(), out.begin() + static_cast<std::ptrdiff_t>(label.size()));
    std::copy(b.begin(), b.end(), out.begin() + static_cast<std::ptrdiff_t>(label.size() + a.size()));
    return out;
}

inline constexpr std::uint64_t t0 = 1'700'000'000;  // "now" for every test
inline constexpr std::uint64_t day = 24 * 3600;

struct org_fixture {
    deterministic_rng random{seed(1)};
    org::root_key root;
    listener_identity listener;
    std::uint64_t serial = 42;
    bytes crl;
    trust_anchor trust;

    org_fixture() {
        peerline::crypto::init();
        root = org::parse_key_file(org::keygen(random)).value();
        listener = generate_listener_identity(random);
        listener.certificate = certify(listener, role::listener, serial, t0 - day, 30 * day);
        trust = trust_with({listener.certificate});
        crl = trust.revocation_list;
    }

    // A trust state (delegated revocation key, directory of `certs`, list
    // revoking `revoked` issued at `issued` for `validity`) seen at t0.
    trust_anchor trust_with(const std::vector<bytes>& certs, const std::vector<std::uint64_t>& revoked = {},
                            std::uint64_t issued = t0 - day, std::uint64_t validity = 2 * day) {
        return org::make_trust(root, random, certs, revoked, issued, validity, t0).value();
    }

    bytes certify(const listener_identity& id, role r, std::uint64_t s, std::uint64_t nb, std::uint64_t validity,
                  std::string handle = "dr.ames") {
        auto req = make_enrolment_request(id, std::move(handle)).value();
        return org::certify(root, encode(req), r, s, nb, validity).value();
    }
};

// Both ends of an established conversation.
struct conversation {
    std::optional<session> gp;
    std::optional<session> listener;
    received_message first;
    std::string gp_code, listener_code;
};

inline conversation connect(org_fixture& o, rng& gp_rng, rng& l_rng, sid_cache& seen,
                            std::string_view first = "hello") {
    auto gp = gp_handshake::start(gp_rng);
    auto l = listener_handshake::respond(o.listener, gp.hello(), seen, l_rng).value();
    auto g = gp.on_response(l.response(), o.trust, to_bytes(first), gp_rng).value();
    auto le = l.on_confirm(g.confirm, l_rng).value();
    conversation c;
    c.gp_code = g.conversation.safety_code();
    c.listener_code = le.conversation.safety_code();
    c.gp.emplace(std::move(g.conversation));
    c.listener.emplace(std::move(le.conversation));
    c.first = std::move(le.first);
    return c;
}

} // namespace e2e_test
