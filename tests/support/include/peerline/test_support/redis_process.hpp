// A real redis-server (Debian's /usr/bin/redis-server) for one test: loopback
// only, in its own directory, no persistence, on a fixed port for its whole
// life so that it can be stopped and started again at the same address (the
// "Redis went away mid-run" tests).
#pragma once

#include "peerline/test_support/child_process.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace peerline::test_support {

class redis_process {
  public:
    // Starts redis-server in `dir` on `port` (0: a free port) and waits until
    // it answers PING. Throws with the log tail if it does not.
    explicit redis_process(std::filesystem::path dir, std::uint16_t port = 0);
    ~redis_process();
    redis_process(const redis_process&) = delete;
    redis_process& operator=(const redis_process&) = delete;

    // Starts it again after stop(), on the same port and directory.
    void start();
    // SIGTERM (redis exits at once with --save ""), SIGKILL after a grace.
    exit_status stop();
    bool running();

    std::uint16_t port() const noexcept { return port_; }
    // "redis://127.0.0.1:PORT", as the server's --redis flag takes it.
    std::string url() const;
    std::filesystem::path log_file() const { return dir_ / "redis.log"; }

  private:
    std::filesystem::path dir_;
    std::uint16_t port_;
    child_process process_;
};

// True if a Redis at 127.0.0.1:port answers PING within `timeout`.
bool redis_answers(std::uint16_t port,
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(500));

} // namespace peerline::test_support
