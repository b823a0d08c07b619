#include "domain/mentoring/series.hpp"

#include <algorithm>

namespace peerline::mentoring {

namespace {

using json = nlohmann::json;

constexpr long long minute_ms = 60'000;
constexpr long long day_ms = 24 * 60 * minute_ms;
// "Months" between the first and the last session count as 31 days each:
// generous by a day or two, never shorter than a calendar month.
constexpr long long month_ms = 31 * day_ms;

change_result fail(std::string code, std::string message) {
    change_result r;
    r.error = std::move(code);
    r.message = std::move(message);
    return r;
}

// Order, lengths, gaps and span of the whole series.
std::optional<std::string> series_problem(const plan& p, const std::vector<booking>& all) {
    long long length = static_cast<long long>(p.session_minutes) * minute_ms;
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (all[i].end_ms - all[i].start_ms != length)
            return "Each session lasts " + std::to_string(p.session_minutes) + " minutes.";
        if (i > 0 && all[i].start_ms - all[i - 1].start_ms < static_cast<long long>(p.min_gap_days) * day_ms)
            return "Sessions are in order, at least " + std::to_string(p.min_gap_days) + " days apart.";
        if (i > 0 && all[i].start_ms < all[i - 1].end_ms) return "Sessions may not overlap.";
    }
    if (all.size() > 1 && all.back().start_ms - all.front().start_ms > static_cast<long long>(p.max_months) * month_ms)
        return "The series spans at most " + std::to_string(p.max_months) + " months.";
    return std::nullopt;
}

} // namespace

json to_json(const plan& p) {
    return json{{"sessions", p.sessions}, {"session_minutes", p.session_minutes}, {"min_months", p.min_months},
                {"max_months", p.max_months}, {"min_gap_days", p.min_gap_days}};
}

plan plan_from_json(const json& j) {
    plan p;
    if (!j.is_object()) return p;
    p.sessions = j.value("sessions", p.sessions);
    p.session_minutes = j.value("session_minutes", p.session_minutes);
    p.min_months = j.value("min_months", p.min_months);
    p.max_months = j.value("max_months", p.max_months);
    p.min_gap_days = j.value("min_gap_days", p.min_gap_days);
    return p;
}

json to_json(const std::vector<booking>& bs) {
    json out = json::array();
    for (auto& b : bs)
        out.push_back({{"number", b.number}, {"start_ms", b.start_ms}, {"end_ms", b.end_ms}, {"revision", b.revision}});
    return out;
}

std::vector<booking> bookings_from_json(const json& j) {
    std::vector<booking> out;
    if (!j.is_array()) return out;
    for (auto& b : j)
        out.push_back({b.value("number", 0u), b.value("start_ms", 0LL), b.value("end_ms", 0LL), b.value("revision", 0u)});
    return out;
}

std::optional<std::vector<proposed>> parse_proposed(const json& sessions) {
    if (!sessions.is_array() || sessions.empty() || sessions.size() > 12) return std::nullopt;
    std::vector<proposed> out;
    for (auto& s : sessions) {
        if (!s.is_object() || s.size() != 2) return std::nullopt;
        auto a = s.find("start_ms");
        auto b = s.find("end_ms");
        if (a == s.end() || b == s.end() || !a->is_number_integer() || !b->is_number_integer()) return std::nullopt;
        out.push_back({a->get<long long>(), b->get<long long>()});
    }
    return out;
}

change_result apply_change(const plan& p, unsigned total, const std::vector<booking>& current, const change& c,
                           long long now_ms) {
    std::vector<booking> next = current;
    std::vector<unsigned> changed;
    auto started = [&](const booking& b) { return b.start_ms <= now_ms; };
    auto find = [&](unsigned n) {
        return std::find_if(next.begin(), next.end(), [n](auto& b) { return b.number == n; });
    };
    switch (c.type) {
    case change::kind::book: {
        unsigned booked = static_cast<unsigned>(current.size());
        if (booked >= total) return fail("invalid_series", "Every session of the series is booked already.");
        if (c.sessions.size() != total - booked)
            return fail("invalid_series", "Book all " + std::to_string(total - booked) + " remaining sessions at once.");
        unsigned n = current.empty() ? 1 : current.back().number + 1;
        for (auto& s : c.sessions) {
            next.push_back({n, s.start_ms, s.end_ms, 0});
            changed.push_back(n++);
        }
        break;
    }
    case change::kind::move: {
        auto it = find(c.from);
        if (it == next.end()) return fail("no_such_session", "No such session in this series.");
        if (static_cast<std::size_t>(next.end() - it) < c.sessions.size())
            return fail("invalid_series", "More new times than sessions from that one on.");
        for (auto& s : c.sessions) {
            if (started(*it)) return fail("already_started", "A session that has started cannot be moved.");
            it->start_ms = s.start_ms;
            it->end_ms = s.end_ms;
            ++it->revision;
            changed.push_back(it->number);
            ++it;
        }
        break;
    }
    case change::kind::cancel: {
        auto it = find(c.from);
        if (it == next.end()) return fail("no_such_session", "No such session in this series.");
        if (started(*it)) return fail("already_started", "A session that has started cannot be cancelled.");
        next.erase(it, next.end());
        break;
    }
    }
    for (auto n : changed) {
        auto it = find(n);
        if (it->start_ms <= now_ms) return fail("invalid_series", "A session cannot be booked in the past.");
    }
    if (auto problem = series_problem(p, next)) return fail("invalid_series", *problem);
    change_result r;
    r.bookings = std::move(next);
    r.changed = std::move(changed);
    return r;
}

} // namespace peerline::mentoring
