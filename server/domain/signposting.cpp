#include "domain/signposting.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>

namespace peerline {

std::vector<protocol::alternative> load_alternatives(const std::string& path) {
    if (path.empty()) {
        // UK services that answer around the clock, free of charge.
        return {
            {"Samaritans", "Call 116 123 or email jo@samaritans.org", "24 hours, every day"},
            {"Shout", "Text SHOUT to 85258", "24 hours, every day"},
            {"NHS 111", "Call 111, or 999 in an emergency", "24 hours, every day"},
        };
    }
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read signposting file " + path);
    auto doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.is_array() || doc.empty() || doc.size() > 8)
        throw std::runtime_error("signposting file must be a JSON list of 1 to 8 services (a signposting frame must fit one control frame)");
    std::vector<protocol::alternative> out;
    for (auto& e : doc) {
        auto text = [&](const char* k) {
            if (!e.is_object() || !e.contains(k) || !e[k].is_string() || e[k].get<std::string>().empty() ||
                e[k].get<std::string>().size() > 200)
                throw std::runtime_error(std::string("signposting entries need a non-empty '") + k +
                                         "' string of at most 200 bytes");
            return e[k].get<std::string>();
        };
        out.push_back({text("name"), text("contact"), text("hours")});
    }
    return out;
}

} // namespace peerline
