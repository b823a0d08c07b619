#include "domain/rota/rota_store.hpp"

#include "domain/keys.hpp"

#include <boost/asio/use_awaitable.hpp>

namespace peerline {

namespace {
constexpr auto use_awaitable = boost::asio::use_awaitable;
} // namespace

// (Commands are built as named locals: GCC 12 miscompiles braced lists
// inside co_await.)

auto rota_store::opening_times() -> awaitable<std::optional<opening>> {
    std::vector<std::string> get_hours{"HGETALL", keys::rota_hours};
    auto hours = co_await redis_.async_exec(std::move(get_hours), use_awaitable);
    std::vector<std::string> get_closed{"SMEMBERS", keys::rota_closed};
    auto closed = co_await redis_.async_exec(std::move(get_closed), use_awaitable);
    if (hours.failed() || closed.failed()) co_return std::nullopt;
    opening out;
    for (std::size_t i = 0; i + 1 < hours.elements.size(); i += 2)
        out.hours[hours.elements[i].str] = hours.elements[i + 1].str;
    for (auto& d : closed.elements) out.closed_days.push_back(d.str);
    co_return out;
}

auto rota_store::replace_opening_times(opening o) -> awaitable<bool> {
    std::vector<std::string> set_hours{"HSET", keys::rota_hours};
    for (auto& [day, range] : o.hours) {
        set_hours.push_back(day);
        set_hours.push_back(range);
    }
    std::vector<std::string> set_closed{"SADD", keys::rota_closed};
    for (auto& d : o.closed_days) set_closed.push_back(d);
    std::vector<std::string> clear{"DEL", keys::rota_hours, keys::rota_closed};
    auto cleared = co_await redis_.async_exec(std::move(clear), use_awaitable);
    if (cleared.failed()) co_return false;
    if (set_hours.size() > 2) {
        auto v = co_await redis_.async_exec(std::move(set_hours), use_awaitable);
        if (v.failed()) co_return false;
    }
    if (set_closed.size() > 2) {
        auto v = co_await redis_.async_exec(std::move(set_closed), use_awaitable);
        if (v.failed()) co_return false;
    }
    co_return true;
}

auto rota_store::add_shift(std::string id, shift s) -> awaitable<bool> {
    std::vector<std::string> write{"HSET", keys::rota_shift(id), "listener", s.listener, "kind", s.kind,
                                   "weekday", s.weekday, "day", s.day, "start", s.start, "end", s.end};
    auto written = co_await redis_.async_exec(std::move(write), use_awaitable);
    if (written.failed()) co_return false;
    std::vector<std::string> list{"SADD", keys::rota_shifts, id};
    auto listed = co_await redis_.async_exec(std::move(list), use_awaitable);
    co_return !listed.failed();
}

auto rota_store::delete_shift(std::string id) -> awaitable<std::optional<bool>> {
    std::vector<std::string> unlist{"SREM", keys::rota_shifts, id};
    auto removed = co_await redis_.async_exec(std::move(unlist), use_awaitable);
    if (removed.failed()) co_return std::nullopt;
    std::vector<std::string> del{"DEL", keys::rota_shift(id)};
    auto deleted = co_await redis_.async_exec(std::move(del), use_awaitable);
    if (deleted.failed()) co_return std::nullopt;
    co_return removed.integer != 0;
}

} // namespace peerline
