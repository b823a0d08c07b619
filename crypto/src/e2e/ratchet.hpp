// The Double Ratchet state and its two entry points (internal). The state is
// a plain value so session::decrypt can work on a copy; key32 members wipe
// themselves, so every copy is wiped when it dies.
#pragma once

#include "peerline/crypto/e2e/frames.hpp"
#include "peerline/crypto/e2e/rng.hpp"
#include "peerline/crypto/e2e/session.hpp"

namespace peerline::crypto::e2e {

struct skipped_key {
    key32 header_key;  // the header key of the chain the message belongs to
    std::uint32_t n = 0;
    key32 message_key;
    std::uint64_t stored_at = 0;  // `received` when it was stored
};

struct missing_seq {
    std::uint32_t seq = 0;
    std::uint64_t since = 0;  // `received` when the gap was seen
};

struct ratchet_state {
    sid_t sid{};
    pub32 th{};  // transcript hash: the associated data of every AEAD

    key32 dhs_secret;
    pub32 dhs_public{};
    pub32 dhr{};
    key32 rk;
    key32 cks, ckr, hks, hkr, nhks, nhkr;
    bool has_cks = false, has_ckr = false, has_hks = false, has_hkr = false;
    std::uint32_t ns = 0, nr = 0, pn = 0;
    std::vector<skipped_key> skipped;

    std::uint64_t received = 0;      // messages decrypted so far
    std::uint32_t send_seq = 0;      // next sequence number to send
    std::uint32_t recv_next = 0;     // next sequence number expected
    std::vector<missing_seq> missing;  // ascending by seq
    bool closed = false;
};

// Handshake outputs that seed the ratchet.
struct ratchet_seed {
    sid_t sid{};
    pub32 th{};
    key32 root;            // RK0
    key32 header_a;        // HKa: the GP's first sending header key
    key32 next_header_b;   // NHKb: the listener's first sending header key
};

// The GP ("Alice"): draws its first ratchet key (32 bytes) from `random`.
result<std::unique_ptr<ratchet_state>> init_alice(const ratchet_seed& seed, const pub32& listener_ratchet,
                                                  rng& random);
// The listener ("Bob"): its handshake ephemeral is the first ratchet key.
std::unique_ptr<ratchet_state> init_bob(const ratchet_seed& seed, const key32& ephemeral_secret,
                                        const pub32& ephemeral_public);

// Builds a frame of `type` (confirm: `gp_ephemeral` goes after the sid).
// Draws the header nonce then the body nonce (24 bytes each).
result<bytes> encrypt_frame(ratchet_state& st, std::uint8_t type, const pub32* gp_ephemeral,
                            byte_view payload, rng& random);

// Decrypts into `st` (the caller passes a copy and commits it on success).
// A DH ratchet step draws the new ratchet key (32 bytes) only after the body
// has authenticated, so a failure consumes no randomness.
result<received_message> decrypt_frame(ratchet_state& st, const encrypted_frame& f, byte_view frame,
                                       rng& random);

} // namespace peerline::crypto::e2e
