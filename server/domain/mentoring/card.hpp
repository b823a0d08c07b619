// A mentor's card: what a GP sees when choosing (display name, a short
// profile, areas from a fixed list, region, languages). Pure: parsing with
// explicit limits, the same as the browser's (web-client/src/mentoring/
// mentor-cards.ts LIMITS and AREAS), so a card the server stores is one
// every browser accepts.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerline::mentoring {

inline constexpr std::array<std::string_view, 6> areas{
    "career-crossroads", "partnership", "returning-to-work", "leadership", "retirement-planning", "wellbeing"};

struct card_limits {
    static constexpr std::size_t name_chars = 80;
    static constexpr std::size_t profile_chars = 1000;
    static constexpr std::size_t region_chars = 60;
    static constexpr std::size_t languages = 10;
    static constexpr std::size_t language_chars = 40;
};

struct card {
    std::string display_name;
    std::string profile;
    std::vector<std::string> areas;
    std::string region;
    std::vector<std::string> languages;
};

// The card in a PUT body: exactly the five members, within card_limits
// (counted in Unicode code points), no control characters except line
// breaks in the profile, areas and languages distinct. Leading and trailing
// spaces are trimmed. On failure returns nullopt and says which member in
// `error`.
std::optional<card> parse_card(const nlohmann::json& body, std::string& error);

nlohmann::json to_json(const card& c);

} // namespace peerline::mentoring
