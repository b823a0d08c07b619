// A tiny synchronous Redis client for tests (hiredis's blocking API): run a
// command, or dump every key with every value to check what the server left
// in Redis.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace peerline::test_support {

class redis_connection {
  public:
    // Connects to 127.0.0.1:port; throws std::runtime_error on failure.
    explicit redis_connection(std::uint16_t port,
                              std::chrono::milliseconds timeout = std::chrono::seconds(2));
    ~redis_connection();
    redis_connection(const redis_connection&) = delete;
    redis_connection& operator=(const redis_connection&) = delete;

    // Runs one command (binary-safe arguments) and returns the reply
    // flattened to strings: nested arrays in order, integers as decimal text,
    // nil as an empty list entry skipped. Throws on an error reply or a lost
    // connection.
    std::vector<std::string> command(const std::vector<std::string>& argv);

  private:
    struct context_deleter {
        void operator()(void* c) const noexcept;
    };
    std::unique_ptr<void, context_deleter> ctx_;
};

// One key and everything stored under it.
struct redis_entry {
    std::string key;
    std::string type;                // string, hash, list, set, zset, stream
    std::vector<std::string> values; // GET / HGETALL / LRANGE / SMEMBERS /
                                     // ZRANGE WITHSCORES / XRANGE, flattened
};

// Every key in every logical database the server may use (0..15), with its
// values. KEYS is fine here: a test database is tiny.
std::vector<redis_entry> dump_all(redis_connection& redis);

} // namespace peerline::test_support
