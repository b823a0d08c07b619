// The node's background duties, apart from matching: once a second it
// expires offers nobody answered, writes this node's heartbeat and reaps
// nodes whose heartbeat stopped (ending their conversations, dropping their
// waiting requests), and ends what detached sessions held once their resume
// grace is over. Every duty is one Lua script, atomic across nodes, so any
// number of nodes may run a janitor at once and each clean-up happens once.
// What it frees is handed to the matcher (kick) and told to the sessions
// concerned (router).
//
// Thread-safety: start/stop from any thread; the work runs on the Redis
// client's executor.
#pragma once

#include "domain/queue/queue_store.hpp"
#include "domain/sessions/sessions_store.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace peerline {

struct services;
class matcher;

class node_janitor : public std::enable_shared_from_this<node_janitor> {
public:
    node_janitor(services& svc, std::shared_ptr<matcher> match);
    void start();
    void stop();

private:
    void schedule_tick();
    void expire_offers();
    void heartbeat_and_reap();
    // Cleans up after nodes whose heartbeat stopped, sparing `spare_node`.
    // register_node: re-register this node as alive in the same script (start-up).
    void reap(const std::string& spare_node, const std::string& register_node = "");
    void register_self();
    // Ends what detached sessions held once their resume grace is over.
    void sweep_detached();

    services& svc_;
    std::shared_ptr<matcher> match_;
    queue_store queue_;
    sessions_store sessions_;
    boost::asio::steady_timer timer_;
    bool stopped_ = false;
    bool registered_ = false; // register_self() has been sent to Redis
    std::chrono::steady_clock::time_point last_heartbeat_{};
};

} // namespace peerline
