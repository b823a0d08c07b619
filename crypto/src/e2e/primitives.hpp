// The handful of libsodium calls PSC-1 is built from, with the domain labels
// of docs/CRYPTO.md ("KDF labels"). Internal. Every primitive here exists in
// libsodium 1.0.18 and in the standard libsodium-wrappers build.
#pragma once

#include "peerline/crypto/e2e/types.hpp"

#include <initializer_list>
#include <optional>
#include <string_view>

namespace peerline::crypto::e2e::prim {

// Labels: hashed as a prefix ("PSC1/..."), used as BLAKE2b keys, or as the
// 8-byte contexts of crypto_kdf_derive_from_key.
inline constexpr std::string_view label_certificate = "PSC1/certificate";
inline constexpr std::string_view label_revocation = "PSC1/revocation-list";
inline constexpr std::string_view label_enrolment = "PSC1/enrolment";
inline constexpr std::string_view label_delegation = "PSC1/revocation-delegation";
inline constexpr std::string_view label_directory = "PSC1/directory";
inline constexpr std::string_view label_key_fingerprint = "PSC1/key-fingerprint";
inline constexpr std::string_view label_commit = "PSC1/commit";
inline constexpr std::string_view label_response = "PSC1/response";
inline constexpr std::string_view label_transcript = "PSC1/transcript";
inline constexpr std::string_view label_safety = "PSC1/safety-code";
inline constexpr std::string_view key_handshake = "PSC1/handshake-key";  // 18 bytes: a BLAKE2b key
inline constexpr const char ctx_handshake[9] = "PSC1_hs_";
inline constexpr const char ctx_root[9] = "PSC1_rk_";
inline constexpr const char ctx_chain[9] = "PSC1_ck_";

inline byte_view as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const byte*>(s.data()), s.size()};
}

// BLAKE2b-256 of the concatenation of `parts`, keyed with `key` (may be empty).
pub32 hash(std::initializer_list<byte_view> parts, byte_view key = {});

// crypto_kdf_derive_from_key(32 bytes, id, ctx, key).
key32 kdf(const key32& key, std::uint64_t id, const char (&ctx)[9]);

// X25519; nullopt when the result is all zero (low-order or invalid point).
std::optional<key32> dh(const key32& secret, const pub32& peer_public);
// X25519 public key of a secret; nullopt only for a degenerate secret.
std::optional<pub32> dh_public(const key32& secret);

// Ed25519, detached, over label || message.
std::array<byte, 64> sign(std::string_view label, byte_view message, const std::array<byte, 64>& secret);
bool verify(std::string_view label, byte_view message, const std::array<byte, 64>& sig, const pub32& pk) noexcept;

// XChaCha20-Poly1305-IETF.
bytes seal(const key32& key, const std::array<byte, 24>& nonce, byte_view plain, byte_view ad);
std::optional<bytes> open(const key32& key, const std::array<byte, 24>& nonce, byte_view cipher, byte_view ad);

// Constant-time equality of two equally long byte strings.
bool equal(byte_view a, byte_view b) noexcept;

} // namespace peerline::crypto::e2e::prim
