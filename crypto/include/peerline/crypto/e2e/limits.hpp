// Every limit and size of PSC-1 in one place (docs/CRYPTO.md, "Limits").
// The JavaScript module web-client/src/crypto/constants.js repeats them;
// the shared vectors would fail if the two drifted apart.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace peerline::crypto::e2e {

inline constexpr std::uint8_t protocol_version = 1;

// Frame types (byte 1 of every end-to-end frame).
inline constexpr std::uint8_t frame_hello = 1;
inline constexpr std::uint8_t frame_response = 2;
inline constexpr std::uint8_t frame_confirm = 3;
inline constexpr std::uint8_t frame_message = 4;

// Signed structure types (byte 1 of certificates, lists, requests).
inline constexpr std::uint8_t struct_certificate = 0x10;
inline constexpr std::uint8_t struct_revocation_list = 0x11;
inline constexpr std::uint8_t struct_enrolment = 0x12;
inline constexpr std::uint8_t struct_revocation_delegation = 0x13;
inline constexpr std::uint8_t struct_directory = 0x14;

inline constexpr std::size_t sid_bytes = 16;
inline constexpr std::size_t key_bytes = 32;
inline constexpr std::size_t signature_bytes = 64;
inline constexpr std::size_t nonce_bytes = 24;   // XChaCha20-Poly1305
inline constexpr std::size_t tag_bytes = 16;     // Poly1305
inline constexpr std::size_t header_bytes = 40;  // dh(32) pn(4) n(4)
inline constexpr std::size_t enc_header_bytes = header_bytes + tag_bytes;
inline constexpr std::size_t seq_bytes = 4;

// Certificates.
inline constexpr std::size_t max_handle_bytes = 64;
inline constexpr std::uint64_t max_cert_validity_s = 30ull * 24 * 3600;
// A revocation list is valid for at most 48 hours, so a server that keeps
// serving an old one (a rollback) is refused within 48 hours of a revocation.
inline constexpr std::uint64_t max_crl_validity_s = 48ull * 3600;
// The root delegates list signing to a revocation key for at most a year and a day.
inline constexpr std::uint64_t max_delegation_validity_s = 366ull * 24 * 3600;
inline constexpr std::size_t delegation_bytes = 2 + 32 + 8 + 8 + 64;
// The root-signed directory: one current certificate per handle.
inline constexpr std::uint32_t max_directory_entries = 2000;
inline constexpr std::size_t directory_entry_fixed_bytes = 1 + 8 + 8 + 8 + 32;  // plus the handle
inline constexpr std::uint32_t max_revoked_serials = 10000;
inline constexpr std::uint64_t max_serial = (1ull << 63) - 1;
inline constexpr std::size_t cert_fixed_bytes = 92;  // before the handle
inline constexpr std::size_t min_cert_bytes = cert_fixed_bytes + 1 + signature_bytes;
inline constexpr std::size_t max_cert_bytes = cert_fixed_bytes + max_handle_bytes + signature_bytes;

// Frames. Message and confirm frames always have one of these total sizes, so
// the relay learns nothing finer than the bucket (64 KiB + the 4-byte relay
// header is exactly the server's max_relay_frame_bytes).
inline constexpr std::array<std::size_t, 4> frame_buckets = {1024, 4096, 16384, 65536};
inline constexpr std::size_t prefix_bytes = 2 + sid_bytes;
inline constexpr std::size_t hello_bytes = prefix_bytes + key_bytes;
// Every response has this one size: the certificate is followed by zeros up
// to max_cert_bytes, so the frame's length does not reveal the handle's.
inline constexpr std::size_t response_bytes = prefix_bytes + key_bytes + 2 + max_cert_bytes + signature_bytes;
// Everything in a message frame except the padded plaintext.
inline constexpr std::size_t message_overhead =
    prefix_bytes + nonce_bytes + enc_header_bytes + nonce_bytes + tag_bytes;
inline constexpr std::size_t confirm_overhead = message_overhead + key_bytes;
// The largest application payload: the biggest bucket minus the confirm
// overhead (the larger one), the sequence number and the padding marker.
inline constexpr std::size_t max_payload_bytes = 65536 - confirm_overhead - seq_bytes - 1;

// Double Ratchet.
inline constexpr std::uint32_t max_skip = 100;          // message keys skipped in one chain jump
inline constexpr std::size_t max_skipped_keys = 500;    // stored skipped keys, all chains
inline constexpr std::uint64_t skipped_key_max_age = 100;  // in messages received since it was stored

// Listener side: how many answered session ids are remembered.
inline constexpr std::size_t sid_cache_entries = 4096;

} // namespace peerline::crypto::e2e
