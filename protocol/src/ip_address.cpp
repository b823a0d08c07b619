#include "peerline/protocol/ip_address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace peerline::protocol {

ip_address ip_address::from_v4(const std::uint8_t* four) {
    ip_address a;
    std::memcpy(a.bytes.data(), four, 4);
    return a;
}

ip_address ip_address::from_v6(const std::uint8_t* sixteen) {
    static constexpr std::uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(sixteen, mapped_prefix, sizeof mapped_prefix) == 0) return from_v4(sixteen + 12);
    ip_address a;
    a.v6 = true;
    std::memcpy(a.bytes.data(), sixteen, 16);
    return a;
}

std::string ip_address::to_string() const {
    char text[INET6_ADDRSTRLEN] = {};
    // inet_ntop only formats memory: it cannot fail on a valid family and buffer.
    ::inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
    return text;
}

std::optional<ip_address> parse_ip(std::string_view text) {
    if (text.empty() || text.size() > max_ip_text_bytes) return std::nullopt;
    bool bracketed = text.front() == '[';
    if (bracketed) {
        if (text.size() < 3 || text.back() != ']') return std::nullopt;
        text = text.substr(1, text.size() - 2);
    }
    char buf[max_ip_text_bytes + 1];
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    if (std::memchr(buf, '\0', text.size())) return std::nullopt; // an embedded NUL
    std::uint8_t raw[16];
    if (!bracketed && ::inet_pton(AF_INET, buf, raw) == 1) return ip_address::from_v4(raw);
    if (::inet_pton(AF_INET6, buf, raw) == 1) return ip_address::from_v6(raw);
    return std::nullopt;
}

bool cidr::contains(const ip_address& a) const {
    if (a.v6 != base.v6) return false;
    unsigned full = prefix / 8, rest = prefix % 8;
    if (std::memcmp(a.bytes.data(), base.bytes.data(), full) != 0) return false;
    if (rest == 0) return true;
    auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (a.bytes[full] & mask) == (base.bytes[full] & mask);
}

std::optional<cidr> parse_cidr(std::string_view text) {
    auto slash = text.find('/');
    auto address = parse_ip(text.substr(0, slash));
    if (!address) return std::nullopt;
    unsigned width = address->v6 ? 128 : 32;
    cidr c{*address, width};
    if (slash != std::string_view::npos) {
        auto digits = text.substr(slash + 1);
        if (digits.empty() || digits.size() > 3) return std::nullopt;
        unsigned value = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec != std::errc{} || end != digits.data() + digits.size() || value > width) return std::nullopt;
        c.prefix = value;
    }
    // Host bits must be zero.
    for (unsigned bit = c.prefix; bit < width; ++bit)
        if (c.base.bytes[bit / 8] & (0x80u >> (bit % 8))) return std::nullopt;
    return c;
}

} // namespace peerline::protocol
