// Injectable randomness. Production code uses system_rng (libsodium's
// randombytes_buf); test vectors use deterministic_rng so that the C++ and the
// JavaScript implementations produce byte-identical frames.
#pragma once

#include "peerline/crypto/e2e/types.hpp"

#include <cstdint>

namespace peerline::crypto::e2e {

class rng {
public:
    virtual ~rng() = default;
    // Fills `out` with random bytes. Must not fail.
    virtual void fill(std::span<byte> out) = 0;
};

// The operating system's CSPRNG through libsodium. Thread-safe.
class system_rng final : public rng {
public:
    void fill(std::span<byte> out) override;
};

// FOR TESTS ONLY. A reproducible stream: block i (64 bytes) is
// BLAKE2b-512(key = seed, message = "PSC1/test-rng" || u64be(i)); blocks are
// concatenated and handed out in order. docs/CRYPTO.md fixes this so the
// JavaScript twin yields the same bytes.
class deterministic_rng final : public rng {
public:
    explicit deterministic_rng(const pub32& seed) noexcept;
    ~deterministic_rng() override;
    deterministic_rng(const deterministic_rng&) = delete;
    deterministic_rng& operator=(const deterministic_rng&) = delete;
    void fill(std::span<byte> out) override;

private:
    void next_block() noexcept;
    key32 seed_;
    std::uint64_t counter_ = 0;
    std::array<byte, 64> block_{};
    std::size_t used_ = 64;
};

} // namespace peerline::crypto::e2e
