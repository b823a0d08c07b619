#include "peerline/protocol/proxy_v2.hpp"

#include <algorithm>
#include <cstdint>

namespace peerline::protocol {

namespace {

constexpr std::string_view signature{"\r\n\r\n\0\r\nQUIT\n", 12};

proxy_v2_result invalid(std::string_view why) {
    proxy_v2_result r;
    r.what = proxy_v2_result::kind::invalid;
    r.problem = why;
    return r;
}

proxy_v2_result need(std::size_t n) {
    proxy_v2_result r;
    r.what = proxy_v2_result::kind::need_more;
    r.length = n;
    return r;
}

} // namespace

proxy_v2_result decode_proxy_v2(std::string_view bytes) {
    // A wrong start is refused as soon as it is seen, not after 16 bytes.
    auto seen = std::min(bytes.size(), signature.size());
    if (bytes.substr(0, seen) != signature.substr(0, seen)) return invalid("no PROXY v2 signature");
    if (bytes.size() < proxy_v2_fixed_bytes) return need(proxy_v2_fixed_bytes);

    auto u8 = [&](std::size_t i) { return static_cast<unsigned>(static_cast<std::uint8_t>(bytes[i])); };
    unsigned version = u8(12) >> 4, command = u8(12) & 0x0fu;
    unsigned family = u8(13) >> 4, transport = u8(13) & 0x0fu;
    std::size_t payload = (std::size_t{u8(14)} << 8) | u8(15);
    if (version != 2) return invalid("not PROXY protocol version 2");
    if (command > 1) return invalid("unknown PROXY v2 command");
    if (payload > max_proxy_v2_payload_bytes) return invalid("PROXY v2 header over the size limit");
    std::size_t total = proxy_v2_fixed_bytes + payload;
    if (bytes.size() < total) return need(total);

    proxy_v2_result r;
    r.length = total;
    r.what = proxy_v2_result::kind::local;
    // LOCAL: the proxy speaks for itself (health checks); the address block,
    // if any, means nothing (section 2.2).
    if (command == 0) return r;
    if (family > 3) return invalid("unknown PROXY v2 address family");
    if (transport > 2) return invalid("unknown PROXY v2 transport");
    if (transport == 2) return invalid("PROXY v2 for a datagram connection");
    const auto* block = reinterpret_cast<const std::uint8_t*>(bytes.data()) + proxy_v2_fixed_bytes;
    switch (family) {
    case 1: // INET: source, destination, source port, destination port
        if (payload < 12) return invalid("PROXY v2 IPv4 address block too short");
        r.source = ip_address::from_v4(block);
        break;
    case 2: // INET6
        if (payload < 36) return invalid("PROXY v2 IPv6 address block too short");
        r.source = ip_address::from_v6(block);
        break;
    default: // UNSPEC or UNIX: no client IP to learn; the connection is the proxy's
        return r;
    }
    r.what = proxy_v2_result::kind::proxied;
    return r;
}

} // namespace peerline::protocol
