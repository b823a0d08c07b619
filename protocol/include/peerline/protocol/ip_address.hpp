// Client addresses as a proxy reports them: IPv4 and IPv6 addresses in
// binary form, their text, and address ranges (CIDR) to say which proxies
// are trusted. Pure: no sockets, no name lookups.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace peerline::protocol {

// Longest address text accepted (an IPv6 address with an embedded IPv4 tail
// is at most 45 characters; two for optional brackets).
inline constexpr std::size_t max_ip_text_bytes = 47;

struct ip_address {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{}; // IPv4: the first 4

    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes the IPv4 one, so
    // a client counts the same whichever way a dual-stack socket or a proxy
    // writes it.
    static ip_address from_v4(const std::uint8_t* four);
    static ip_address from_v6(const std::uint8_t* sixteen);

    // Canonical text: dotted quad, or RFC 5952 IPv6 ("2001:db8::1").
    std::string to_string() const;
    bool operator==(const ip_address&) const = default;
};

// Parses an IPv4 dotted quad or an IPv6 address, optionally in brackets
// ("[2001:db8::1]"). No ports, zones, names or surrounding spaces; nullopt
// for anything else or anything over max_ip_text_bytes.
std::optional<ip_address> parse_ip(std::string_view text);

// An address range: "10.0.0.0/8", "2001:db8::/32", or one address ("a.b.c.d"
// is /32, an IPv6 address /128). Bits below the prefix must be zero (a range
// written "10.0.0.1/8" is a mistake worth refusing, not guessing).
struct cidr {
    ip_address base;
    unsigned prefix = 0;
    bool contains(const ip_address& a) const;
};

// nullopt for anything that is not one of the forms above.
std::optional<cidr> parse_cidr(std::string_view text);

} // namespace peerline::protocol
