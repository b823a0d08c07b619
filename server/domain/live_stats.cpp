#include "domain/live_stats.hpp"

#include "domain/client_session.hpp"
#include "domain/keys.hpp"
#include "domain/rota_service.hpp"
#include "domain/scripts.hpp"
#include "domain/services.hpp"
#include "redis/client.hpp"

#include <boost/asio/dispatch.hpp>

#include <algorithm>
#include <set>

namespace peerline {

namespace live_stats {

std::vector<std::string> script_keys() { return {keys::queue_prefix}; }
std::vector<std::string> script_args(long long now_ms) { return {std::to_string(now_ms)}; }

std::optional<protocol::live_stats> from_reply(const redis::value& v) {
    if (v.failed() || v.elements.size() != 9) return std::nullopt;
    auto n = [&](std::size_t i) {
        return static_cast<std::uint32_t>(std::clamp<long long>(v.elements[i].integer, 0, UINT32_MAX));
    };
    protocol::live_stats s;
    s.waiting = n(0);
    s.longest_wait_s = static_cast<std::uint32_t>(n(1) / 1000);
    s.offers_pending = n(2);
    s.conversations_active = n(3);
    s.listeners.online = n(4);
    s.listeners.available = n(5);
    s.listeners.busy = n(6);
    s.listeners.wrapup = n(7);
    s.listeners.away = n(8);
    return s;
}

void add_rostered(protocol::live_stats& s, services& svc, std::chrono::system_clock::time_point now) {
    if (svc.rota) {
        auto cal = svc.rota->snapshot();
        auto now_s = std::chrono::floor<std::chrono::seconds>(now);
        std::set<std::string> rostered;
        for (auto& shift : cal->shifts())
            if (cal->on_shift_until(shift.listener, now_s)) rostered.insert(shift.listener);
        s.listeners.rostered = static_cast<std::uint32_t>(rostered.size());
    }
}

} // namespace live_stats

live_stats_feed::live_stats_feed(services& svc, std::chrono::milliseconds interval)
    : svc_(svc), interval_(interval), timer_(svc.redis->get_executor()) {}

void live_stats_feed::start() { tick(); }

void live_stats_feed::stop() {
    boost::asio::dispatch(timer_.get_executor(), [self = shared_from_this()] {
        self->stopped_ = true;
        self->timer_.cancel();
    });
}

void live_stats_feed::add(const std::weak_ptr<client_session>& admin) {
    std::optional<protocol::live_stats> last;
    {
        std::lock_guard lock(mutex_);
        admins_.push_back(admin);
        // Only numbers read within the last two intervals are current enough
        // to show at once; otherwise the next read (within one interval) comes.
        if (std::chrono::steady_clock::now() - last_at_ < 2 * interval_) last = last_;
    }
    // The newcomer sees the numbers at once, not after the next change.
    if (auto s = admin.lock(); s && last) s->post_live_stats(*last);
}

void live_stats_feed::remove(const client_session* admin) {
    std::lock_guard lock(mutex_);
    std::erase_if(admins_, [admin](const std::weak_ptr<client_session>& w) {
        auto s = w.lock();
        return !s || s.get() == admin;
    });
}

std::vector<std::shared_ptr<client_session>> live_stats_feed::subscribers() {
    std::lock_guard lock(mutex_);
    return subscribers_locked();
}

std::vector<std::shared_ptr<client_session>> live_stats_feed::subscribers_locked() {
    std::vector<std::shared_ptr<client_session>> out;
    std::erase_if(admins_, [&out](const std::weak_ptr<client_session>& w) {
        auto s = w.lock();
        if (!s) return true;
        out.push_back(std::move(s));
        return false;
    });
    return out;
}

void live_stats_feed::tick() {
    if (stopped_) return;
    refresh();
    timer_.expires_after(interval_);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->tick();
    });
}

void live_stats_feed::refresh() {
    if (subscribers().empty()) {
        // Nobody watching: forget the numbers, so a newcomer never sees old ones.
        std::lock_guard lock(mutex_);
        last_.reset();
        return;
    }
    if (!svc_.redis->ready()) return;
    auto now = std::chrono::system_clock::now();
    svc_.redis->eval(scripts::stats_live(), live_stats::script_keys(), live_stats::script_args(now_ms()),
                     [self = shared_from_this(), now](redis::value v) {
                         auto s = live_stats::from_reply(v);
                         if (!s) return;
                         live_stats::add_rostered(*s, self->svc_, now);
                         std::vector<std::shared_ptr<client_session>> admins;
                         {
                             // The new value and who gets it, under one lock: an
                             // administrator joining now gets it exactly once
                             // (from here, or from add()).
                             std::lock_guard lock(self->mutex_);
                             auto read_at = std::chrono::steady_clock::now();
                             self->last_at_ = read_at;
                             // Unchanged numbers still go out once a heartbeat,
                             // so a quiet service is told apart from a dead feed.
                             if (self->last_ == s && read_at - self->last_sent_at_ < live_stats_feed::heartbeat)
                                 return;
                             self->last_ = s;
                             self->last_sent_at_ = read_at;
                             admins = self->subscribers_locked();
                         }
                         for (auto& admin : admins) admin->post_live_stats(*s);
                     });
}

} // namespace peerline
