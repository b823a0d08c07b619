#include "domain/signposting/signposting_store.hpp"

#include "domain/keys.hpp"
#include "domain/signposting.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>

namespace peerline {

auto signposting_store::current() -> awaitable<current_list> {
    std::vector<std::string> get{"GET", keys::signposting};
    auto v = co_await redis_.async_exec(std::move(get), boost::asio::use_awaitable);
    current_list out{configured_, !v.failed()};
    if (!v.failed() && !v.is_nil()) {
        std::string error;
        auto doc = nlohmann::json::parse(v.str, nullptr, false);
        if (auto chosen = doc.is_discarded() ? std::nullopt : parse_alternatives(doc, error))
            out.alternatives = std::move(*chosen);
    }
    co_return out;
}

auto signposting_store::replace(std::vector<protocol::alternative> list) -> awaitable<bool> {
    std::vector<std::string> set{"SET", keys::signposting, alternatives_json(list).dump()};
    auto v = co_await redis_.async_exec(std::move(set), boost::asio::use_awaitable);
    co_return !v.failed();
}

} // namespace peerline
