// A mentor's published availability: weekly windows and one-off windows in
// the service's time zone, turned into real times with the rota's
// arithmetic (domain/rota.hpp), so a Tuesday 18:00-20:00 window is 17:00 UTC
// in summer and 18:00 UTC in winter. Pure; the free time a GP may book is
// these windows less the mentor's bookings.
#pragma once

#include "domain/rota.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace peerline::mentoring {

struct availability_limits {
    static constexpr std::size_t weekly = 28;
    static constexpr std::size_t one_off = 200;
};

// Windows as rota shifts (the listener field unused).
struct availability {
    std::vector<rota::shift> windows;
};

// {"weekly":[{"weekday","start","end"}],"one_off":[{"date","start","end"}]}
// (both lists required, possibly empty). One-off dates before `today` (a
// local date) are refused. nullopt with `error` set on anything else.
std::optional<availability> parse_availability(const nlohmann::json& body, date::local_days today,
                                               std::string& error);
// The stored form, the same shape.
nlohmann::json to_json(const availability& a);

// The windows' occurrences overlapping [from, to), merged where they touch
// or overlap, in time order, less `busy` (any order), clipped to [from, to).
std::vector<rota::interval> free_windows(const availability& a, const date::time_zone* zone,
                                         rota::sys_seconds from, rota::sys_seconds to,
                                         std::vector<rota::interval> busy = {});

// True if [start, end) lies inside one (merged) window occurrence.
bool covers(const availability& a, const date::time_zone* zone, rota::sys_seconds start, rota::sys_seconds end);

} // namespace peerline::mentoring
