#include "domain/queue_positions.hpp"

#include "domain/client_session.hpp"
#include "domain/estimates.hpp"
#include "domain/keys.hpp"
#include "domain/scripts.hpp"
#include "domain/services.hpp"
#include "redis/client.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace peerline {

namespace queue_standing {

std::vector<std::string> script_keys() { return {keys::queue_prefix}; }

std::vector<std::string> script_args(long long now_ms, const std::vector<std::string>& request_ids) {
    std::vector<std::string> args;
    args.reserve(request_ids.size() + 1);
    args.push_back(std::to_string(now_ms));
    args.insert(args.end(), request_ids.begin(), request_ids.end());
    return args;
}

std::vector<std::optional<protocol::queued>> from_reply(const redis::value& v, std::size_t count,
                                                        long long now_ms) {
    constexpr std::size_t header = 3; // matches in the hour, oldest match, available now
    if (v.failed() || v.type != redis::value::kind::array || v.elements.size() != header + count)
        return {};
    for (std::size_t i = 0; i < v.elements.size(); ++i)
        if (i != 1 && v.elements[i].type != redis::value::kind::integer) return {};
    auto u32 = [](long long x) { return static_cast<std::uint32_t>(std::clamp<long long>(x, 0, UINT32_MAX)); };
    auto matches = u32(v.elements[0].integer);
    auto oldest = std::atoll(v.elements[1].str.c_str());
    auto available = u32(v.elements[2].integer);
    std::vector<std::optional<protocol::queued>> out(count);
    for (std::size_t i = 0; i < count; ++i) {
        auto position = u32(v.elements[header + i].integer);
        if (position == 0) continue; // no longer waiting
        out[i] = protocol::queued{position,
                                  estimates::wait_seconds(position, matches, oldest, now_ms, available)};
    }
    return out;
}

} // namespace queue_standing

queue_positions::queue_positions(services& svc, std::chrono::milliseconds interval)
    : svc_(svc), interval_(interval), timer_(svc.redis->get_executor()),
      trailing_(svc.redis->get_executor()) {}

void queue_positions::start() {
    boost::asio::dispatch(timer_.get_executor(), [self = shared_from_this()] { self->tick(); });
}

void queue_positions::stop() {
    boost::asio::dispatch(timer_.get_executor(), [self = shared_from_this()] {
        self->stopped_ = true;
        self->timer_.cancel();
        self->trailing_.cancel();
    });
}

void queue_positions::watch(const std::string& request_id, const std::weak_ptr<client_session>& gp) {
    std::lock_guard lock(mutex_);
    auto& w = waiting_[request_id];
    w.gp = gp;
}

void queue_positions::unwatch(const std::string& request_id) {
    std::lock_guard lock(mutex_);
    waiting_.erase(request_id);
}

void queue_positions::refresh(bool everyone) {
    boost::asio::dispatch(timer_.get_executor(), [self = shared_from_this(), everyone] { self->run(everyone); });
}

void queue_positions::tick() {
    if (stopped_) return;
    run(true);
    timer_.expires_after(interval_);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->tick();
    });
}

// Redis executor. `everyone`: the periodic refresh, which also passes on an
// estimate that moved while the place did not; otherwise a queue change.
// Either way a GP far back who heard a place less than quiet_gap ago is
// told the new one when the gap ends.
void queue_positions::run(bool everyone) {
    if (stopped_) return;
    if (chunks_in_flight_ > 0) {
        again_ = true; // the queue changed since these were asked: ask once more after them
        again_everyone_ = again_everyone_ || everyone;
        return;
    }
    std::vector<std::string> ids;
    {
        std::lock_guard lock(mutex_);
        std::erase_if(waiting_, [](const auto& entry) { return entry.second.gp.expired(); });
        ids.reserve(waiting_.size());
        for (auto& [id, gp] : waiting_) ids.push_back(id);
    }
    if (ids.empty() || !svc_.redis->ready()) return;
    auto now = now_ms();
    for (std::size_t begin = 0; begin < ids.size(); begin += chunk) {
        auto end = std::min(ids.size(), begin + chunk);
        std::vector<std::string> part(std::make_move_iterator(ids.begin() + static_cast<std::ptrdiff_t>(begin)),
                                      std::make_move_iterator(ids.begin() + static_cast<std::ptrdiff_t>(end)));
        auto args = queue_standing::script_args(now, part);
        ++chunks_in_flight_;
        svc_.redis->eval(scripts::queue_positions(), queue_standing::script_keys(), std::move(args),
                         [self = shared_from_this(), part = std::move(part), now,
                          everyone](redis::value v) mutable {
                             self->on_reply(std::move(part), now, everyone, v);
                             self->chunk_done();
                         });
    }
}

