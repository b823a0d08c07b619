// Hex and base64url codecs and constant-time comparison.
//
// Decoders are strict: any character outside the alphabet, an odd hex length,
// a base64url length that cannot come from whole bytes, non-zero padding bits
// or trailing garbage make them return nullopt.
#include "bytes.hpp"
#include "peerline/crypto/crypto.hpp"

#include <sodium.h>

namespace peerline::crypto {

using detail::bytes;

std::string to_hex(std::string_view in) {
    // sodium_bin2hex writes a terminating NUL, hence the extra byte.
    std::string out(in.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), bytes(in), in.size());
    out.pop_back();
    return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) {
        return std::nullopt;
    }
    std::string out(hex.size() / 2, '\0');
    if (out.empty()) {
        return out;
    }
    std::size_t written = 0;
    const char* end = nullptr;
    const int rc = sodium_hex2bin(bytes(out), out.size(), hex.data(), hex.size(),
                                  nullptr, &written, &end);
    if (rc != 0 || end != hex.data() + hex.size() || written != out.size()) {
        // The input may have been a key; do not leave half of it behind.
        sodium_memzero(out.data(), out.size());
        return std::nullopt;
    }
    return out;
}

std::string to_base64url(std::string_view in) {
    constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    // The encoded length includes the terminating NUL.
    std::string out(sodium_base64_ENCODED_LEN(in.size(), variant), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes(in), in.size(), variant);
    out.pop_back();
    return out;
}

std::optional<std::string> from_base64url(std::string_view text) {
    if (text.empty()) {
        return std::string{};
    }
    // Every 4 characters carry 3 bytes and a 2- or 3-character tail at most 2
    // more; libsodium rejects a 1-character tail (6 bits: no whole byte).
    std::string out(text.size() / 4 * 3 + 2, '\0');
    std::size_t written = 0;
    const char* end = nullptr;
    const int rc = sodium_base642bin(bytes(out), out.size(), text.data(), text.size(),
                                     nullptr, &written, &end,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (rc != 0 || end != text.data() + text.size()) {
        sodium_memzero(out.data(), out.size());
        return std::nullopt;
    }
    out.resize(written);
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    // Lengths are public (tokens and hashes have fixed sizes); contents are not.
    if (a.size() != b.size()) {
        return false;
    }
    if (a.empty()) {
        return true;
    }
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace peerline::crypto
