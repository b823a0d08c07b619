// Bucket choice and ISO/IEC 7816-4 padding through libsodium's sodium_pad.
#include "peerline/crypto/e2e/padding.hpp"

#include "peerline/crypto/e2e/limits.hpp"

#include <sodium.h>

namespace peerline::crypto::e2e {

std::size_t bucket_for(std::size_t inner_bytes, std::size_t overhead) noexcept {
    for (std::size_t b : frame_buckets) {
        // +1: the padding always adds at least the 0x80 marker.
        if (b >= overhead && inner_bytes + 1 <= b - overhead) return b;
    }
    return 0;
}

bytes pad(byte_view inner, std::size_t padded_size) {
    bytes out(padded_size, 0);
    std::copy(inner.begin(), inner.end(), out.begin());
    std::size_t padded_len = 0;
    // Block size = the whole padded size, so exactly one block results.
    sodium_pad(&padded_len, out.data(), inner.size(), padded_size, out.size());
    return out;
}

result<bytes> unpad(byte_view padded) {
    if (padded.empty()) return error::bad_padding;
    std::size_t len = 0;
    if (sodium_unpad(&len, padded.data(), padded.size(), padded.size()) != 0) return error::bad_padding;
    return bytes(padded.begin(), padded.begin() + static_cast<std::ptrdiff_t>(len));
}

} // namespace peerline::crypto::e2e
