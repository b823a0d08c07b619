// Bounds-checked big-endian reader and writer for the PSC-1 encodings.
// Internal; every decoder in this directory reads through `reader` so no
// decoder can read past its input.
#pragma once

#include "peerline/crypto/e2e/types.hpp"

#include <cstring>
#include <string_view>

namespace peerline::crypto::e2e::wire {

class reader {
public:
    explicit reader(byte_view in) noexcept : in_(in) {}
    std::size_t pos() const noexcept { return pos_; }
    std::size_t remaining() const noexcept { return in_.size() - pos_; }

    bool take(std::size_t n, byte_view& out) noexcept {
        if (remaining() < n) return false;
        out = in_.subspan(pos_, n);
        pos_ += n;
        return true;
    }
    template <std::size_t N>
    bool array(std::array<byte, N>& out) noexcept {
        byte_view v;
        if (!take(N, v)) return false;
        std::memcpy(out.data(), v.data(), N);
        return true;
    }
    bool u8(std::uint8_t& out) noexcept {
        byte_view v;
        if (!take(1, v)) return false;
        out = v[0];
        return true;
    }
    bool u16(std::uint16_t& out) noexcept {
        byte_view v;
        if (!take(2, v)) return false;
        out = static_cast<std::uint16_t>((v[0] << 8) | v[1]);
        return true;
    }
    bool u32(std::uint32_t& out) noexcept {
        byte_view v;
        if (!take(4, v)) return false;
        out = 0;
        for (byte b : v) out = (out << 8) | b;
        return true;
    }
    bool u64(std::uint64_t& out) noexcept {
        byte_view v;
        if (!take(8, v)) return false;
        out = 0;
        for (byte b : v) out = (out << 8) | b;
        return true;
    }

private:
    byte_view in_;
    std::size_t pos_ = 0;
};

class writer {
public:
    bytes out;
    void put(byte_view v) { out.insert(out.end(), v.begin(), v.end()); }
    void put(std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }
    template <std::size_t N>
    void put(const std::array<byte, N>& a) { out.insert(out.end(), a.begin(), a.end()); }
    void u8(std::uint8_t v) { out.push_back(v); }
    void u16(std::uint16_t v) {
        out.push_back(static_cast<byte>(v >> 8));
        out.push_back(static_cast<byte>(v));
    }
    void u32(std::uint32_t v) {
        for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<byte>(v >> s));
    }
    void u64(std::uint64_t v) {
        for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<byte>(v >> s));
    }
};

} // namespace peerline::crypto::e2e::wire
