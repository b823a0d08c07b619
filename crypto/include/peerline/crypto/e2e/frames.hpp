// The four end-to-end frames (relay payloads) of PSC-1, byte by byte in
// docs/CRYPTO.md, "Frames". Decoders are strict: exact sizes, buckets for
// encrypted frames, typed errors, no allocation beyond the input's size.
#pragma once

#include "peerline/crypto/e2e/limits.hpp"
#include "peerline/crypto/e2e/types.hpp"

namespace peerline::crypto::e2e {

using sid_t = std::array<byte, sid_bytes>;
using nonce_t = std::array<byte, nonce_bytes>;

// GP -> listener: opens a session and commits to the GP's ephemeral key.
struct hello_frame {
    sid_t sid{};
    pub32 commitment{};
};

// Listener -> GP: the listener's ephemeral key, certificate and signature.
struct response_frame {
    sid_t sid{};
    pub32 ephemeral{};
    bytes certificate;  // encoded listener_certificate
    std::array<byte, 64> signature{};
};

// Views into an encrypted frame (confirm or message); valid while the input is.
struct encrypted_frame {
    std::uint8_t type = 0;
    sid_t sid{};
    pub32 gp_ephemeral{};   // confirm frames only
    nonce_t header_nonce{};
    byte_view enc_header;   // 56 bytes
    nonce_t body_nonce{};
    byte_view ciphertext;   // bucket - overhead bytes
    std::size_t header_ad_end = 0;  // frame[0, header_ad_end) is the header's AD suffix
    std::size_t body_ad_end = 0;    // frame[0, body_ad_end) is the body's AD suffix
};

// The frame type byte, or an error when the common prefix is malformed.
result<std::uint8_t> peek_frame_type(byte_view in);

bytes encode(const hello_frame& f);
// The response without its signature: what the listener signs.
bytes encode_unsigned(const response_frame& f);
bytes encode(const response_frame& f);

result<hello_frame> decode_hello(byte_view in);
result<response_frame> decode_response(byte_view in);
// Decodes a confirm or message frame (`expected_type`).
result<encrypted_frame> decode_encrypted(byte_view in, std::uint8_t expected_type);

} // namespace peerline::crypto::e2e
