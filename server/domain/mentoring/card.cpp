#include "domain/mentoring/card.hpp"

#include <algorithm>
#include <set>

namespace peerline::mentoring {

namespace {

using json = nlohmann::json;

// Code points in valid UTF-8 (nlohmann/json refuses invalid UTF-8 when it
// parses, so every string here is valid).
std::size_t code_points(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// C0 controls and DEL, and C1 controls (U+0080..U+009F: 0xC2 0x80..0x9F).
bool has_control(std::string_view s, bool allow_newline) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c == '\n' && allow_newline) continue;
        if (c < 0x20 || c == 0x7F) return true;
        if (c == 0xC2 && i + 1 < s.size()) {
            auto d = static_cast<unsigned char>(s[i + 1]);
            if (d >= 0x80 && d <= 0x9F) return true;
        }
    }
    return false;
}

std::string trimmed(std::string_view s) {
    auto is_space = [](char c) { return c == ' ' || c == '\n'; };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return std::string(s);
}

std::optional<std::string> text(const json& v, std::size_t max_chars, bool allow_empty, bool allow_newline) {
    if (!v.is_string()) return std::nullopt;
    const auto& raw = v.get_ref<const std::string&>();
    if (has_control(raw, allow_newline)) return std::nullopt;
    auto t = trimmed(raw);
    if ((t.empty() && !allow_empty) || code_points(t) > max_chars) return std::nullopt;
    return t;
}

} // namespace

std::optional<card> parse_card(const json& body, std::string& error) {
    if (!body.is_object()) {
        error = "Send a JSON object with display_name, profile, areas, region and languages.";
        return std::nullopt;
    }
    for (auto it = body.begin(); it != body.end(); ++it) {
        static const std::set<std::string> known{"display_name", "profile", "areas", "region", "languages"};
        if (!known.count(it.key())) {
            error = "A card has only display_name, profile, areas, region and languages.";
            return std::nullopt;
        }
    }
    auto member = [&](const char* name) -> const json& {
        static const json missing;
        auto it = body.find(name);
        return it == body.end() ? missing : *it;
    };
    card c;
    auto fail = [&](std::string why) {
        error = std::move(why);
        return std::nullopt;
    };
    auto name = text(member("display_name"), card_limits::name_chars, false, false);
    if (!name) return fail("display_name: 1-80 characters, no control characters.");
    auto profile = text(member("profile"), card_limits::profile_chars, true, true);
    if (!profile) return fail("profile: at most 1000 characters, no control characters but line breaks.");
    auto region = text(member("region"), card_limits::region_chars, false, false);
    if (!region) return fail("region: 1-60 characters, no control characters.");
    const auto& a = member("areas");
    if (!a.is_array() || a.empty() || a.size() > areas.size())
        return fail("areas: 1-6 of career-crossroads, partnership, returning-to-work, leadership, "
                    "retirement-planning, wellbeing.");
    for (const auto& v : a) {
        if (!v.is_string() ||
            std::find(areas.begin(), areas.end(), v.get_ref<const std::string&>()) == areas.end() ||
            std::find(c.areas.begin(), c.areas.end(), v.get<std::string>()) != c.areas.end())
            return fail("areas: each one of the fixed list, each once.");
        c.areas.push_back(v.get<std::string>());
    }
    const auto& l = member("languages");
    if (!l.is_array() || l.empty() || l.size() > card_limits::languages)
        return fail("languages: 1-10 languages.");
    for (const auto& v : l) {
        auto lang = text(v, card_limits::language_chars, false, false);
        if (!lang || std::find(c.languages.begin(), c.languages.end(), *lang) != c.languages.end())
            return fail("languages: each 1-40 characters, no control characters, each once.");
        c.languages.push_back(std::move(*lang));
    }
    c.display_name = std::move(*name);
    c.profile = std::move(*profile);
    c.region = std::move(*region);
    return c;
}

json to_json(const card& c) {
    return json{{"display_name", c.display_name}, {"profile", c.profile}, {"areas", c.areas},
                {"region", c.region}, {"languages", c.languages}};
}

} // namespace peerline::mentoring
