#include "domain/stats/stats_store.hpp"

#include "domain/keys.hpp"
#include "domain/live_stats.hpp"
#include "domain/scripts.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>

namespace peerline {

namespace {
constexpr auto use_awaitable = boost::asio::use_awaitable;
constexpr long long hour_ms = 3'600'000;
} // namespace

// (Commands are built as named locals: GCC 12 miscompiles braced lists
// inside co_await.)

auto stats_store::live(long long now_ms) -> awaitable<std::optional<protocol::live_stats>> {
    auto keys_arg = live_stats::script_keys();
    auto args = live_stats::script_args(now_ms);
    auto v = co_await redis_.async_eval(scripts::stats_live(), std::move(keys_arg), std::move(args),
                                        use_awaitable);
    co_return live_stats::from_reply(v);
}

auto stats_store::hours(long long now_ms, int hours_back)
    -> awaitable<std::optional<std::vector<std::pair<long long, hour_counts>>>> {
    std::vector<std::pair<long long, hour_counts>> out;
    auto hour = now_ms / hour_ms;
    for (long long h = hour; h > hour - hours_back; --h) {
        std::vector<std::string> get{"HGETALL", keys::stats_hour(h)};
        auto b = co_await redis_.async_exec(std::move(get), use_awaitable);
        if (b.failed()) co_return std::nullopt;
        hour_counts counts;
        for (std::size_t i = 0; i + 1 < b.elements.size(); i += 2)
            counts[b.elements[i].str] = std::atoll(b.elements[i + 1].str.c_str());
        out.emplace_back(h * hour_ms, std::move(counts));
    }
    co_return out;
}

auto stats_store::record_feedback(std::string gp_sid, std::string helped, std::string stay, long long now_ms)
    -> awaitable<std::optional<bool>> {
    std::vector<std::string> keys_arg{keys::feedback_due(gp_sid), keys::stats_hour(now_ms / hour_ms)};
    std::vector<std::string> args{std::move(helped), std::move(stay)};
    auto v = co_await redis_.async_eval(scripts::feedback_record(), std::move(keys_arg), std::move(args),
                                        use_awaitable);
    if (v.failed()) co_return std::nullopt;
    co_return v.integer == 1;
}

} // namespace peerline
