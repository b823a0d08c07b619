// The pure mentoring rules (server/domain/mentoring/): cards, availability in
// Europe/London across clock changes, and what a series may become.
#include "domain/mentoring/availability.hpp"
#include "domain/mentoring/card.hpp"
#include "domain/mentoring/series.hpp"

#include <catch2/catch.hpp>

using namespace peerline::mentoring;
using nlohmann::json;
using namespace std::chrono;

namespace {

const date::time_zone* london() { return date::locate_zone("Europe/London"); }

peerline::rota::sys_seconds utc(int y, unsigned m, unsigned d, int h, int min = 0) {
    return peerline::rota::sys_seconds(date::sys_days(date::year{y} / m / d)) + hours(h) + minutes(min);
}

long long ms(peerline::rota::sys_seconds t) { return duration_cast<milliseconds>(t.time_since_epoch()).count(); }

// `c` with member `key` set to `value`.
json with(json c, const std::string& key, const json& value) {
    c[key] = value;
    return c;
}

constexpr long long hour_ms = 3'600'000;
constexpr long long day_ms = 24 * hour_ms;

} // namespace

TEST_CASE("a card is trimmed and checked member by member, counting characters not bytes", "[mentoring]") {
    json c{{"display_name", "  Dr Ames  "}, {"profile", "Line one\nline two"}, {"areas", {"leadership"}},
           {"region", "Wessex"}, {"languages", {"English", "Cymraeg"}}};
    std::string error;
    auto card = parse_card(c, error);
    REQUIRE(card);
    CHECK(card->display_name == "Dr Ames");
    CHECK(to_json(*card)["languages"] == json({"English", "Cymraeg"}));
    std::string eighty;
    for (int i = 0; i < 80; ++i) eighty += "\u00e9"; // 80 characters, 160 bytes
    CHECK(parse_card(with(c, "display_name", eighty), error));
    CHECK_FALSE(parse_card(with(c, "display_name", eighty + "e"), error));
    CHECK(error.find("display_name") != std::string::npos);
    CHECK_FALSE(parse_card(with(c, "region", "East\tMidlands"), error));
    CHECK_FALSE(parse_card(with(c, "display_name", "Dr\nAmes"), error)); // line breaks only in the profile
    CHECK_FALSE(parse_card(with(c, "languages", {"English", "English"}), error));
    CHECK_FALSE(parse_card(with(c, "areas", {"leadership", 3}), error));
    CHECK_FALSE(parse_card(json::array(), error));
}

TEST_CASE("weekly availability keeps London wall-clock time across the clock changes, less bookings",
          "[mentoring]") {
    std::string error;
    auto today = date::local_days(date::year{2027} / 1 / 1);
    json body{{"weekly", {{{"weekday", 0}, {"start", "10:00"}, {"end", "12:00"}}}},
              {"one_off", {{{"date", "2027-10-27"}, {"start", "22:00"}, {"end", "01:00"}}}}};
    auto a = parse_availability(body, today, error);
    REQUIRE(a);
    CHECK(to_json(*a) == body);
    // Spring: Sunday 21 March 10:00 GMT, Sunday 28 March 09:00 UTC (BST).
    auto spring = free_windows(*a, london(), utc(2027, 3, 19, 0), utc(2027, 4, 1, 0));
    REQUIRE(spring.size() == 2);
    CHECK(spring[0].start == utc(2027, 3, 21, 10));
    CHECK(spring[1].start == utc(2027, 3, 28, 9));
    CHECK(spring[1].end == utc(2027, 3, 28, 11));
    // Autumn: the one-off runs past midnight; Sunday 31 October is GMT again.
    auto autumn = free_windows(*a, london(), utc(2027, 10, 24, 12), utc(2027, 11, 1, 0));
    REQUIRE(autumn.size() == 2);
    CHECK(autumn[0].start == utc(2027, 10, 27, 21)); // 22:00 BST
    CHECK(autumn[0].end == utc(2027, 10, 28, 0));    // 01:00 BST
    CHECK(autumn[1].start == utc(2027, 10, 31, 10));
    // A booking in the middle of a window splits it.
    auto split = free_windows(*a, london(), utc(2027, 3, 20, 0), utc(2027, 3, 22, 0),
                              {{utc(2027, 3, 21, 10, 30), utc(2027, 3, 21, 11)}});
    REQUIRE(split.size() == 2);
    CHECK(split[0].end == utc(2027, 3, 21, 10, 30));
    CHECK(split[1].start == utc(2027, 3, 21, 11));
    CHECK(covers(*a, london(), utc(2027, 3, 28, 9), utc(2027, 3, 28, 11)));
    CHECK_FALSE(covers(*a, london(), utc(2027, 3, 28, 10), utc(2027, 3, 28, 12))); // 11:00-13:00 BST
    CHECK_FALSE(parse_availability(json{{"weekly", json::array()}, {"one_off", {{{"date", "2026-12-31"},
                                                                                 {"start", "09:00"},
                                                                                 {"end", "10:00"}}}}},
                                   today, error));
}

