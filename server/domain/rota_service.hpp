// This node's view of the rota: a calendar snapshot loaded from Redis,
// refreshed every 30 s and whenever any node announces a change on the
// broadcast channel. Sessions read the snapshot without waiting.
//
// Thread-safety: snapshot() from any thread; refresh() from any thread (the
// work runs on the Redis client's executor).
#pragma once

#include "domain/rota.hpp"

#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <mutex>

namespace peerline {

namespace redis {
class client;
}

class rota_service : public std::enable_shared_from_this<rota_service> {
public:
    rota_service(std::shared_ptr<redis::client> redis, const date::time_zone* zone);

    void start();
    void stop();
    // Reloads from Redis; `done` (optional) runs on the Redis executor after
    // the new snapshot is in place (or the load failed).
    void refresh(std::function<void()> done = {});

    std::shared_ptr<const rota::calendar> snapshot() const;
    const date::time_zone* zone() const noexcept { return zone_; }

private:
    void schedule();

    std::shared_ptr<redis::client> redis_;
    const date::time_zone* zone_;
    boost::asio::steady_timer timer_;
    mutable std::mutex mutex_;
    std::shared_ptr<const rota::calendar> current_;
    bool stopped_ = false;
};

} // namespace peerline
