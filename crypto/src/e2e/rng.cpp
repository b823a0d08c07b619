// The system RNG and the deterministic test RNG of docs/CRYPTO.md.
#include "peerline/crypto/e2e/rng.hpp"

#include <sodium.h>

#include <algorithm>
#include <string_view>

namespace peerline::crypto::e2e {

void system_rng::fill(std::span<byte> out) { randombytes_buf(out.data(), out.size()); }

deterministic_rng::deterministic_rng(const pub32& seed) noexcept {
    std::copy(seed.begin(), seed.end(), seed_.b.begin());
}

deterministic_rng::~deterministic_rng() { sodium_memzero(block_.data(), block_.size()); }

void deterministic_rng::next_block() noexcept {
    static constexpr std::string_view label = "PSC1/test-rng";
    std::array<byte, 8> counter{};
    for (std::size_t i = 0; i < 8; ++i) counter[i] = static_cast<byte>(counter_ >> (56 - 8 * i));
    crypto_generichash_state st;
    crypto_generichash_init(&st, seed_.data(), seed_.size(), block_.size());
    crypto_generichash_update(&st, reinterpret_cast<const byte*>(label.data()), label.size());
    crypto_generichash_update(&st, counter.data(), counter.size());
    crypto_generichash_final(&st, block_.data(), block_.size());
    ++counter_;
    used_ = 0;
}

void deterministic_rng::fill(std::span<byte> out) {
    std::size_t done = 0;
    while (done < out.size()) {
        if (used_ == block_.size()) next_block();
        const std::size_t n = std::min(out.size() - done, block_.size() - used_);
        std::copy_n(block_.begin() + static_cast<std::ptrdiff_t>(used_), n,
                    out.begin() + static_cast<std::ptrdiff_t>(done));
        used_ += n;
        done += n;
    }
}

} // namespace peerline::crypto::e2e
