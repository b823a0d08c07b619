#include "domain/rota.hpp"

#include <algorithm>
#include <charconv>

namespace peerline::rota {

using namespace std::chrono;

calendar::calendar(const date::time_zone* zone, std::vector<shift> shifts, opening_hours hours)
    : zone_(zone), shifts_(std::move(shifts)), hours_(std::move(hours)) {}

sys_seconds calendar::to_sys(date::local_days day, int minutes) const {
    auto local = date::local_seconds(day) + std::chrono::minutes(minutes);
    return date::zoned_time<seconds>(zone_, local, date::choose::earliest).get_sys_time();
}

date::local_days calendar::local_day(sys_seconds t) const {
    auto local = date::zoned_time<seconds>(zone_, t).get_local_time();
    return date::floor<date::days>(local);
}

bool calendar::closed_on(date::local_days day) const {
    date::year_month_day ymd{day};
    return std::find(hours_.closed_days.begin(), hours_.closed_days.end(), ymd) !=
           hours_.closed_days.end();
}

std::vector<interval> calendar::occurrences(const shift& s, sys_seconds from, sys_seconds to) const {
    std::vector<interval> out;
    // A shift starting the day before `from` may still be running.
    auto first = local_day(from) - date::days(1);
    auto last = local_day(to) + date::days(1);
    for (auto day = first; day <= last; day += date::days(1)) {
        if (s.type == shift::kind::weekly) {
            if (date::weekday(day).c_encoding() != s.weekday) continue;
        } else if (date::year_month_day(day) != s.day) {
            continue;
        }
        auto start = to_sys(day, s.start_min);
        auto end_day = s.end_min > s.start_min ? day : day + date::days(1);
        auto end = to_sys(end_day, s.end_min);
        if (end > from && start < to && end > start) out.push_back({start, end});
    }
    return out;
}

bool calendar::is_open(sys_seconds now) const {
    auto day = local_day(now);
    if (closed_on(day)) return false;
    if (!hours_.configured) return true;
    auto wd = date::weekday(day).c_encoding();
    // Today's hours, and yesterday's if they run past midnight.
    for (int back = 0; back <= 1; ++back) {
        auto d = day - date::days(back);
        auto h = hours_.daily[(wd + 7 - static_cast<unsigned>(back)) % 7];
        if (!h) continue;
        auto start = to_sys(d, h->first);
        auto end = to_sys(h->second > h->first ? d : d + date::days(1), h->second);
        if (now >= start && now < end) return true;
    }
    return false;
}

namespace {
std::vector<interval> listener_occurrences(const calendar& cal, std::string_view listener, sys_seconds from,
                                           sys_seconds to) {
    std::vector<interval> mine;
    for (auto& s : cal.shifts()) {
        if (s.listener != listener) continue;
        auto occ = cal.occurrences(s, from, to);
        mine.insert(mine.end(), occ.begin(), occ.end());
    }
    std::sort(mine.begin(), mine.end(), [](auto& a, auto& b) { return a.start < b.start; });
    return mine;
}
} // namespace

std::vector<interval> calendar::upcoming(std::string_view listener, sys_seconds now) const {
    return listener_occurrences(*this, listener, now, now + listing_horizon);
}

std::optional<sys_seconds> calendar::on_shift_until(std::string_view listener, sys_seconds now) const {
    if (!is_open(now)) return std::nullopt;
    // From two days back, for a shift already running; to the listing horizon,
    // so every occurrence merged here is also one upcoming() lists.
    auto mine = listener_occurrences(*this, listener, now - hours(48), now + listing_horizon);
    std::optional<sys_seconds> until;
    for (auto& i : mine) {
        if (!until) {
            if (i.start <= now && now < i.end) until = i.end;
        } else if (i.start <= *until) {
            until = std::max(*until, i.end); // adjacent or overlapping: one stretch
        }
    }
    return until;
}

bool calendar::staffed(sys_seconds now) const {
    if (!is_open(now)) return false;
    for (auto& s : shifts_)
        if (!occurrences(s, now, now + seconds(1)).empty()) return true;
    return false;
}

std::optional<sys_seconds> calendar::next_staffed(sys_seconds now, hours horizon) const {
    // Staffing can only begin when a shift starts or the service opens.
    std::vector<sys_seconds> candidates;
    auto end = now + horizon;
    for (auto& s : shifts_)
        for (auto& i : occurrences(s, now, end)) candidates.push_back(i.start);
    if (hours_.configured) {
        for (auto day = local_day(now); day <= local_day(end); day += date::days(1)) {
            auto h = hours_.daily[date::weekday(day).c_encoding()];
            if (h) candidates.push_back(to_sys(day, h->first));
        }
    }
    for (auto day = local_day(now); day <= local_day(end); day += date::days(1))
        candidates.push_back(to_sys(day + date::days(1), 0)); // a closed day ends
    std::sort(candidates.begin(), candidates.end());
    for (auto t : candidates)
        if (t > now && t <= end && staffed(t)) return t;
    return std::nullopt;
}

std::optional<int> parse_hhmm(std::string_view text) {
    if (text.size() != 5 || text[2] != ':') return std::nullopt;
    int h = 0, m = 0;
    auto r1 = std::from_chars(text.data(), text.data() + 2, h);
    auto r2 = std::from_chars(text.data() + 3, text.data() + 5, m);
    if (r1.ec != std::errc{} || r1.ptr != text.data() + 2 || r2.ec != std::errc{} ||
        r2.ptr != text.data() + 5)
        return std::nullopt;
    if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
    return h * 60 + m;
}

std::string format_hhmm(int minutes) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", (minutes / 60) % 100, minutes % 60);
    return buf;
}

std::optional<date::year_month_day> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    int y = 0;
    unsigned m = 0, d = 0;
    auto ry = std::from_chars(text.data(), text.data() + 4, y);
    auto rm = std::from_chars(text.data() + 5, text.data() + 7, m);
    auto rd = std::from_chars(text.data() + 8, text.data() + 10, d);
    if (ry.ec != std::errc{} || ry.ptr != text.data() + 4 || rm.ec != std::errc{} ||
        rm.ptr != text.data() + 7 || rd.ec != std::errc{} || rd.ptr != text.data() + 10)
        return std::nullopt;
    date::year_month_day ymd{date::year{y}, date::month{m}, date::day{d}};
    if (!ymd.ok()) return std::nullopt;
    return ymd;
}

std::string format_date(date::year_month_day d) { return date::format("%F", d); }

} // namespace peerline::rota
