// Waiting GPs' places in the queue, for this node.
//
// A queue change (anywhere) makes every node refresh the positions of its
// waiting GPs. Asking Redis once per GP put a thousand script calls in front
// of the matcher's own call after every change; here one script call
// (queue_positions.lua) answers for all of this node's waiting requests, in
// chunks, and the answers are fanned out to the sessions. The same refresh
// runs every `interval` so estimates follow the throughput as it ages.
//
// How often a GP hears their place: near the front (position <= front) every
// change at once; further back at most once per `quiet_gap`, the latest
// place following when the gap ends (never left stale until the periodic
// refresh). Telling a thousand GPs "you moved from
// 812 to 811" on every match is noise for them and, on a busy node, a
// thousand writes in one burst in front of the offers and relay frames
// behind it.
//
// Thread-safety: watch/unwatch/refresh may be called from any thread.
// Refreshes run on the Redis client's executor; at most one is in flight,
// and a refresh asked for meanwhile runs once after it.
#pragma once

#include "peerline/protocol/messages.hpp"
#include "redis/value.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace peerline {

struct services;
class client_session;

namespace queue_standing {

// The script's keys and arguments for these requests.
std::vector<std::string> script_keys();
std::vector<std::string> script_args(long long now_ms, const std::vector<std::string>& request_ids);

// One `queued` per request (nullopt: no longer waiting), in the order asked;
// empty if the reply is not a well-formed answer for `count` requests.
std::vector<std::optional<protocol::queued>> from_reply(const redis::value& v, std::size_t count,
                                                        long long now_ms);

} // namespace queue_standing

class queue_positions : public std::enable_shared_from_this<queue_positions> {
public:
    queue_positions(services& svc, std::chrono::milliseconds interval);
    void start();
    void stop();

    // A GP's request now waits in the queue (or no longer does).
    void watch(const std::string& request_id, const std::weak_ptr<client_session>& gp);
    void unwatch(const std::string& request_id);

    // Asks for every watched request's position (coalesced). `everyone`:
    // also pass on estimates that moved while places did not (as the
    // periodic refresh does), e.g. after Redis was unreachable.
    void refresh(bool everyone = false);

    // Requests per script call: bounds how long one call holds Redis.
    static constexpr std::size_t chunk = 500;
    static constexpr std::uint32_t front = 10;
    static constexpr std::chrono::seconds quiet_gap{2};
    static constexpr std::size_t fan_out_slice = 32;

private:
    struct watched_request {
        std::weak_ptr<client_session> gp;
        std::uint32_t told = 0; // last position pushed (0: none yet)
        std::chrono::steady_clock::time_point told_at{};
    };

    struct push {
        std::shared_ptr<client_session> gp;
        protocol::queued q;
    };

    void tick();
    void run(bool everyone);
    void drain();
    void arm_trailing(std::chrono::steady_clock::time_point due);
    void on_reply(std::vector<std::string> ids, long long now, bool everyone, const redis::value& v);
    void chunk_done();

    services& svc_;
    std::chrono::milliseconds interval_;
    boost::asio::steady_timer timer_;
    boost::asio::steady_timer trailing_; // a refresh for those kept quiet
    // Redis executor only:
    bool trailing_armed_ = false;
    std::chrono::steady_clock::time_point trailing_due_{};
    std::unordered_map<std::string, push> unsent_; // request id -> latest place not yet posted
    std::deque<std::string> unsent_order_;
    bool draining_ = false;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, watched_request> waiting_;
    // Redis executor only:
    std::size_t chunks_in_flight_ = 0;
    bool again_ = false;
    bool again_everyone_ = false;
    bool stopped_ = false;
};

} // namespace peerline
