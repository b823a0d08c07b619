// What every session on this node shares: configuration, the Redis
// connections, the router and the matcher. Built once by app.cpp; lives
// until every I/O thread has stopped.
#pragma once

#include "core/config.hpp"
#include "peerline/crypto/crypto.hpp"

#include <boost/asio/thread_pool.hpp>

#include <memory>
#include <string>

namespace peerline {
namespace redis {
class client;
}
class router;
class matcher;

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
};

// Milliseconds since the Unix epoch (wall clock; used for queue ordering and
// offer deadlines shared between nodes).
long long now_ms();

} // namespace peerline