TEST_CASE("a series is booked whole, moved one or this-and-later, cancelled from a session on, and keeps its rules",
          "[mentoring]") {
    plan p; // 4 x 120 min, 14 days apart, at most 12 months
    long long now = ms(utc(2027, 1, 1, 0));
    auto at = [&](int d, int h = 10) { return peerline::mentoring::proposed{now + d * day_ms + h * hour_ms, now + d * day_ms + (h + 2) * hour_ms}; };
    change book{change::kind::book, 1, {at(1), at(20), at(40), at(60)}};
    auto r = apply_change(p, 4, {}, book, now);
    REQUIRE(r.error.empty());
    CHECK(r.bookings.size() == 4);
    CHECK(r.changed == std::vector<unsigned>{1, 2, 3, 4});

    auto fails = [&](change c, const std::vector<booking>& from, const std::string& code) {
        auto x = apply_change(p, 4, from, c, now);
        CHECK(x.error == code);
    };
    fails({change::kind::book, 1, {at(1), at(20), at(40)}}, {}, "invalid_series");          // not all
    fails({change::kind::book, 1, {at(1), at(10), at(40), at(60)}}, {}, "invalid_series");  // 9 days apart
    fails({change::kind::book, 1, {at(-1), at(20), at(40), at(60)}}, {}, "invalid_series"); // the past
    fails({change::kind::book, 1, {at(1), at(20), at(40), at(400)}}, {}, "invalid_series"); // over 12 months
    fails({change::kind::book, 1, {{now + day_ms, now + day_ms + hour_ms}, at(20), at(40), at(60)}}, {}, "invalid_series");

    auto moved = apply_change(p, 4, r.bookings, {change::kind::move, 2, {at(21)}}, now);
    REQUIRE(moved.error.empty());
    CHECK(moved.changed == std::vector<unsigned>{2});
    CHECK(moved.bookings[1].revision == 1);
    CHECK(moved.bookings[2].revision == 0);
    auto later = apply_change(p, 4, moved.bookings, {change::kind::move, 3, {at(45), at(70)}}, now);
    REQUIRE(later.error.empty());
    CHECK(later.bookings[3].start_ms == at(70).start_ms);
    fails({change::kind::move, 3, {at(45), at(70), at(90)}}, moved.bookings, "invalid_series");
    fails({change::kind::move, 7, {at(45)}}, moved.bookings, "no_such_session");
    auto cancelled = apply_change(p, 4, later.bookings, {change::kind::cancel, 3, {}}, now);
    REQUIRE(cancelled.error.empty());
    CHECK(cancelled.bookings.size() == 2);
    // After session 1 has started it stays where it is.
    auto running = apply_change(p, 4, r.bookings, {change::kind::move, 1, {at(2)}}, now + day_ms + 11 * hour_ms);
    CHECK(running.error == "already_started");
    auto rebook = apply_change(p, 4, cancelled.bookings, {change::kind::book, 1, {at(50), at(70)}}, now);
    REQUIRE(rebook.error.empty());
    CHECK(rebook.bookings[2].number == 3);
}
