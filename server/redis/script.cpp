#include "redis/script.hpp"

#include <openssl/sha.h>

namespace peerline::redis {

script::script(std::string_view n, std::string_view src) : name(n), source(src) {
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(src.data()), src.size(), digest);
    static constexpr char hex[] = "0123456789abcdef";
    sha1.reserve(2 * SHA_DIGEST_LENGTH);
    for (unsigned char b : digest) {
        sha1.push_back(hex[b >> 4]);
        sha1.push_back(hex[b & 0xf]);
    }
}

} // namespace peerline::redis
