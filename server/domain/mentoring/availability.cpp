#include "domain/mentoring/availability.hpp"

#include <algorithm>

namespace peerline::mentoring {

namespace {

using json = nlohmann::json;

std::optional<std::pair<int, int>> times(const json& w) {
    auto s = w.find("start");
    auto e = w.find("end");
    if (s == w.end() || e == w.end() || !s->is_string() || !e->is_string()) return std::nullopt;
    auto start = rota::parse_hhmm(s->get<std::string>());
    auto end = rota::parse_hhmm(e->get<std::string>());
    if (!start || !end || *start >= 1440 || *start == *end) return std::nullopt;
    return std::pair{*start, *end == 0 ? 1440 : *end};
}

std::vector<rota::interval> merged(std::vector<rota::interval> v) {
    std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.start < b.start; });
    std::vector<rota::interval> out;
    for (auto& i : v) {
        if (!out.empty() && i.start <= out.back().end)
            out.back().end = std::max(out.back().end, i.end);
        else
            out.push_back(i);
    }
    return out;
}

std::vector<rota::interval> occurrences(const availability& a, const date::time_zone* zone, rota::sys_seconds from,
                                        rota::sys_seconds to) {
    rota::calendar cal(zone, a.windows, {});
    std::vector<rota::interval> all;
    for (auto& w : a.windows) {
        auto occ = cal.occurrences(w, from, to);
        all.insert(all.end(), occ.begin(), occ.end());
    }
    return merged(std::move(all));
}

} // namespace

std::optional<availability> parse_availability(const json& body, date::local_days today, std::string& error) {
    auto fail = [&](std::string why) {
        error = std::move(why);
        return std::nullopt;
    };
    if (!body.is_object() || body.size() != 2 || !body.contains("weekly") || !body.contains("one_off") ||
        !body["weekly"].is_array() || !body["one_off"].is_array())
        return fail("Send {\"weekly\":[...],\"one_off\":[...]} (both lists, possibly empty).");
    if (body["weekly"].size() > availability_limits::weekly || body["one_off"].size() > availability_limits::one_off)
        return fail("At most 28 weekly and 200 one-off windows.");
    availability a;
    for (const auto& w : body["weekly"]) {
        auto t = w.is_object() && w.size() == 3 ? times(w) : std::nullopt;
        auto d = w.is_object() ? w.find("weekday") : w.end();
        if (!t || d == w.end() || !d->is_number_integer() || d->get<long long>() < 0 || d->get<long long>() > 6)
            return fail("weekly: {\"weekday\":0..6,\"start\":\"HH:MM\",\"end\":\"HH:MM\"}, start and end different.");
        rota::shift s;
        s.type = rota::shift::kind::weekly;
        s.weekday = static_cast<unsigned>(d->get<long long>());
        s.start_min = t->first;
        s.end_min = t->second;
        a.windows.push_back(s);
    }
    for (const auto& w : body["one_off"]) {
        auto t = w.is_object() && w.size() == 3 ? times(w) : std::nullopt;
        auto d = w.is_object() ? w.find("date") : w.end();
        auto day = t && d != w.end() && d->is_string() ? rota::parse_date(d->get<std::string>()) : std::nullopt;
        if (!day) return fail("one_off: {\"date\":\"YYYY-MM-DD\",\"start\":\"HH:MM\",\"end\":\"HH:MM\"}.");
        if (date::local_days(*day) < today) return fail("one_off: a date in the past.");
        rota::shift s;
        s.type = rota::shift::kind::one_off;
        s.day = *day;
        s.start_min = t->first;
        s.end_min = t->second;
        a.windows.push_back(s);
    }
    return a;
}

json to_json(const availability& a) {
    json out{{"weekly", json::array()}, {"one_off", json::array()}};
    for (auto& w : a.windows) {
        json j{{"start", rota::format_hhmm(w.start_min)}, {"end", rota::format_hhmm(w.end_min % 1440)}};
        if (w.type == rota::shift::kind::weekly) {
            j["weekday"] = w.weekday;
            out["weekly"].push_back(j);
        } else {
            j["date"] = rota::format_date(w.day);
            out["one_off"].push_back(j);
        }
    }
    return out;
}

std::vector<rota::interval> free_windows(const availability& a, const date::time_zone* zone, rota::sys_seconds from,
                                         rota::sys_seconds to, std::vector<rota::interval> busy) {
    auto windows = occurrences(a, zone, from, to);
    busy = merged(std::move(busy));
    std::vector<rota::interval> out;
    for (auto w : windows) {
        w.start = std::max(w.start, from);
        w.end = std::min(w.end, to);
        for (auto& b : busy) {
            if (b.end <= w.start || b.start >= w.end) continue;
            if (b.start > w.start) out.push_back({w.start, b.start});
            w.start = std::max(w.start, b.end);
        }
        if (w.end > w.start) out.push_back(w);
    }
    return out;
}

bool covers(const availability& a, const date::time_zone* zone, rota::sys_seconds start, rota::sys_seconds end) {
    for (auto& w : occurrences(a, zone, start, end))
        if (w.start <= start && end <= w.end) return true;
    return false;
}

} // namespace peerline::mentoring
