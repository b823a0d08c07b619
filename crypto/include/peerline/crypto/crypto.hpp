// Peerline's libsodium helpers used by accounts and sessions: password
// hashing (Argon2id), session tokens and their hashes, random identifiers.
// Pure: no I/O, no globals beyond libsodium's own initialisation.
// docs/CRYPTO.md is the spec. All functions are thread-safe after init().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerline::crypto {

// Initialises libsodium; idempotent and thread-safe. Throws std::runtime_error
// if libsodium cannot be initialised. Every other function requires it.
void init();

// ---------------------------------------------------------------------------
// Passwords (Argon2id via crypto_pwhash_str_alg)
// ---------------------------------------------------------------------------

inline constexpr std::size_t max_password_bytes = 1024;
inline constexpr std::size_t min_password_bytes = 12;

struct pwhash_params {
    unsigned long long opslimit;
    std::size_t memlimit;
    // libsodium's INTERACTIVE limits (the server default for logins).
    static pwhash_params interactive() noexcept;
    // libsodium's MODERATE limits.
    static pwhash_params moderate() noexcept;
    // The smallest limits libsodium allows; for tests only.
    static pwhash_params minimum() noexcept;
};

// Returns the encoded "$argon2id$..." string. Throws std::invalid_argument if
// the password is empty or longer than max_password_bytes, std::runtime_error
// if hashing fails (out of memory).
std::string hash_password(std::string_view password, const pwhash_params& params);

// True only if `encoded` is a well-formed Argon2id hash of `password`.
// Oversized passwords and malformed hashes return false, never throw.
bool verify_password(std::string_view encoded, std::string_view password) noexcept;

// True if `encoded` was made with parameters other than `params` (rehash on
// next successful login).
bool password_needs_rehash(std::string_view encoded, const pwhash_params& params) noexcept;

// A one-time password for a new account: 24 characters from an alphabet
// without look-alikes (about 120 bits), grouped with dashes for reading aloud.
std::string generate_password();

// ---------------------------------------------------------------------------
// Session tokens
// ---------------------------------------------------------------------------

// 32 random bytes, base64url without padding: 43 characters.
inline constexpr std::size_t token_chars = 43;
std::string generate_token();

// True if `token` has the exact shape generate_token produces.
bool is_well_formed_token(std::string_view token) noexcept;

// The only form in which a token is ever stored: hex of BLAKE2b-256 of the
// token (64 hex characters). Tokens are 256-bit random, so an unkeyed hash is
// enough to make a stolen Redis dump useless for logging in.
std::string token_hash(std::string_view token);

// ---------------------------------------------------------------------------
// Identifiers and encodings
// ---------------------------------------------------------------------------

// `bytes` random bytes as lowercase hex (2*bytes characters).
std::string random_hex(std::size_t bytes = 16);

// Uniform random integer in [0, upper_bound).
std::uint32_t random_uniform(std::uint32_t upper_bound);

// Constant-time equality of two byte strings (false if lengths differ).
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

std::string to_hex(std::string_view bytes);
std::optional<std::string> from_hex(std::string_view hex);
std::string to_base64url(std::string_view bytes);
std::optional<std::string> from_base64url(std::string_view text);

// BLAKE2b-256 of `data` keyed with `key` (empty key = unkeyed), as hex.
// Used to pseudonymise client addresses in rate-limit keys.
std::string keyed_hash_hex(std::string_view data, std::string_view key);

} // namespace peerline::crypto
