// Padding of message plaintexts to the frame size buckets (docs/CRYPTO.md,
// "Padding"). ISO/IEC 7816-4 padding (0x80 then zeros), as sodium_pad does.
#pragma once

#include "peerline/crypto/e2e/types.hpp"

namespace peerline::crypto::e2e {

// The smallest frame bucket that holds `inner_bytes` of plaintext plus the
// padding marker in a frame with `overhead` bytes around it; 0 if none does.
std::size_t bucket_for(std::size_t inner_bytes, std::size_t overhead) noexcept;

// `inner` padded to exactly `padded_size` bytes (> inner.size()).
bytes pad(byte_view inner, std::size_t padded_size);

// The plaintext before the padding, or bad_padding.
result<bytes> unpad(byte_view padded);

} // namespace peerline::crypto::e2e
