// Rota arithmetic: shifts (weekly recurring and one-off), the service's
// opening hours and closed days, all in the service's time zone, and the
// questions matching asks of them. Pure: no I/O (the IANA time-zone database
// is read by the date library); unit-tested across daylight-saving changes.
//
// Local times are converted with the zone's rules for each date, so a
// 09:00-17:00 shift is 08:00-16:00 UTC in a British summer and 09:00-17:00
// UTC in winter; a local time skipped by a spring-forward change maps to the
// moment of the change, and a repeated one to its first occurrence.
#pragma once

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace peerline::rota {

using sys_seconds = std::chrono::sys_seconds;

struct shift {
    enum class kind { weekly, one_off };

    std::string id;
    std::string listener; // username
    kind type = kind::weekly;
    unsigned weekday = 0;   // weekly: 0 = Sunday ... 6 = Saturday
    date::year_month_day day{}; // one_off: the local date it starts on
    int start_min = 0;      // local minutes after midnight, 0..1439
    int end_min = 0;        // 1..1440; end <= start means it ends the next day
};

// Opening hours per weekday (local). A weekday without hours is closed; when
// no hours are configured at all the service is open whenever a shift runs.
struct opening_hours {
    std::array<std::optional<std::pair<int, int>>, 7> daily; // [start_min, end_min)
    bool configured = false;
    std::vector<date::year_month_day> closed_days; // local dates, no service at all
};

struct interval {
    sys_seconds start;
    sys_seconds end;
};

class calendar {
public:
    calendar(const date::time_zone* zone, std::vector<shift> shifts, opening_hours hours);

    // Occurrences of `s` that overlap [from, to).
    std::vector<interval> occurrences(const shift& s, sys_seconds from, sys_seconds to) const;

    // How far ahead a listener's own shifts are listed and merged into a
    // stretch. One horizon for both, so "on shift until" never names a time
    // past the last shift the listener's table shows.
    static constexpr std::chrono::hours listing_horizon{24 * 7};

    // The listener's shift occurrences that overlap [now, now + listing_horizon),
    // in start order.
    std::vector<interval> upcoming(std::string_view listener, sys_seconds now) const;

    // If `listener` is on shift at `now` (and the service is open), the end of
    // the running stretch of shifts (adjacent or overlapping ones merged),
    // looking no further than listing_horizon: never later than the end of
    // the last of upcoming(listener, now).
    std::optional<sys_seconds> on_shift_until(std::string_view listener, sys_seconds now) const;

    // True if the service is open at `now` (opening hours, closed days).
    bool is_open(sys_seconds now) const;

    // True if the service is open and at least one listener is on shift.
    bool staffed(sys_seconds now) const;

    // The first moment after `now`, within `horizon`, at which the service is
    // staffed; nullopt if none is planned.
    std::optional<sys_seconds> next_staffed(sys_seconds now,
                                            std::chrono::hours horizon = std::chrono::hours(24 * 14)) const;

    const std::vector<shift>& shifts() const noexcept { return shifts_; }
    const date::time_zone* zone() const noexcept { return zone_; }

private:
    sys_seconds to_sys(date::local_days day, int minutes) const;
    date::local_days local_day(sys_seconds t) const;
    bool closed_on(date::local_days day) const;

    const date::time_zone* zone_;
    std::vector<shift> shifts_;
    opening_hours hours_;
};

// "HH:MM" (00:00..24:00) to minutes; nullopt if malformed.
std::optional<int> parse_hhmm(std::string_view text);
std::string format_hhmm(int minutes);
// "YYYY-MM-DD" to a valid date; nullopt if malformed.
std::optional<date::year_month_day> parse_date(std::string_view text);
std::string format_date(date::year_month_day d);

} // namespace peerline::rota
