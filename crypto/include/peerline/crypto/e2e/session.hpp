// An established PSC-1 conversation: the Double Ratchet with header
// encryption (docs/CRYPTO.md, "Ratchet"), plus the sequence numbers that let
// the user interface show gaps. Created only by the handshake (handshake.hpp).
//
// Not thread-safe: one session belongs to one conversation on one thread.
// decrypt() works on a copy of the state and commits it only on success, so a
// forged, corrupt, replayed or otherwise failing frame changes nothing.
#pragma once

#include "peerline/crypto/e2e/rng.hpp"
#include "peerline/crypto/e2e/types.hpp"

#include <memory>
#include <string>

namespace peerline::crypto::e2e {

struct ratchet_state;  // defined in the implementation; wiped on destruction

struct received_message {
    bytes payload;
    std::uint32_t seq = 0;        // the sender's message number, 0 first
    bool late = false;            // it fills an earlier gap (arrived out of order)
    std::uint32_t gap_before = 0; // this many earlier messages are now missing
    // Earlier missing messages given up for lost: their keys expired after
    // skipped_key_max_age received messages (or the missing list was full).
    std::vector<std::uint32_t> expired;
};

class session {
public:
    session(session&&) noexcept;
    session& operator=(session&&) noexcept;
    ~session();

    // Encrypts one application payload (0..max_payload_bytes) into a message
    // frame padded to a size bucket. Errors: message_too_large,
    // counter_exhausted, session_closed.
    result<bytes> encrypt(byte_view payload, rng& random);

    // Decrypts one message frame from the peer. A DH ratchet step draws a new
    // ratchet key from `random`, after the frame has authenticated. On any
    // error the state is exactly as before the call.
    result<received_message> decrypt(byte_view frame, rng& random);

    // The short code both people compare: "dddd dddd".
    std::string safety_code() const;
    const pub32& transcript_hash() const;
    // The peer's message numbers known to be missing, ascending.
    std::vector<std::uint32_t> missing() const;
    std::size_t skipped_key_count() const;

    // A full copy of the state, secrets included. Exists so tests can model a
    // device compromise (forward secrecy, healing); production code has no
    // reason to call it.
    session clone() const;

    // Wipes every key; later calls fail with session_closed.
    void close() noexcept;
    bool closed() const noexcept;

    // Made by the handshake implementation only (ratchet_state is internal).
    explicit session(std::unique_ptr<ratchet_state> st) noexcept;

private:
    std::unique_ptr<ratchet_state> st_;
};

// The safety code of a transcript hash (docs/CRYPTO.md, "Safety code").
std::string safety_code_for(const pub32& transcript_hash);

} // namespace peerline::crypto::e2e
