// Passes on mentoring offers whose time ran out (--mentoring-offer-hours),
// checked every second against the node's clock (core/clock.hpp, which a
// test may move forward). Each pass is one script that re-checks the
// deadline, so any number of nodes may run this at once and each offer
// passes on once.
//
// Thread-safety: start/stop from any thread; the work runs on the Redis
// client's executor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <memory>

namespace peerline {

class mentoring_store;
namespace redis {
class client;
}

class mentoring_janitor : public std::enable_shared_from_this<mentoring_janitor> {
public:
    mentoring_janitor(std::shared_ptr<redis::client> redis, mentoring_store& store, std::chrono::milliseconds offer);
    void start();
    void stop();

private:
    boost::asio::awaitable<void> run();

    std::shared_ptr<redis::client> redis_;
    mentoring_store& store_;
    std::chrono::milliseconds offer_;
    boost::asio::steady_timer timer_;
    std::atomic<bool> stopped_{false};
};

} // namespace peerline
