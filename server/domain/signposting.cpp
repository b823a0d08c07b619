#include "domain/signposting.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>

namespace peerline {

std::optional<std::vector<protocol::alternative>> parse_alternatives(const nlohmann::json& doc,
                                                                     std::string& error) {
    if (!doc.is_array() || doc.empty() || doc.size() > max_alternatives) {
        error = "a list of 1 to 8 services is needed (a signposting frame must fit one control frame)";
        return std::nullopt;
    }
    std::vector<protocol::alternative> out;
    for (auto& e : doc) {
        if (!e.is_object() || e.size() != 3) {
            error = "each service has exactly 'name', 'contact' and 'hours'";
            return std::nullopt;
        }
        protocol::alternative a;
        for (auto [key, field] : {std::pair{"name", &a.name}, std::pair{"contact", &a.contact},
                                  std::pair{"hours", &a.hours}}) {
            auto it = e.find(key);
            if (it == e.end() || !it->is_string() || it->get_ref<const std::string&>().empty() ||
                it->get_ref<const std::string&>().size() > max_alternative_text) {
                error = std::string("each service needs a non-empty '") + key +
                        "' string of at most 200 bytes";
                return std::nullopt;
            }
            *field = it->get<std::string>();
        }
        out.push_back(std::move(a));
    }
    return out;
}

nlohmann::json alternatives_json(const std::vector<protocol::alternative>& list) {
    auto out = nlohmann::json::array();
    for (auto& a : list) out.push_back({{"name", a.name}, {"contact", a.contact}, {"hours", a.hours}});
    return out;
}

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
    std::string error;
    auto list = doc.is_discarded() ? std::nullopt : parse_alternatives(doc, error);
    if (!list) throw std::runtime_error("signposting file " + path + ": " + (error.empty() ? "not JSON" : error));
    return *list;
}

} // namespace peerline
