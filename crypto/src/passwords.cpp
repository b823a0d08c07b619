// Argon2id password hashing and one-time passwords.
#include "peerline/crypto/crypto.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>
#include <string>

namespace peerline::crypto {

namespace {

constexpr std::string_view argon2id_prefix = crypto_pwhash_argon2id_STRPREFIX;

// An encoded hash we are willing to hand to libsodium: Argon2id (argon2i
// strings would also verify, but we never produce them), shorter than
// libsodium's buffer and free of NUL bytes, because libsodium reads it as a C
// string and would otherwise ignore anything after an embedded NUL.
bool plausible_encoding(std::string_view encoded) noexcept {
    return encoded.size() < crypto_pwhash_STRBYTES && encoded.starts_with(argon2id_prefix) &&
           encoded.find('\0') == std::string_view::npos;
}

// Copies `encoded` into a NUL-terminated buffer without allocating.
std::array<char, crypto_pwhash_STRBYTES> c_string(std::string_view encoded) noexcept {
    std::array<char, crypto_pwhash_STRBYTES> buf{};
    encoded.copy(buf.data(), buf.size() - 1);
    return buf;
}

} // namespace

pwhash_params pwhash_params::interactive() noexcept {
    return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

pwhash_params pwhash_params::moderate() noexcept {
    return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
}

pwhash_params pwhash_params::minimum() noexcept {
    return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

std::string hash_password(std::string_view password, const pwhash_params& params) {
    if (password.empty() || password.size() > max_password_bytes) {
        throw std::invalid_argument("password must be 1.." + std::to_string(max_password_bytes) +
                                    " bytes");
    }
    std::array<char, crypto_pwhash_STRBYTES> out{};
    if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), params.opslimit,
                              params.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        throw std::runtime_error("password hashing failed (out of memory or invalid limits)");
    }
    return std::string(out.data());
}

bool verify_password(std::string_view encoded, std::string_view password) noexcept {
    // The length cap bounds the work an attacker can make us do per attempt.
    if (password.empty() || password.size() > max_password_bytes || !plausible_encoding(encoded)) {
        return false;
    }
    const auto str = c_string(encoded);
    return crypto_pwhash_str_verify(str.data(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(std::string_view encoded, const pwhash_params& params) noexcept {
    // A malformed or non-Argon2id hash always needs replacing.
    if (!plausible_encoding(encoded)) {
        return true;
    }
    const auto str = c_string(encoded);
    return crypto_pwhash_str_needs_rehash(str.data(), params.opslimit, params.memlimit) != 0;
}

std::string generate_password() {
    // 32 symbols = 5 bits each, 24 symbols = 120 bits. Lower case only, no
    // 0/o, 1/l (and hence no O/I), so it can be read aloud and typed back.
    constexpr std::string_view alphabet = "23456789abcdefghijkmnpqrstuvwxyz";
    static_assert(alphabet.size() == 32);
    constexpr std::size_t groups = 6;
    constexpr std::size_t group_len = 4;

    std::string out;
    out.reserve(groups * group_len + groups - 1); // no reallocation: no stray copies
    for (std::size_t g = 0; g < groups; ++g) {
        if (g != 0) {
            out.push_back('-');
        }
        for (std::size_t i = 0; i < group_len; ++i) {
            out.push_back(alphabet[randombytes_uniform(static_cast<std::uint32_t>(alphabet.size()))]);
        }
    }
    return out;
}

} // namespace peerline::crypto
