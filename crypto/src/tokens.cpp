// Session tokens and BLAKE2b-256 hashes.
#include "bytes.hpp"
#include "peerline/crypto/crypto.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>

namespace peerline::crypto {

using detail::bytes;

namespace {

constexpr std::size_t token_bytes = 32;
constexpr std::size_t hash_bytes = 32; // BLAKE2b-256

static_assert(token_chars == sodium_base64_ENCODED_LEN(token_bytes,
                                 sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1);

std::string blake2b_256_hex(std::string_view data, std::string_view key) {
    std::array<unsigned char, hash_bytes> out{};
    crypto_generichash(out.data(), out.size(), bytes(data), data.size(),
                       key.empty() ? nullptr : bytes(key), key.size());
    return to_hex(std::string_view(reinterpret_cast<const char*>(out.data()), out.size()));
}

} // namespace

std::string generate_token() {
    std::string raw(token_bytes, '\0');
    randombytes_buf(raw.data(), raw.size());
    std::string token = to_base64url(raw);
    sodium_memzero(raw.data(), raw.size());
    return token;
}

bool is_well_formed_token(std::string_view token) noexcept {
    if (token.size() != token_chars) {
        return false;
    }
    // Decoding (rather than a character check) also rejects a last character
    // with non-zero padding bits, which generate_token never produces.
    std::array<unsigned char, token_bytes> raw{};
    std::size_t written = 0;
    const char* end = nullptr;
    const int rc = sodium_base642bin(raw.data(), raw.size(), token.data(), token.size(),
                                     nullptr, &written, &end,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw.data(), raw.size());
    return rc == 0 && written == token_bytes && end == token.data() + token.size();
}

std::string token_hash(std::string_view token) {
    // Unkeyed: a 256-bit random token cannot be brute-forced from its hash.
    return blake2b_256_hex(token, {});
}

std::string keyed_hash_hex(std::string_view data, std::string_view key) {
    if (!key.empty() &&
        (key.size() < crypto_generichash_KEYBYTES_MIN || key.size() > crypto_generichash_KEYBYTES_MAX)) {
        throw std::invalid_argument("keyed_hash_hex: key must be empty or 16..64 bytes");
    }
    return blake2b_256_hex(data, key);
}

} // namespace peerline::crypto
