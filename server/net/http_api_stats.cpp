// Queue-load statistics for administrators (JSON) and operators
// (Prometheus text at /metrics). Counts and durations only: no GP
// identifiers, no content, and no more metadata than running the service needs.
#include "net/http_api.hpp"

#include "domain/estimates.hpp"
#include "domain/live_stats.hpp"
#include "domain/rota_service.hpp"
#include "domain/router.hpp"
#include "domain/services.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <date/tz.h>

#include <nlohmann/json.hpp>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <functional>
#include <map>

namespace peerline {

namespace {

using json = nlohmann::json;
using namespace std::chrono;

// Bucket bounds (seconds) written by offer_accept.lua and conversation_end.lua.
const std::vector<std::uint32_t> wait_bounds{10, 30, 60, 120, 300, 600, 1200, 1800, 3600};
const std::vector<std::uint32_t> conversation_bounds{300, 600, 1200, 1800, 2700, 3600, 5400, 7200};

using hour_counts = stats_store::hour_counts;

std::vector<std::uint64_t> histogram(const hour_counts& h, const std::string& prefix,
                                     const std::vector<std::uint32_t>& bounds) {
    std::vector<std::uint64_t> out;
    for (auto b : bounds) {
        auto it = h.find(prefix + std::to_string(b));
        out.push_back(it == h.end() ? 0 : static_cast<std::uint64_t>(it->second));
    }
    auto inf = h.find(prefix + "inf");
    out.push_back(inf == h.end() ? 0 : static_cast<std::uint64_t>(inf->second));
    return out;
}

json quantiles(const hour_counts& h, const std::string& prefix, const std::vector<std::uint32_t>& bounds) {
    json q = json::object();
    auto counts = histogram(h, prefix, bounds);
    for (auto [name, p] : {std::pair{"p50", 0.5}, std::pair{"p90", 0.9}, std::pair{"p99", 0.99}}) {
        auto v = estimates::histogram_quantile(bounds, counts, p);
        q[name] = v ? json(*v) : json(nullptr); // null: no data, or above the last bucket
    }
    return q;
}

// Daily sums of hourly buckets (newest first), by the calendar days of the
// service's time zone (the rota's: an administrator reads "Monday" as the
// rota's Monday), or of UTC without a rota. A day is named by the UTC
// millisecond at which it starts there; a day of a clock change has 23 or 25
// hours.
json daily_sums(const std::vector<std::pair<long long, hour_counts>>& hours, int days,
                const date::time_zone* zone) {
    auto day_of = [zone](long long ms) -> long long {
        auto t = sys_seconds(seconds(ms / 1000));
        auto local = zone ? date::zoned_time<seconds>(zone, t).get_local_time()
                          : date::local_seconds(t.time_since_epoch());
        return date::floor<date::days>(local).time_since_epoch().count();
    };
    auto start_ms = [zone](long long day) -> long long {
        auto local = date::local_seconds(date::local_days(date::days(day)));
        auto sys = zone ? date::zoned_time<seconds>(zone, local, date::choose::earliest).get_sys_time()
                        : sys_seconds(local.time_since_epoch());
        return duration_cast<milliseconds>(sys.time_since_epoch()).count();
    };
    std::map<long long, hour_counts, std::greater<>> by_day;
    long long today = day_of(hours.front().first);
    for (long long d = today; d > today - days; --d) by_day[d];
    for (auto& [hour_ms, counts] : hours) {
        auto it = by_day.find(day_of(hour_ms));
        if (it == by_day.end()) continue;
        for (auto& [k, n] : counts) it->second[k] += n;
    }
    json day_list = json::array();
    for (auto& [day, counts] : by_day) {
        json d{{"day_start_ms", start_ms(day)}};
        for (auto& [k, n] : counts) d[k] = n;
        day_list.push_back(std::move(d));
    }
    return day_list;
}

} // namespace

// Reads live numbers and the last `hours_back` hourly buckets (newest first);
// shared by both endpoints.
struct http_api_stats_snapshot {
    protocol::live_stats live;
    std::vector<std::pair<long long, hour_counts>> hours; // newest first
    bool ok = false;
};

static net::awaitable<http_api_stats_snapshot> read_stats(services& svc, stats_store& stats, int hours_back) {
    http_api_stats_snapshot out;
    auto now = system_clock::now();
    auto now_ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
    auto live = co_await stats.live(now_ms);
    if (!live) co_return out;
    live_stats::add_rostered(*live, svc, now);
    out.live = *live;
    auto hours = co_await stats.hours(now_ms, hours_back);
    if (!hours) co_return out;
    out.hours = std::move(*hours);
    out.ok = true;
    co_return out;
}

// ?days=N (1..32) asks for daily sums of the hourly buckets as well.
static int days_requested(std::string_view target) {
    auto q = target.find("?days=");
    if (q == std::string_view::npos) return 0;
    int days = std::atoi(std::string(target.substr(q + 6)).c_str());
    return std::clamp(days, 0, 32);
}

net::awaitable<http_response> http_api::admin_stats(const http_request& req) {
    int days = days_requested(req.target());
    auto s = co_await read_stats(svc_, stats_, std::max(24, days * 24));
    if (!s.ok) co_return unavailable_response(req);
    auto body = json::parse(protocol::encode(protocol::server_message{s.live}));
    json hours = json::array();
    for (std::size_t i = 0; i < 24 && i < s.hours.size(); ++i) {
        auto& [start_ms, counts] = s.hours[i];
        json h{{"hour_start_ms", start_ms}};
        for (auto& [k, n] : counts) h[k] = n;
        hours.push_back(std::move(h));
    }
    const auto& last = s.hours.front().second;
    json last_hour{{"wait_s", quantiles(last, "wait_le_", wait_bounds)},
                   {"conversation_s", quantiles(last, "conv_le_", conversation_bounds)}};
    for (auto& [k, n] : last)
        if (k.rfind("wait_le_", 0) != 0 && k.rfind("conv_le_", 0) != 0) last_hour[k] = n;
    json out{{"live", body["live"]}, {"this_hour", last_hour}, {"hours", hours}};
    if (days > 0) {
        auto cal = svc_.rota ? svc_.rota->snapshot() : nullptr;
        const date::time_zone* zone = cal ? cal->zone() : nullptr;
        out["days"] = daily_sums(s.hours, days, zone);
        out["timezone"] = zone ? std::string(zone->name()) : std::string("UTC");
    }
    co_return json_response(req, http::status::ok, out.dump());
}

net::awaitable<http_response> http_api::metrics(const http_request& req) {
    auto s = co_await read_stats(svc_, stats_, 1);
    prometheus::Registry registry;
    auto gauge = [&](const std::string& name, const std::string& help, double value,
                     const std::map<std::string, std::string>& labels = {}) {
        prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add(labels).Set(value);
    };
    auto& c = *svc_.counters;
    gauge("peerline_up", "1 while this node runs", 1);
    gauge("peerline_redis_ready", "1 while this node reaches Redis", svc_.redis->ready() ? 1 : 0);
    gauge("peerline_websocket_sessions", "WebSocket sessions open on this node",
          static_cast<double>(c.websocket_sessions.load(std::memory_order_relaxed)));
    gauge("peerline_relayed_frames", "Relay frames forwarded by this node since start",
          static_cast<double>(c.relayed_frames.load(std::memory_order_relaxed)));
    gauge("peerline_relayed_bytes", "Relay bytes forwarded by this node since start",
          static_cast<double>(c.relayed_bytes.load(std::memory_order_relaxed)));
    gauge("peerline_connections_refused", "Connections answered 503 for a connection cap, since start",
          static_cast<double>(c.connections_refused.load(std::memory_order_relaxed)));
    gauge("peerline_slow_consumers_dropped", "Connections dropped for not reading, since start",
          static_cast<double>(c.slow_consumers_dropped.load(std::memory_order_relaxed)));
    gauge("peerline_protocol_errors", "Malformed control frames answered with an error, since start",
          static_cast<double>(c.protocol_errors.load(std::memory_order_relaxed)));
    if (s.ok) {
        gauge("peerline_queue_waiting", "GPs waiting now", static_cast<double>(s.live.waiting));
        gauge("peerline_queue_longest_wait_seconds", "Longest current wait",
              static_cast<double>(s.live.longest_wait_s));
        gauge("peerline_offers_pending", "Offers awaiting an answer", static_cast<double>(s.live.offers_pending));
        gauge("peerline_conversations_active", "Conversations in progress",
              static_cast<double>(s.live.conversations_active));
        gauge("peerline_listeners_rostered", "Listeners on shift now",
              static_cast<double>(s.live.listeners.rostered));
        auto& family = prometheus::BuildGauge()
                           .Name("peerline_listeners")
                           .Help("Connected listeners by state")
                           .Register(registry);
        family.Add({{"state", "available"}}).Set(static_cast<double>(s.live.listeners.available));
        family.Add({{"state", "busy"}}).Set(static_cast<double>(s.live.listeners.busy));
        family.Add({{"state", "wrapup"}}).Set(static_cast<double>(s.live.listeners.wrapup));
        family.Add({{"state", "away"}}).Set(static_cast<double>(s.live.listeners.away));
        auto& hourly = prometheus::BuildGauge()
                           .Name("peerline_this_hour")
                           .Help("Counts in the current hour bucket (requests, matched, abandoned, offers_*, escalations, ended_*)")
                           .Register(registry);
        for (auto& [k, n] : s.hours.front().second)
            if (k.rfind("wait_le_", 0) != 0 && k.rfind("conv_le_", 0) != 0)
                hourly.Add({{"count", k}}).Set(static_cast<double>(n));
    }
    http_response res{http::status::ok, req.version()};
    res.set(http::field::content_type, "text/plain; version=0.0.4");
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    res.body() = prometheus::TextSerializer().Serialize(registry.Collect());
    res.prepare_payload();
    co_return res;
}

} // namespace peerline
