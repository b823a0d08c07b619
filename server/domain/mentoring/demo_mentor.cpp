#include "domain/mentoring/demo_mentor.hpp"

#include "domain/mentoring/availability.hpp"
#include "domain/mentoring/card.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace peerline::mentoring {

namespace {

using json = nlohmann::json;

// Through the same parsers as a mentor's own PUT, so the demo can never hold
// a card or availability the API would refuse.
std::string demo_card() {
    json body{{"display_name", "Dr Demo Mentor"},
              {"profile", "A demo mentor for trying Peerline locally: a GP partner for twenty years, "
                          "now working part-time. Not a real person."},
              {"areas", {"career-crossroads", "partnership", "wellbeing"}},
              {"region", "London"},
              {"languages", {"English"}}};
    std::string error;
    auto card = parse_card(body, error);
    if (!card) throw std::logic_error("demo mentor card refused: " + error);
    return to_json(*card).dump();
}

std::string demo_availability() {
    json weekly = json::array();
    for (int weekday = 0; weekday < 7; ++weekday)
        weekly.push_back({{"weekday", weekday}, {"start", "09:00"}, {"end", "17:00"}});
    json body{{"weekly", weekly}, {"one_off", json::array()}};
    std::string error;
    // Weekly windows only, so "today" plays no part.
    auto availability = parse_availability(body, date::local_days{}, error);
    if (!availability) throw std::logic_error("demo mentor availability refused: " + error);
    return to_json(*availability).dump();
}

} // namespace

boost::asio::awaitable<bool> ensure_demo_mentor(mentoring_store& store) {
    auto id = co_await store.grant(demo_mentor_username);
    if (id.unavailable) co_return false;
    if (!co_await store.put_card(id.value, demo_card())) co_return false;
    co_return co_await store.put_availability(id.value, demo_availability());
}

} // namespace peerline::mentoring
