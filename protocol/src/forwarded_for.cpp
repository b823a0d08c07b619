#include "peerline/protocol/forwarded_for.hpp"

#include <algorithm>

namespace peerline::protocol {

namespace {

std::string_view trim(std::string_view s) {
    auto ows = [](char c) { return c == ' ' || c == '\t'; };
    while (!s.empty() && ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && ows(s.back())) s.remove_suffix(1);
    return s;
}

forwarded_for_result problem(std::string_view why) { return {std::nullopt, why}; }

} // namespace

bool is_trusted(const ip_address& a, const std::vector<cidr>& trusted) {
    return std::any_of(trusted.begin(), trusted.end(), [&](const cidr& c) { return c.contains(a); });
}

forwarded_for_result client_from_forwarded_for(const ip_address& peer,
                                               const std::vector<std::string_view>& fields,
                                               const std::vector<cidr>& trusted) {
    if (!is_trusted(peer, trusted)) return {peer, {}};
    std::size_t bytes = 0;
    for (auto f : fields) bytes += f.size();
    if (bytes > max_forwarded_for_bytes) return problem("X-Forwarded-For over the size limit");

    std::optional<ip_address> last_trusted;
    std::size_t hops = 0;
    // Right to left: the last field first, each field's elements from its end.
    for (auto field = fields.rbegin(); field != fields.rend(); ++field) {
        std::string_view rest = *field;
        while (true) {
            auto comma = rest.rfind(',');
            auto element = trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
            if (!element.empty()) { // empty list elements are allowed and mean nothing
                if (++hops > max_forwarded_hops) return problem("X-Forwarded-For has too many addresses");
                auto a = parse_ip(element);
                if (!a) return problem("X-Forwarded-For holds something that is not an address");
                if (!is_trusted(*a, trusted)) return {*a, {}};
                last_trusted = *a;
            }
            if (comma == std::string_view::npos) break;
            rest = rest.substr(0, comma);
        }
    }
    return {last_trusted ? *last_trusted : peer, {}};
}

} // namespace peerline::protocol
