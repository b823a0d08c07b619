// What every session on this node shares: configuration, the Redis
// connections, the router and the matcher. Built once by app.cpp; lives
// until every I/O thread has stopped.
#pragma once

#include "core/config.hpp"
#include "peerline/crypto/crypto.hpp"
#include "peerline/protocol/messages.hpp"

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace peerline {
namespace redis {
class client;
}
class router;
class matcher;
class rota_service;
class live_stats_feed;
class queue_positions;
class mentoring_store;
namespace trust {
struct org_keys;
}

// This node's own counters (relaxed atomics: statistics, not synchronisation).
struct node_counters {
    std::atomic<std::uint64_t> relayed_frames{0};
    std::atomic<std::uint64_t> relayed_bytes{0};
    std::atomic<std::int64_t> websocket_sessions{0};
    std::atomic<std::uint64_t> slow_consumers_dropped{0};
    std::atomic<std::uint64_t> protocol_errors{0};
    std::atomic<std::uint64_t> connections_refused{0}; // over a connection cap
};

struct services {
    const server_config& cfg;
    std::string node_id;
    std::shared_ptr<redis::client> redis;     // commands and scripts
    std::shared_ptr<redis::client> subscriber; // this node's pub/sub channel
    router* routes = nullptr;
    matcher* match = nullptr;
    // CPU-heavy work (Argon2id) runs here, never on an I/O thread.
    boost::asio::thread_pool* cpu_pool = nullptr;
    crypto::pwhash_params pwhash;
    rota_service* rota = nullptr;
    std::vector<protocol::alternative> alternatives; // 24/7 signposting
    node_counters* counters = nullptr;
    live_stats_feed* live_feed = nullptr; // pushes live_stats to administrators
    const trust::org_keys* org = nullptr; // root public key; demo root key in demo mode
    queue_positions* positions = nullptr; // waiting GPs' places, refreshed node-wide
    mentoring_store* mentoring = nullptr; // every mentoring key and script
};

// Milliseconds since the Unix epoch (wall clock; used for queue ordering and
// offer deadlines shared between nodes).
long long now_ms();

} // namespace peerline
