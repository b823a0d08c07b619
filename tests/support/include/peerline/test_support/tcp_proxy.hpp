// A small TCP proxy for tests that need a connection to misbehave: it
// forwards 127.0.0.1:port() to a target port in both directions, one thread
// per connection, and can freeze chosen connections: it stops reading and
// forwarding on them in both directions while keeping both sockets open, so
// each side sees a peer that is connected and says nothing (a half-open
// connection, as after a network partition). It also remembers the first
// 64 KiB each side sent on each connection, so a test can pick connections
// by what they said (a Redis SUBSCRIBE, say) and wait for what they heard.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace peerline::test_support {

class tcp_proxy {
  public:
    explicit tcp_proxy(std::uint16_t target_port);
    // Closes every connection and joins every thread.
    ~tcp_proxy();
    tcp_proxy(const tcp_proxy&) = delete;
    tcp_proxy& operator=(const tcp_proxy&) = delete;

    std::uint16_t port() const noexcept { return port_; }

    // Freezes every open connection whose client has sent `marker` (a
    // substring of its first 64 KiB); returns how many. Any thread.
    std::size_t freeze_where_client_sent(std::string_view marker);
    // Open, unfrozen connections whose target has sent `marker` at least
    // `times` times (counted in its first 64 KiB). Any thread.
    std::size_t live_where_target_sent(std::string_view marker, std::size_t times = 1) const;

  private:
    struct connection;
    void accept_loop();
    static void pump(const std::shared_ptr<connection>& c, const std::atomic<bool>& stopping);

    std::uint16_t target_port_;
    std::uint16_t port_ = 0;
    int listen_fd_ = -1;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::vector<std::shared_ptr<connection>> connections_;
    std::vector<std::thread> threads_;
    std::thread acceptor_;
};

} // namespace peerline::test_support
