// The rota in Redis (durable, one hash slot {pl:rota}): the one owner of the
// shifts ({pl:rota}:shift:<id>, {pl:rota}:shifts), opening hours and closed
// days for the HTTP API. (rota_service loads the whole rota with
// domain/rota/scripts/rota_load.lua itself; docs/ARCHITECTURE.md, "Not yet
// reshaped".)
//
// Every method is a coroutine on the caller's executor; an empty optional,
// or false, means Redis did not answer.
#pragma once

#include "redis/client.hpp"

#include <boost/asio/awaitable.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace peerline {

class rota_store {
public:
    template <class T>
    using awaitable = boost::asio::awaitable<T>;

    explicit rota_store(redis::client& redis) : redis_(redis) {}

    struct opening {
        std::map<std::string, std::string> hours; // "0" (Sunday)..."6" -> "HH:MM-HH:MM"
        std::vector<std::string> closed_days;     // "YYYY-MM-DD"
    };
    awaitable<std::optional<opening>> opening_times();
    // Replaces hours and closed days (checked by the caller).
    awaitable<bool> replace_opening_times(opening o);

    struct shift {
        std::string listener;
        std::string kind;    // "weekly" or "one_off"
        std::string weekday; // weekly: "0".."6"
        std::string day;     // one_off: "YYYY-MM-DD"
        std::string start;   // "HH:MM"
        std::string end;
    };
    // Writes the shift, then lists it: it is visible only once complete.
    awaitable<bool> add_shift(std::string id, shift s);
    // True removed, false there was no such shift.
    awaitable<std::optional<bool>> delete_shift(std::string id);

private:
    redis::client& redis_;
};

} // namespace peerline
