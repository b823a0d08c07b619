// The embedded default: a private redis-server (Debian's package) that
// `peerline serve` starts on a Unix socket in its data directory, with AOF
// persistence, supervises (restarts it with back-off if it dies) and stops on
// exit. Production deployments pass --redis instead.
#pragma once

#include "core/config.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <thread>

namespace peerline::redis {

class embedded_redis {
public:
    embedded_redis(std::string binary, std::string data_dir);
    ~embedded_redis();
    embedded_redis(const embedded_redis&) = delete;
    embedded_redis& operator=(const embedded_redis&) = delete;

    // Starts redis-server and waits until it answers PING. Throws
    // std::runtime_error with a clear message if it cannot.
    void start(std::chrono::milliseconds timeout = std::chrono::seconds(15));
    // SIGTERM, wait (redis flushes its AOF), SIGKILL after a grace period.
    void stop();

    redis_address address() const;

private:
    pid_t spawn();
    void supervise();

    std::string binary_;
    std::string data_dir_;
    std::string socket_path_;
    std::mutex mutex_;
    std::condition_variable stopped_cv_;
    pid_t pid_ = -1;
    bool stopping_ = false;
    std::thread supervisor_;
};

} // namespace peerline::redis
