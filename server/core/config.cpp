#include "core/config.hpp"

#include <charconv>

namespace peerline {

std::optional<redis_address> redis_address::parse(const std::string& url) {
    redis_address a;
    const std::string tcp = "redis://", unix_scheme = "unix://";
    if (url.rfind(unix_scheme, 0) == 0) {
        a.unix_path = url.substr(unix_scheme.size());
        if (a.unix_path.empty() || a.unix_path.front() != '/') return std::nullopt;
        return a;
    }
    if (url.rfind(tcp, 0) != 0) return std::nullopt;
    std::string rest = url.substr(tcp.size());
    if (!rest.empty() && rest.back() == '/') rest.pop_back();
    auto colon = rest.rfind(':');
    if (colon == std::string::npos) {
        a.host = rest;
    } else {
        a.host = rest.substr(0, colon);
        auto port_text = rest.substr(colon + 1);
        unsigned value = 0;
        auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
        if (ec != std::errc{} || p != port_text.data() + port_text.size() || value == 0 ||
            value > 65535)
            return std::nullopt;
        a.port = static_cast<std::uint16_t>(value);
    }
    if (a.host.empty() || a.host.find('@') != std::string::npos) return std::nullopt;
    return a;
}

std::string redis_address::to_string() const {
    if (!unix_path.empty()) return "unix://" + unix_path;
    return "redis://" + host + ":" + std::to_string(port);
}

} // namespace peerline
