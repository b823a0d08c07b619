// The headers every HTTP response carries, whatever produced it (the JSON
// API, /metrics, a refusal before any handler ran, static files). Set where
// a response is written (http_session::write) so no path can miss them;
// a header a handler already chose (static files' caching and their own
// Content-Security-Policy) is kept.
#pragma once

#include "net/beast.hpp"

namespace peerline {

// For responses that are not pages: nothing may be framed, run or fetched.
inline constexpr std::string_view api_content_security_policy = "default-src 'none'; frame-ancestors 'none'";

inline void set_security_headers(http_response& res) {
    auto set_if_absent = [&res](auto field, std::string_view value) {
        if (res.find(field) == res.end()) res.set(field, value);
    };
    set_if_absent(http::field::server, "peerline");
    set_if_absent(http::field::cache_control, "no-store");
    set_if_absent("X-Content-Type-Options", "nosniff");
    set_if_absent("Referrer-Policy", "no-referrer");
    set_if_absent("Content-Security-Policy", api_content_security_policy);
}

} // namespace peerline
