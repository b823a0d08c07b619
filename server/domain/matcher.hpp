// Turns waiting requests and available listeners into offers, and expires
// offers nobody answered. All state lives in Redis and changes only inside
// Lua scripts, so any number of nodes may run matchers at once: each
// queue_match call makes every offer it can (up to a batch), atomically.
//
// kick() may be called from any thread; the work runs on the Redis client's
// executor, and several kicks while a round is running coalesce into one more
// round. A timer also runs a round every second, which covers changes made
// by other nodes.
#pragma once

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace peerline {

struct services;
namespace redis {
struct value;
}

class matcher : public std::enable_shared_from_this<matcher> {
public:
    explicit matcher(services& svc);
    void start();
    void stop();
    void kick();
    // After queue_leave.lua (any thread): a withdrawn offer is told to its
    // listener, who is available again, and every node refreshes positions.
    void request_left(const redis::value& queue_leave_reply);

private:
    void run_round();
    void match_one();
    void expire_offers();
    void schedule_tick();
    void heartbeat_and_reap();
    // Cleans up after nodes whose heartbeat stopped, sparing `spare_node`.
    // register_node: re-register this node as alive in the same script (start-up).
    void reap(const std::string& spare_node, const std::string& register_node = "");
    void register_self();
    // Ends what detached sessions held once their resume grace is over.
    void sweep_detached();

    services& svc_;
    boost::asio::steady_timer timer_;
    bool running_ = false;
    bool again_ = false;
    bool stopped_ = false;
    bool registered_ = false; // register_self() has been sent to Redis
    std::chrono::steady_clock::time_point last_heartbeat_{};
};

} // namespace peerline
