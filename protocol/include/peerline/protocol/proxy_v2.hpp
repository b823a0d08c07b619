// The PROXY protocol version 2 header (HAProxy's "proxy-protocol.txt",
// section 2.2): the binary preamble a load balancer sends before the
// client's own bytes to say whose connection it is passing on.
//
//   bytes 0-11   signature \r\n\r\n\0\r\nQUIT\n
//   byte 12      version (high nibble, 2) and command (low: 0 LOCAL, 1 PROXY)
//   byte 13      address family (high: 0 UNSPEC, 1 INET, 2 INET6, 3 UNIX)
//                and transport (low: 0 UNSPEC, 1 STREAM, 2 DGRAM)
//   bytes 14-15  length of what follows, big-endian
//   then         source and destination addresses and ports (12 bytes for
//                INET, 36 for INET6, 216 for UNIX), then TLVs (ignored)
//
// Pure: the caller reads bytes and calls decode_proxy_v2 with what it has;
// the answer says how many bytes the header needs, so the caller never reads
// past it into the client's own data (a TLS handshake or an HTTP request).
// Only the source address is used. The server trusts the header only on
// connections from configured proxies (server/net/connection_intake.cpp).
#pragma once

#include "peerline/protocol/ip_address.hpp"

#include <cstddef>
#include <optional>
#include <string_view>

namespace peerline::protocol {

inline constexpr std::size_t proxy_v2_fixed_bytes = 16;
// Largest address-and-TLV block accepted after the fixed 16 bytes. The
// specification allows 65535; HAProxy's TLVs (ALPN, authority, unique id,
// TLS details) fit well within this, and a larger header is refused rather
// than buffered.
inline constexpr std::size_t max_proxy_v2_payload_bytes = 1024;
inline constexpr std::size_t max_proxy_v2_bytes = proxy_v2_fixed_bytes + max_proxy_v2_payload_bytes;

struct proxy_v2_result {
    enum class kind {
        need_more, // `length` bytes are needed in all (16, then the whole header)
        invalid,   // not a PROXY v2 header, or one this server refuses: `problem` says why
        local,     // LOCAL command (the proxy's own health check) or an address
                   // family without an IP source (UNSPEC, UNIX): the connection
                   // is the proxy's own; `length` bytes to skip
        proxied,   // PROXY over TCP: `source` is the client; `length` bytes to skip
    };
    kind what = kind::invalid;
    std::size_t length = 0;
    std::optional<ip_address> source;
    std::string_view problem; // static text, for invalid
};

// Decodes the header at the start of `bytes` (which may continue with the
// client's data). Never reads beyond bytes.size() or max_proxy_v2_bytes.
proxy_v2_result decode_proxy_v2(std::string_view bytes);

} // namespace peerline::protocol
