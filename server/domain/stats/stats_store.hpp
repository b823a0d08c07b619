// Service statistics in Redis (counts and durations only: no GP identifiers,
// no content): the one reader of the hourly buckets ({pl:q}:stats:<hour>,
// written by the queue scripts through lua_lib/stats.lua) and the caller of
// domain/stats/scripts/ for the HTTP API: stats_live.lua (the queue's load
// now) and feedback_record.lua (a GP's anonymous feedback, once per ended
// conversation). (live_stats_feed and the escalation count still call their
// script directly; docs/ARCHITECTURE.md, "Not yet reshaped".)
//
// Every method is a coroutine on the caller's executor; an empty optional
// means Redis did not answer and nothing was changed.
#pragma once

#include "peerline/protocol/messages.hpp"
#include "redis/client.hpp"

#include <boost/asio/awaitable.hpp>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace peerline {

class stats_store {
public:
    template <class T>
    using awaitable = boost::asio::awaitable<T>;
    // One hour's counts by name ("offered", "wait_le_60", ...).
    using hour_counts = std::map<std::string, long long>;

    explicit stats_store(redis::client& redis) : redis_(redis) {}

    // The queue's load now, from Redis alone (listeners.rostered is the
    // rota's, not Redis's: live_stats::add_rostered fills it).
    awaitable<std::optional<protocol::live_stats>> live(long long now_ms);
    // The last `hours_back` hourly buckets, newest first, each with the UTC
    // millisecond its hour starts at.
    awaitable<std::optional<std::vector<std::pair<long long, hour_counts>>>> hours(long long now_ms,
                                                                                   int hours_back);
    // Counts a GP's feedback in the hour's bucket if a conversation of this
    // session is waiting for it: true counted, false none is waiting.
    awaitable<std::optional<bool>> record_feedback(std::string gp_sid, std::string helped, std::string stay,
                                                   long long now_ms);

private:
    redis::client& redis_;
};

} // namespace peerline