void queue_positions::on_reply(std::vector<std::string> ids, long long now, bool everyone,
                               const redis::value& v) {
    if (stopped_) return;
    auto standing = queue_standing::from_reply(v, ids.size(), now);
    if (standing.empty()) return; // Redis unavailable or a bad answer: the next refresh tries again
    auto at = std::chrono::steady_clock::now();
    std::optional<std::chrono::steady_clock::time_point> next_due; // of those kept quiet
    {
        std::lock_guard lock(mutex_);
        for (std::size_t i = 0; i < ids.size(); ++i) {
            auto it = waiting_.find(ids[i]);
            if (it == waiting_.end()) continue;
            auto& w = it->second;
            auto gp = w.gp.lock();
            if (!gp || !standing[i]) {
                waiting_.erase(it); // gone, matched or left: nothing more to say
                continue;
            }
            auto position = standing[i]->position;
            // A queue change with the place unchanged says nothing new; the
            // periodic refresh passes it on (the estimate may have moved).
            if (!everyone && position == w.told) continue;
            bool near_front = position <= front;
            if (!near_front && w.told != 0 && position != w.told && at - w.told_at < quiet_gap) {
                auto due = w.told_at + quiet_gap;
                if (!next_due || due < *next_due) next_due = due;
                continue;
            }
            w.told = position;
            w.told_at = at;
            // A newer answer for a request still waiting to go out replaces it
            // (and keeps its place in line): a GP never hears an older place
            // after a newer one.
            auto [slot, fresh] = unsent_.try_emplace(ids[i], push{std::move(gp), *standing[i]});
            if (fresh)
                unsent_order_.push_back(ids[i]);
            else
                slot->second.q = *standing[i];
        }
    }
    if (!draining_ && !unsent_.empty()) {
        draining_ = true;
        drain();
    }
    if (next_due) arm_trailing(*next_due);
}

// Those kept quiet hear their latest place when their gap ends: one timer,
// set for the earliest such moment.
void queue_positions::arm_trailing(std::chrono::steady_clock::time_point due) {
    if (trailing_armed_ && trailing_due_ <= due) return;
    trailing_armed_ = true;
    trailing_due_ = due;
    trailing_.expires_at(due);
    trailing_.async_wait([self = shared_from_this(), due](boost::system::error_code ec) {
        if (ec || self->trailing_due_ != due) return; // re-armed for an earlier moment meanwhile
        self->trailing_armed_ = false;
        self->run(false);
    });
}

// A thousand pushes posted at once would all run before the loop looks at
// its sockets again (offers and relay frames wait behind them): post them a
// slice at a time, the next slice after whatever became ready meanwhile.
// Posts to one session keep their order, so the last place posted is the
// one it shows.
void queue_positions::drain() {
    if (stopped_) {
        unsent_.clear();
        unsent_order_.clear();
        draining_ = false;
        return;
    }
    for (std::size_t n = 0; n < fan_out_slice && !unsent_order_.empty(); ++n) {
        auto id = std::move(unsent_order_.front());
        unsent_order_.pop_front();
        auto it = unsent_.find(id);
        if (it == unsent_.end()) continue;
        it->second.gp->post_queued(id, it->second.q);
        unsent_.erase(it);
    }
    if (unsent_order_.empty()) {
        draining_ = false;
        return;
    }
    boost::asio::post(timer_.get_executor(), [self = shared_from_this()] { self->drain(); });
}

void queue_positions::chunk_done() {
    if (--chunks_in_flight_ > 0 || !again_) return;
    again_ = false;
    bool everyone = std::exchange(again_everyone_, false);
    run(everyone);
}

} // namespace peerline
