// A blocking Redis connection for code that is allowed to block: the admin
// CLI and start-up (first-run bootstrap), never an I/O thread.
#pragma once

#include "core/config.hpp"
#include "redis/script.hpp"
#include "redis/value.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

struct redisContext;

namespace peerline::redis {

class sync_client {
public:
    // Throws std::runtime_error if it cannot connect within `timeout`.
    sync_client(const redis_address& address, std::chrono::milliseconds timeout);
    ~sync_client();
    sync_client(const sync_client&) = delete;
    sync_client& operator=(const sync_client&) = delete;

    value exec(const std::vector<std::string>& args);
    value eval(const script& s, const std::vector<std::string>& keys,
               const std::vector<std::string>& args);

private:
    redisContext* ctx_ = nullptr;
};

// True if a Redis at `address` answers PING within `timeout`.
bool ping(const redis_address& address, std::chrono::milliseconds timeout);

} // namespace peerline::redis
