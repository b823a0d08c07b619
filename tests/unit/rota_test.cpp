// Rota arithmetic in Europe/London, across daylight-saving changes.
#include "domain/rota.hpp"

#include <catch2/catch.hpp>

using namespace peerline::rota;
using namespace std::chrono;

namespace {

const date::time_zone* london() { return date::locate_zone("Europe/London"); }

sys_seconds utc(int y, unsigned m, unsigned d, int h, int min = 0) {
    return sys_seconds(date::sys_days(date::year{y} / m / d)) + hours(h) + minutes(min);
}

shift weekly(std::string listener, unsigned weekday, const char* start, const char* end) {
    shift s;
    s.id = listener + "-w";
    s.listener = std::move(listener);
    s.type = shift::kind::weekly;
    s.weekday = weekday;
    s.start_min = *parse_hhmm(start);
    s.end_min = *parse_hhmm(end);
    return s;
}

shift one_off(std::string listener, const char* day, const char* start, const char* end) {
    shift s;
    s.id = listener + "-o";
    s.listener = std::move(listener);
    s.type = shift::kind::one_off;
    s.day = *parse_date(day);
    s.start_min = *parse_hhmm(start);
    s.end_min = *parse_hhmm(end);
    return s;
}

} // namespace

TEST_CASE("a 09:00-17:00 shift follows British summer and winter time", "[rota]") {
    calendar cal(london(), {weekly("ann", 1, "09:00", "17:00")}, {});
    // Monday 2026-07-06 (BST, UTC+1) and Monday 2026-01-05 (GMT).
    auto summer = cal.occurrences(cal.shifts()[0], utc(2026, 7, 6, 0), utc(2026, 7, 7, 0));
    REQUIRE(summer.size() == 1);
    CHECK(summer[0].start == utc(2026, 7, 6, 8));
    CHECK(summer[0].end == utc(2026, 7, 6, 16));
    auto winter = cal.occurrences(cal.shifts()[0], utc(2026, 1, 5, 0), utc(2026, 1, 6, 0));
    REQUIRE(winter.size() == 1);
    CHECK(winter[0].start == utc(2026, 1, 5, 9));
    CHECK(winter[0].end == utc(2026, 1, 5, 17));
}

TEST_CASE("a night shift over the spring-forward change lasts one hour less", "[rota]") {
    // Clocks go forward at 01:00 UTC on Sunday 2026-03-29.
    calendar cal(london(), {weekly("ben", 0, "00:00", "04:00")}, {});
    auto occ = cal.occurrences(cal.shifts()[0], utc(2026, 3, 28, 12), utc(2026, 3, 30, 0));
    REQUIRE(occ.size() == 1);
    CHECK(occ[0].start == utc(2026, 3, 29, 0));
    CHECK(occ[0].end == utc(2026, 3, 29, 3));
    CHECK(occ[0].end - occ[0].start == hours(3));
}

TEST_CASE("a night shift over the autumn change lasts one hour more", "[rota]") {
    // Clocks go back at 01:00 UTC on Sunday 2026-10-25.
    calendar cal(london(), {weekly("ben", 0, "00:00", "04:00")}, {});
    auto occ = cal.occurrences(cal.shifts()[0], utc(2026, 10, 24, 12), utc(2026, 10, 26, 0));
    REQUIRE(occ.size() == 1);
    CHECK(occ[0].start == utc(2026, 10, 24, 23));
    CHECK(occ[0].end == utc(2026, 10, 25, 4));
    CHECK(occ[0].end - occ[0].start == hours(5));
}

TEST_CASE("a shift starting at a local time skipped by the clock change starts at the change",
          "[rota]") {
    calendar cal(london(), {one_off("cat", "2026-03-29", "01:30", "03:00")}, {});
    auto occ = cal.occurrences(cal.shifts()[0], utc(2026, 3, 29, 0), utc(2026, 3, 30, 0));
    REQUIRE(occ.size() == 1);
    CHECK(occ[0].start == utc(2026, 3, 29, 1));
    CHECK(occ[0].end == utc(2026, 3, 29, 2));
}

TEST_CASE("a shift that crosses midnight covers the early hours of the next day", "[rota]") {
    // Friday 22:00 to Saturday 02:00, in January (GMT).
    calendar cal(london(), {weekly("dan", 5, "22:00", "02:00")}, {});
    CHECK(cal.on_shift_until("dan", utc(2026, 1, 10, 1)) == utc(2026, 1, 10, 2));
    CHECK(cal.on_shift_until("dan", utc(2026, 1, 9, 23)) == utc(2026, 1, 10, 2));
    CHECK_FALSE(cal.on_shift_until("dan", utc(2026, 1, 10, 3)));
    CHECK_FALSE(cal.on_shift_until("dan", utc(2026, 1, 9, 21)));
}

