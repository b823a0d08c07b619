// Runs CPU-heavy work (Argon2id) on the CPU pool, never on an I/O thread, and
// completes on the caller's executor.
//
// (A capturing lambda handed to co_spawn is destroyed twice by GCC 12's
// coroutine code; async_initiate with the arguments passed separately is
// the pattern that works, so all pool work goes through here.)
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <memory>
#include <optional>
#include <utility>

namespace peerline {

// `work` is a callable returning R, run once on `pool`; the handler gets R,
// or nullopt if the work threw (an allocation failure in Argon2id must fail
// one request, not terminate the node from a pool thread).
template <class R, class Work, class CompletionToken>
auto async_on_pool(boost::asio::thread_pool& pool, Work work, CompletionToken&& token) {
    namespace net = boost::asio;
    return net::async_initiate<CompletionToken, void(std::optional<R>)>(
        [&pool](auto handler, Work w) {
            auto target = net::get_associated_executor(handler);
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            net::post(pool, [target, shared, w = std::move(w)]() mutable {
                std::optional<R> result;
                try {
                    result = w();
                } catch (...) {
                    result.reset();
                }
                net::post(target, [shared, result = std::move(result)]() mutable {
                    (*shared)(std::move(result));
                });
            });
        },
        token, std::move(work));
}

} // namespace peerline
