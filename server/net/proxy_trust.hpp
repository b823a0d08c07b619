// Which TCP peers are trusted proxies (--trusted-proxy), whether they speak
// the PROXY protocol (--proxy-protocol), and the client address a request
// passed on by one of them stands for (X-Forwarded-For, read as nginx's
// realip module does). Nobody else's PROXY header or X-Forwarded-For is ever
// looked at. The parsing is protocol/'s (ip_address, forwarded_for,
// proxy_v2); this class only applies it to what Beast and Asio hand over.
// Immutable after construction; thread-safe.
#pragma once

#include "net/beast.hpp"
#include "peerline/protocol/ip_address.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace peerline {

class proxy_trust {
public:
    // `ranges`: addresses or CIDR ranges. Throws std::invalid_argument naming
    // the first entry that is neither, or if proxy_protocol is set with no
    // trusted proxy.
    proxy_trust(const std::vector<std::string>& ranges, bool proxy_protocol);

    bool trusts(const net::ip::address& peer) const;
    // Connections from trusted proxies start with a PROXY v2 header (and
    // X-Forwarded-For is then ignored: the header already named the client).
    bool proxy_protocol() const noexcept { return proxy_protocol_; }

    struct request_client {
        std::string address;       // set unless problem is
        std::string_view problem;  // a malformed X-Forwarded-For
    };
    // For a request that a trusted proxy at `peer` passed on: the client.
    request_client client_of(const std::string& peer, const http_request& req) const;

    // The text an address is counted under: canonical, an IPv4-mapped IPv6
    // address written as IPv4.
    static std::string address_text(const net::ip::address& a);

private:
    std::vector<protocol::cidr> trusted_;
    bool proxy_protocol_;
};

} // namespace peerline
