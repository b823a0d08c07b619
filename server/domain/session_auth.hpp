// Who a session token belongs to: the one check behind every HTTP call that
// takes a bearer token and every WebSocket hello. A token is valid while its
// session record exists (pl:session:<hash of token>, with expiry) and, for
// staff, while the account exists and is not disabled.
//
// Thread-safety: any thread. The result arrives on the completion handler's
// associated executor (for a coroutine, its own).
#pragma once

#include "peerline/protocol/messages.hpp"
#include "redis/client.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace peerline {

struct authentication {
    enum class status { ok, invalid, unavailable };
    status result = status::invalid;
    protocol::role role = protocol::role::gp;
    std::string username;  // staff only
    std::string sid;       // the session's random id (routing; never logged)
    unsigned capacity = 1; // a listener's conversations at once (account setting)
    bool ok() const noexcept { return result == status::ok; }
};

// Looks `token` up (two Redis reads for staff, one for a GP) and calls `done`
// on the Redis client's executor. A token whose session names no known role
// is invalid; Redis down is `unavailable` (nothing is decided).
void authenticate(redis::client& redis, std::string_view token,
                  std::function<void(authentication)> done);

// Completion-token form: void(authentication).
template <class CompletionToken>
auto async_authenticate(redis::client& redis, std::string token, CompletionToken&& completion) {
    return boost::asio::async_initiate<CompletionToken, void(authentication)>(
        [&redis](auto handler, std::string t) {
            auto target = boost::asio::get_associated_executor(handler, redis.get_executor());
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            authenticate(redis, t, [target, h](authentication a) mutable {
                boost::asio::post(target, [h, a = std::move(a)]() mutable { (*h)(std::move(a)); });
            });
        },
        completion, std::move(token));
}

} // namespace peerline
