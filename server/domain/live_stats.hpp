// Live queue load for administrators: one Redis script (stats_live.lua) plus
// the rota, turned into the protocol's live_stats (counts only). Used by the
// JSON API (/api/admin/stats, /metrics) and by live_stats_feed, which pushes
// it to connected administrators.
#pragma once

#include "peerline/protocol/messages.hpp"
#include "redis/value.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/steady_timer.hpp>

namespace peerline {

struct services;
class client_session;

namespace live_stats {

// The script's arguments.
std::vector<std::string> script_keys();
std::vector<std::string> script_args(long long now_ms);

// The script's counts; nullopt if it failed or answered something
// unexpected. listeners.rostered is left 0: add_rostered fills it.
std::optional<protocol::live_stats> from_reply(const redis::value& v);
// Sets listeners.rostered: listeners on a rota shift at `now`.
void add_rostered(protocol::live_stats& s, services& svc, std::chrono::system_clock::time_point now);

} // namespace live_stats

// Pushes live_stats to this node's administrator sessions: at once when one
// connects (the last value), then whenever the numbers change, checked every
// `interval`, and at least once every `heartbeat` even when nothing changed
// (the dashboard reads a silent feed as a broken one). Does nothing while no
// administrator is connected.
class live_stats_feed : public std::enable_shared_from_this<live_stats_feed> {
public:
    static constexpr std::chrono::seconds heartbeat{3};

    live_stats_feed(services& svc, std::chrono::milliseconds interval);
    void start();
    void stop();
    // Any thread.
    void add(const std::weak_ptr<client_session>& admin);
    void remove(const client_session* admin);

private:
    void tick();
    void refresh();
    std::vector<std::shared_ptr<client_session>> subscribers();
    std::vector<std::shared_ptr<client_session>> subscribers_locked(); // mutex_ held

    services& svc_;
    std::chrono::milliseconds interval_;
    boost::asio::steady_timer timer_;
    mutable std::mutex mutex_;
    std::vector<std::weak_ptr<client_session>> admins_;
    std::optional<protocol::live_stats> last_;
    std::chrono::steady_clock::time_point last_at_{}; // when last_ was read from Redis
    std::chrono::steady_clock::time_point last_sent_at_{}; // when last_ was last pushed
    bool stopped_ = false;
};

} // namespace peerline
