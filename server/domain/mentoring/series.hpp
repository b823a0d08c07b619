// The rules a mentoring series keeps, whoever books it: the plan (how many
// sessions, how long, how far apart, over how long), and the bookings,
// numbered 1..N for the life of the series. Pure: the time is passed in.
// The browser's planner (web-client/src/mentoring/series-planner.ts)
// proposes series that keep them; the server checks again.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace peerline::mentoring {

struct plan {
    unsigned sessions = 4;
    unsigned session_minutes = 120;
    unsigned min_months = 6;
    unsigned max_months = 12;
    unsigned min_gap_days = 14;
};

nlohmann::json to_json(const plan& p);
plan plan_from_json(const nlohmann::json& j); // the stored form; defaults for anything missing

struct booking {
    unsigned number = 0; // 1-based, fixed for the life of the series
    long long start_ms = 0;
    long long end_ms = 0;
    unsigned revision = 0; // raised at every move (the .ics SEQUENCE)
};

nlohmann::json to_json(const std::vector<booking>& b);
std::vector<booking> bookings_from_json(const nlohmann::json& j);

// A proposed time from a request body: {"start_ms","end_ms"} integers.
struct proposed {
    long long start_ms = 0;
    long long end_ms = 0;
};
// The `sessions` array of a booking or move body: 1..12 entries, nothing
// else in each. nullopt if malformed.
std::optional<std::vector<proposed>> parse_proposed(const nlohmann::json& sessions);

// What a change asks for.
struct change {
    enum class kind { book, move, cancel } type = kind::book;
    unsigned from = 1;                // move, cancel: the first session concerned
    std::vector<proposed> sessions; // book: every unbooked session; move: from..from+n-1
};

// Applies `c` to `current` (the series so far, `total` sessions planned)
// and returns the whole new list, or an error code with a message:
// invalid_series, no_such_session, already_started. `now_ms` decides what
// is in the past. The caller then checks availability and the mentor's
// other bookings.
struct change_result {
    std::vector<booking> bookings;
    std::vector<unsigned> changed; // numbers whose times are new
    std::string error;             // empty on success
    std::string message;
};
change_result apply_change(const plan& p, unsigned total, const std::vector<booking>& current, const change& c,
                           long long now_ms);

} // namespace peerline::mentoring
