// A small synchronous HTTP/1.1 client over plain TCP or TLS, one connection
// per request, with an overall timeout. Built on Beast but keeps it out of
// this header.
#pragma once

#include "peerline/client/endpoint.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace peerline::client {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_response {
    int status = 0;
    header_list headers;
    std::string body;

    // The first header with this name (case-insensitive), or "" if absent.
    std::string header(std::string_view name) const;
    // The body parsed as JSON; throws client_error quoting the body if it is
    // not JSON.
    nlohmann::json json() const;
};

// Sends one request and reads the whole response. `method` is a standard
// verb ("GET", "POST", ...). A non-empty body gets Content-Type
// application/json unless `headers` sets one. Throws client_error on
// connection failure or timeout; any HTTP status is a normal result.
http_response http_request(const endpoint& ep, std::string_view method, std::string_view target,
                           std::string_view body = {}, const header_list& headers = {},
                           duration timeout = default_timeout);

http_response http_get(const endpoint& ep, std::string_view target, const header_list& headers = {},
                       duration timeout = default_timeout);

http_response http_post_json(const endpoint& ep, std::string_view target,
                             const nlohmann::json& body, const header_list& headers = {},
                             duration timeout = default_timeout);

// {"Authorization", "Bearer <token>"}.
header_list bearer(std::string_view token);

} // namespace peerline::client
