// A Lua script embedded at build time from a .lua file (see
// server/redis/embed_scripts.cmake). Called with EVALSHA; the client loads
// it again when Redis answers NOSCRIPT (after a restart or SCRIPT FLUSH).
#pragma once

#include <string>
#include <string_view>

namespace peerline::redis {

struct script {
    std::string_view name;   // the file name without .lua, for logs
    std::string_view source; // the file's text
    std::string sha1;        // hex SHA-1 of source, as Redis computes it

    script(std::string_view n, std::string_view src);
};

} // namespace peerline::redis
