// libsodium initialisation and random values.
#include "peerline/crypto/crypto.hpp"

#include <sodium.h>

#include <stdexcept>

namespace peerline::crypto {

void init() {
    // sodium_init() is itself thread-safe and returns 1 when already done.
    if (sodium_init() < 0) {
        throw std::runtime_error("libsodium could not be initialised");
    }
}

std::string random_hex(std::size_t bytes) {
    std::string raw(bytes, '\0');
    randombytes_buf(raw.data(), raw.size());
    std::string hex = to_hex(raw);
    // Random ids are sometimes used as secrets (e.g. invitation codes).
    sodium_memzero(raw.data(), raw.size());
    return hex;
}

std::uint32_t random_uniform(std::uint32_t upper_bound) {
    // [0, 0) is empty; libsodium would silently return 0.
    if (upper_bound == 0) {
        throw std::invalid_argument("random_uniform: upper_bound must be positive");
    }
    return randombytes_uniform(upper_bound);
}

} // namespace peerline::crypto
