// Internal helpers shared by the crypto sources; not part of the public API.
#pragma once

#include <string>
#include <string_view>

namespace peerline::crypto::detail {

// libsodium takes unsigned char*; std::string_view holds char. Both are byte
// types, so this reinterpret_cast is well defined.
inline const unsigned char* bytes(std::string_view s) noexcept {
    return reinterpret_cast<const unsigned char*>(s.data());
}

inline unsigned char* bytes(std::string& s) noexcept {
    return reinterpret_cast<unsigned char*>(s.data());
}

} // namespace peerline::crypto::detail