TEST_CASE("adjacent shifts of one listener count as one stretch", "[rota]") {
    calendar cal(london(), {weekly("eve", 1, "09:00", "13:00"), one_off("eve", "2026-01-05", "13:00", "18:00")},
                 {});
    CHECK(cal.on_shift_until("eve", utc(2026, 1, 5, 10)) == utc(2026, 1, 5, 18));
    CHECK_FALSE(cal.on_shift_until("someone-else", utc(2026, 1, 5, 10)));
}

TEST_CASE("on shift until never names a time past the last shift the listener's table lists", "[rota]") {
    // Every day 00:00-24:00 one after another: one stretch with no end. The
    // 8-day look-ahead once said "until Friday 11 December" while the table of
    // upcoming shifts (7 days) ended on Wednesday 9 December.
    std::vector<shift> every_day;
    for (unsigned d = 0; d < 7; ++d) {
        every_day.push_back(weekly("ian", d, "00:00", "00:00"));
        every_day.back().id += std::to_string(d);
    }
    calendar cal(london(), every_day, {});
    auto now = utc(2026, 12, 2, 15, 52); // Wednesday 2 December
    auto listed = cal.upcoming("ian", now);
    REQUIRE_FALSE(listed.empty());
    auto until = cal.on_shift_until("ian", now);
    REQUIRE(until);
    CHECK(*until == listed.back().end);
    CHECK(*until <= now + calendar::listing_horizon + hours(24));
    for (std::size_t i = 1; i < listed.size(); ++i) CHECK(listed[i - 1].start < listed[i].start);
}

TEST_CASE("opening hours and closed days limit when anyone counts as on shift", "[rota]") {
    opening_hours hours;
    hours.configured = true;
    for (unsigned d = 1; d <= 5; ++d) hours.daily[d] = std::pair{8 * 60, 20 * 60};
    hours.closed_days.push_back(*parse_date("2026-12-25"));
    calendar cal(london(), {weekly("fay", 5, "06:00", "22:00")}, hours);
    // Friday 2026-01-09: shift 06-22, open 08-20 (GMT).
    CHECK_FALSE(cal.staffed(utc(2026, 1, 9, 7)));
    CHECK(cal.staffed(utc(2026, 1, 9, 9)));
    CHECK_FALSE(cal.staffed(utc(2026, 1, 9, 21)));
    CHECK(cal.on_shift_until("fay", utc(2026, 1, 9, 9)) == utc(2026, 1, 9, 22));
    // Christmas Day 2026 is a Friday and closed.
    CHECK_FALSE(cal.is_open(utc(2026, 12, 25, 12)));
    CHECK_FALSE(cal.staffed(utc(2026, 12, 25, 12)));
    // Saturday has no opening hours.
    CHECK_FALSE(cal.is_open(utc(2026, 1, 10, 12)));
}

TEST_CASE("the next staffed moment is the next shift start inside opening hours", "[rota]") {
    opening_hours hours;
    hours.configured = true;
    for (unsigned d = 0; d < 7; ++d) hours.daily[d] = std::pair{8 * 60, 20 * 60};
    calendar cal(london(), {weekly("gus", 2, "06:00", "12:00")}, hours);
    // From Monday 2026-01-05 15:00: Tuesday's shift starts at 06:00 but the
    // service opens at 08:00.
    CHECK(cal.next_staffed(utc(2026, 1, 5, 15)) == utc(2026, 1, 6, 8));
    calendar empty(london(), {}, hours);
    CHECK_FALSE(empty.next_staffed(utc(2026, 1, 5, 15)));
}

TEST_CASE("times and dates are parsed strictly", "[rota]") {
    CHECK(parse_hhmm("00:00") == 0);
    CHECK(parse_hhmm("24:00") == 1440);
    CHECK(parse_hhmm("09:30") == 570);
    for (auto bad : {"24:01", "9:30", "09:60", "0930", "aa:bb", "09:3x", ""})
        CHECK_FALSE(parse_hhmm(bad));
    CHECK(parse_date("2026-02-28"));
    for (auto bad : {"2026-02-30", "2026-13-01", "26-01-01", "2026/01/01", "2026-1-01"})
        CHECK_FALSE(parse_date(bad));
    CHECK(format_hhmm(570) == "09:30");
    CHECK(format_date(*parse_date("2026-03-29")) == "2026-03-29");
}
