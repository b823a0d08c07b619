// Turns waiting requests and available listeners into offers (expiring them,
// heartbeats and clean-up after dead nodes and detached sessions are the
// node_janitor's). All state lives in Redis and changes only inside
// Lua scripts, so any number of nodes may run matchers at once: each
// queue_match call makes every offer it can (up to a batch), atomically.
//
// kick() may be called from any thread; the work runs on the Redis client's
// executor, and several kicks while a round is running coalesce into one more
// round. A timer also runs a round every second, which covers changes made
// by other nodes.
#pragma once

#include "domain/queue/queue_store.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace peerline {

struct services;

class matcher : public std::enable_shared_from_this<matcher> {
public:
    explicit matcher(services& svc);
    void start();
    void stop();
    void kick();
    // After queue_leave.lua (any thread): a withdrawn offer is told to its
    // listener, who is available again, and every node refreshes positions.
    void request_left(const queue_store::left& left);
    // The same, from queue_leave.lua's (or session_detach.lua's) raw reply.
    void request_left(const redis::value& queue_leave_reply) { request_left(queue_store::read_left(queue_leave_reply)); }

private:
    void run_round();
    void match_one();
    void schedule_tick();

    services& svc_;
    queue_store queue_;
    boost::asio::steady_timer timer_;
    bool running_ = false;
    bool again_ = false;
    bool stopped_ = false;
};

} // namespace peerline
