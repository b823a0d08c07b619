// PSC-1's authenticated key agreement (docs/CRYPTO.md, "Handshake"):
//
//   GP -> L   hello    sid, commit = H(sid, e_G)
//   L -> GP   response sid, e_L, certificate, sig_IK(hello, response)
//   GP -> L   confirm  sid, e_G, first ratchet message
//
// Both ephemerals are fresh; the key mixes X25519(e_G, e_L), X25519(e_G, S_L)
// and the transcript hash, so only the holder of the certified signed key can
// read, and the commitment stops a man in the middle from grinding the safety
// code. The GP is the Double Ratchet's "Alice" with e_L as Bob's first
// ratchet key.
#pragma once

#include "peerline/crypto/e2e/certificate.hpp"
#include "peerline/crypto/e2e/frames.hpp"
#include "peerline/crypto/e2e/rng.hpp"
#include "peerline/crypto/e2e/session.hpp"

#include <deque>
#include <optional>
#include <set>

namespace peerline::crypto::e2e {

// A listener device's secrets and its certificate. Wiped on destruction.
struct listener_identity {
    sign_secret identity_secret{};  // Ed25519 (seed || public)
    key32 signed_secret;            // X25519
    bytes certificate;              // encoded, signed by the organisation
    listener_identity() = default;
    listener_identity(const listener_identity&) = default;
    listener_identity& operator=(const listener_identity&) = default;
    ~listener_identity();
    pub32 identity_public() const;
    pub32 signed_public() const;
};

// New device keys (32 random bytes of Ed25519 seed, then 32 of X25519 secret)
// with no certificate yet.
listener_identity generate_listener_identity(rng& random);
// The self-signed request the organisation certifies.
result<enrolment_request> make_enrolment_request(const listener_identity& id, std::string handle);

// Session ids a listener has already answered: a replayed hello is refused.
// Bounded (sid_cache_entries, oldest forgotten first); not thread-safe.
class sid_cache {
public:
    explicit sid_cache(std::size_t capacity = 0);
    // False if `sid` was seen before; otherwise remembers it.
    bool insert(const sid_t& sid);

private:
    std::size_t capacity_;
    std::deque<sid_t> order_;
    std::set<sid_t> seen_;
};

struct gp_established {
    session conversation;
    bytes confirm;                  // send this frame to the listener
    listener_certificate listener;  // show the handle and role to the GP
};

class gp_handshake {
public:
    // Draws the session id (16 bytes) then e_G (32 bytes) from `random`.
    static gp_handshake start(rng& random);
    const bytes& hello() const noexcept { return hello_; }
    const sid_t& sid() const noexcept { return sid_; }

    // Checks the response (frame, certificate chain and revocation through
    // `trust`, the listener's signature, the DH results), then makes the
    // session and the confirm frame that carries `first_payload`. On error
    // nothing was sent and the handshake can still take a correct response.
    result<gp_established> on_response(byte_view response, const trust_anchor& trust,
                                       byte_view first_payload, rng& random);

    gp_handshake(gp_handshake&&) noexcept = default;
    gp_handshake& operator=(gp_handshake&&) noexcept = default;

private:
    gp_handshake() = default;
    sid_t sid_{};
    key32 ephemeral_secret_;
    pub32 ephemeral_public_{};
    bytes hello_;
    bool done_ = false;
};

struct listener_established {
    session conversation;
    received_message first;  // the GP's first message, carried by the confirm
};

class listener_handshake {
public:
    // Answers a hello: refuses a replayed sid, draws e_L (32 bytes) and signs.
    static result<listener_handshake> respond(const listener_identity& id, byte_view hello,
                                              sid_cache& seen, rng& random);
    const bytes& response() const noexcept { return response_; }

    // Checks the commitment, derives the keys and decrypts the GP's first
    // message (which confirms the GP derived the same keys). On error the
    // handshake is unchanged. `random` draws the listener's next ratchet key.
    result<listener_established> on_confirm(byte_view confirm, rng& random);

    listener_handshake(listener_handshake&&) noexcept = default;
    listener_handshake& operator=(listener_handshake&&) noexcept = default;

private:
    listener_handshake() = default;
    sid_t sid_{};
    pub32 commitment_{};
    key32 ephemeral_secret_;
    pub32 ephemeral_public_{};
    key32 signed_secret_;
    bytes hello_;
    bytes response_;
    bool done_ = false;
};

} // namespace peerline::crypto::e2e
