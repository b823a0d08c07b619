#include "domain/rota_service.hpp"

#include "core/log.hpp"
#include "domain/keys.hpp"
#include "domain/scripts.hpp"
#include "redis/client.hpp"

#include <boost/asio/dispatch.hpp>

#include <charconv>

namespace peerline {

namespace net = boost::asio;

namespace {

std::optional<unsigned> parse_weekday(const std::string& s) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || v > 6) return std::nullopt;
    return v;
}

// Builds a calendar from rota_load.lua's reply; malformed records are skipped
// (and logged), never fatal.
std::shared_ptr<const rota::calendar> build(const redis::value& v, const date::time_zone* zone) {
    std::vector<rota::shift> shifts;
    rota::opening_hours hours;
    if (v.elements.size() != 3) return std::make_shared<rota::calendar>(zone, shifts, hours);
    auto& s = v.elements[0].elements;
    for (std::size_t i = 0; i + 6 < s.size(); i += 7) {
        rota::shift sh;
        sh.id = s[i].str;
        sh.listener = s[i + 1].str;
        sh.type = s[i + 2].str == "one_off" ? rota::shift::kind::one_off : rota::shift::kind::weekly;
        auto start = rota::parse_hhmm(s[i + 5].str);
        auto end = rota::parse_hhmm(s[i + 6].str);
        bool ok = start && end && *start < 1440 && *end > 0;
        if (sh.type == rota::shift::kind::weekly) {
            auto wd = parse_weekday(s[i + 3].str);
            ok = ok && wd;
            if (wd) sh.weekday = *wd;
        } else {
            auto day = rota::parse_date(s[i + 4].str);
            ok = ok && day;
            if (day) sh.day = *day;
        }
        if (!ok) {
            log::warn("rota_shift_malformed");
            continue;
        }
        sh.start_min = *start;
        sh.end_min = *end;
        shifts.push_back(std::move(sh));
    }
    auto& h = v.elements[1].elements;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2) {
        auto wd = parse_weekday(h[i].str);
        auto& range = h[i + 1].str;
        auto dash = range.find('-');
        if (!wd || dash == std::string::npos) continue;
        auto a = rota::parse_hhmm(range.substr(0, dash));
        auto b = rota::parse_hhmm(range.substr(dash + 1));
        if (!a || !b) continue;
        hours.daily[*wd] = std::pair{*a, *b};
        hours.configured = true;
    }
    for (auto& d : v.elements[2].elements)
        if (auto day = rota::parse_date(d.str)) hours.closed_days.push_back(*day);
    return std::make_shared<rota::calendar>(zone, std::move(shifts), std::move(hours));
}

} // namespace

rota_service::rota_service(std::shared_ptr<redis::client> redis, const date::time_zone* zone)
    : redis_(std::move(redis)), zone_(zone), timer_(redis_->get_executor()),
      current_(std::make_shared<rota::calendar>(zone, std::vector<rota::shift>{},
                                                rota::opening_hours{})) {}

void rota_service::start() {
    refresh();
    schedule();
}

void rota_service::stop() {
    net::dispatch(timer_.get_executor(), [self = shared_from_this()] {
        self->stopped_ = true;
        self->timer_.cancel();
    });
}

void rota_service::schedule() {
    timer_.expires_after(std::chrono::seconds(30));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->stopped_) return;
        self->refresh();
        self->schedule();
    });
}

void rota_service::refresh(std::function<void()> done) {
    redis_->eval(scripts::rota_load(), {keys::rota_prefix}, {},
                 [self = shared_from_this(), done = std::move(done)](redis::value v) {
                     if (!v.failed()) { // else keep the last good snapshot
                         auto cal = build(v, self->zone_);
                         std::lock_guard lock(self->mutex_);
                         self->current_ = std::move(cal);
                     }
                     if (done) done();
                 });
}

std::shared_ptr<const rota::calendar> rota_service::snapshot() const {
    std::lock_guard lock(mutex_);
    return current_;
}

} // namespace peerline
