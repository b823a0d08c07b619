#include "domain/mentoring/mentoring_janitor.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "domain/mentoring/mentoring_store.hpp"
#include "redis/client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace peerline {

mentoring_janitor::mentoring_janitor(std::shared_ptr<redis::client> redis, mentoring_store& store,
                                     std::chrono::milliseconds offer)
    : redis_(std::move(redis)), store_(store), offer_(offer), timer_(redis_->get_executor()) {}

void mentoring_janitor::start() {
    boost::asio::co_spawn(redis_->get_executor(), [self = shared_from_this()] { return self->run(); },
                          boost::asio::detached);
}

void mentoring_janitor::stop() {
    stopped_ = true;
    boost::asio::post(redis_->get_executor(), [self = shared_from_this()] { self->timer_.cancel(); });
}

boost::asio::awaitable<void> mentoring_janitor::run() {
    while (!stopped_) {
        timer_.expires_after(std::chrono::seconds(1));
        boost::system::error_code ec;
        co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        if (stopped_) break;
        if (!redis_->ready()) continue;
        auto now = clock::now_ms();
        auto passed = co_await store_.expire_offers(now, now + offer_.count());
        if (passed.value > 0) log::info("mentoring_offers_expired", {{"count", passed.value}});
    }
}

} // namespace peerline
