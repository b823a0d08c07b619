// A small HTTP(S) GET client for `peerline verify-web`: one request per
// connection, a bounded body, a deadline for the whole exchange, and for
// https:// the system's (or a given) CA store with host name verification.
// Blocking: it runs its own io_context, for command-line use only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerline {

struct origin {
    bool tls = false;
    std::string host;
    std::string port;
    // "http://127.0.0.1:8080" or "https://host" (no path), or nullopt with a
    // reason in `error`. A path other than "/" is refused: Peerline is served
    // at the root of its origin.
    static std::optional<origin> parse(std::string_view url, std::string& error);
    std::string text() const;
};

struct fetch_options {
    std::chrono::milliseconds timeout{10000};
    std::size_t max_body_bytes = 8 * 1024 * 1024;
    std::string ca_file; // https only: trust this PEM file instead of the system store
};

struct fetched {
    unsigned status = 0;
    std::map<std::string, std::string> headers; // names in lower case; repeated headers joined with ", "
    std::string body;
    std::string header(const std::string& lower_name) const;
};

// GET `target` ("/assets/x.js") from `at` with these request headers.
// Throws std::runtime_error on any network, TLS or size failure.
fetched http_get(const origin& at, const std::string& target,
                 const std::vector<std::pair<std::string, std::string>>& headers, const fetch_options& opts);

} // namespace peerline
