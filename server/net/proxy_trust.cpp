#include "net/proxy_trust.hpp"

#include "peerline/protocol/forwarded_for.hpp"

#include <stdexcept>

namespace peerline {

namespace {

protocol::ip_address to_ip(const net::ip::address& a) {
    if (a.is_v4()) return protocol::ip_address::from_v4(a.to_v4().to_bytes().data());
    return protocol::ip_address::from_v6(a.to_v6().to_bytes().data());
}

} // namespace

proxy_trust::proxy_trust(const std::vector<std::string>& ranges, bool proxy_protocol)
    : proxy_protocol_(proxy_protocol) {
    for (const auto& r : ranges) {
        auto c = protocol::parse_cidr(r);
        if (!c)
            throw std::invalid_argument("--trusted-proxy: '" + r +
                                        "' is not an address or a range such as 10.0.0.0/8 "
                                        "(with the bits below the prefix zero)");
        trusted_.push_back(*c);
    }
    if (proxy_protocol_ && trusted_.empty())
        throw std::invalid_argument("--proxy-protocol needs --trusted-proxy: the addresses allowed to send it");
}

bool proxy_trust::trusts(const net::ip::address& peer) const {
    return !trusted_.empty() && protocol::is_trusted(to_ip(peer), trusted_);
}

std::string proxy_trust::address_text(const net::ip::address& a) { return to_ip(a).to_string(); }

proxy_trust::request_client proxy_trust::client_of(const std::string& peer, const http_request& req) const {
    auto peer_ip = protocol::parse_ip(peer);
    if (!peer_ip) return {peer, {}}; // not a trusted proxy's address: nothing to learn
    std::vector<std::string_view> fields;
    // Several fields are one list, in the order they came (RFC 9110 5.3).
    auto [first, last] = req.equal_range("X-Forwarded-For");
    for (auto it = first; it != last; ++it) fields.emplace_back(it->value().data(), it->value().size());
    auto r = protocol::client_from_forwarded_for(*peer_ip, fields, trusted_);
    if (!r.client) return {{}, r.problem};
    return {r.client->to_string(), {}};
}

} // namespace peerline
