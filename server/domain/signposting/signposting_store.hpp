// The 24/7 alternatives administrators chose, in Redis (pl:signposting,
// durable, a JSON list); absent, unreadable or invalid means the node's
// configured list (--signposting-file or the built-in one). The one owner of
// that key for the HTTP API. (client_session::signpost still reads it with
// the same fallback; docs/ARCHITECTURE.md, "Not yet reshaped".)
#pragma once

#include "peerline/protocol/messages.hpp"
#include "redis/client.hpp"

#include <boost/asio/awaitable.hpp>

#include <vector>

namespace peerline {

class signposting_store {
public:
    template <class T>
    using awaitable = boost::asio::awaitable<T>;

    signposting_store(redis::client& redis, const std::vector<protocol::alternative>& configured)
        : redis_(redis), configured_(configured) {}

    struct current_list {
        std::vector<protocol::alternative> alternatives;
        bool redis_answered = true; // false: Redis did not answer; the configured list is given
    };
    // The administrators' list if one is stored and valid, else the
    // configured one.
    awaitable<current_list> current();
    // Stores a list (checked by the caller with parse_alternatives).
    awaitable<bool> replace(std::vector<protocol::alternative> list);

private:
    redis::client& redis_;
    const std::vector<protocol::alternative>& configured_;
};

} // namespace peerline
