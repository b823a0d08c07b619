// Statistics: administrators see live queue load and this hour's counts;
// operators get Prometheus text at /metrics. Counts only: no token, no
// session id, no continuity code, no content.
#include "service_helpers.hpp"

#include <sstream>

using namespace peerline::service_tests;
using nlohmann::json;

namespace {

// The value of the sample `series` (name with labels, exactly as written)
// in Prometheus text, or nullopt if absent.
std::optional<double> metric(const std::string& text, const std::string& series) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    }
    return std::nullopt;
}

// Every session id Redis holds (pl:session:<hash> -> sid).
std::vector<std::string> session_ids(peerline_stack& s) {
    ts::redis_connection redis(s.redis.port());
    std::vector<std::string> out;
    for (auto& key : redis.command({"KEYS", "pl:session:*"})) {
        auto sid = redis.command({"HGET", key, "sid"});
        if (!sid.empty() && !sid[0].empty()) out.push_back(sid[0]);
    }
    return out;
}

} // namespace

TEST_CASE("administrators see live load and this hour's counts, operators see metrics, and "
          "neither shows a secret",
          "[stats]") {
    peerline_stack s(with_flags({"--wrapup-s", "60"}));
    auto hour_at_start = wall_ms() / 3'600'000;
    std::vector<std::string> secrets;
    auto admin_token = login_token(s.ep(), new_admin(s, "stats-admin"));
    secrets.push_back(admin_token);
    auto busy_account = s.new_listener("stats-busy");
    auto wrapup_account = s.new_listener("stats-wrapup");
    auto away_account = s.new_listener("stats-away");
    s.new_listener("stats-offline"); // rostered, never connects
    std::string t;
    auto busy = available_listener_at(s.ep(), busy_account, &t);
    secrets.push_back(t);
    auto wrapup = available_listener_at(s.ep(), wrapup_account, &t);
    secrets.push_back(t);

    auto gp1 = s.gp(&t);
    secrets.push_back(t);
    auto c1 = begin_conversation(gp1, busy); // busy was idle longest
    auto gp2 = s.gp(&t);
    secrets.push_back(t);
    auto c2 = begin_conversation(gp2, wrapup);
    auto canary = "canary-" + ts::random_hex(16);
    relay_and_check(gp1, c1.gp_channel, busy, c1.listener_channel, canary);
    relay_and_check(busy, c1.listener_channel, gp1, c1.gp_channel, canary);
    secrets.push_back(canary);
    wrapup.send_control(protocol::end_conversation{c2.listener_channel, std::nullopt});
    expect_listener_ended(wrapup);
    auto ended = gp2.expect<protocol::conversation_ended>();
    REQUIRE(ended.continuity_code.has_value());
    secrets.push_back(*ended.continuity_code);

    auto away = listener_session(s.ep(), away_account, &t);
    secrets.push_back(t);
    away.send_control(protocol::set_availability{protocol::availability::away});
    CHECK(away.expect<protocol::availability_changed>().state == protocol::listener_state::away);
    auto gp3 = s.gp(&t);
    secrets.push_back(t);
    CHECK(request_and_queue(gp3) == 1);
    auto gp3_queued = std::chrono::steady_clock::now();
    for (auto& sid : session_ids(s)) secrets.push_back(sid);
    REQUIRE(secrets.size() >= 16);

    auto res = api(s.ep(), "GET", "/api/admin/stats", admin_token);
    REQUIRE(res.status == 200);
    auto stats = res.json();
    INFO(stats.dump(2));
    auto& live = stats["live"];
    CHECK(live["waiting"] == 1);
    CHECK(live["conversations_active"] == 1);
    CHECK(live["offers_pending"] == 0);
    // gp3 is the only one waiting: the longest wait is theirs, no longer
    // than they have been in the queue (whole seconds, rounded down).
    auto waited_s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - gp3_queued);
    CHECK(live["longest_wait_s"].get<long long>() <= waited_s.count() + 1);
    auto& listeners = live["listeners"];
    CHECK(listeners["rostered"] == 4);
    CHECK(listeners["online"] == 3);
    CHECK(listeners["available"] == 0);
    CHECK(listeners["busy"] == 1);
    CHECK(listeners["wrapup"] == 1);
    CHECK(listeners["away"] == 1);

    CHECK(stats["hours"].size() == 24);
    if (wall_ms() / 3'600'000 == hour_at_start) { // (an hour boundary splits the counts)
        auto& hour = stats["this_hour"];
        CHECK(hour["requests"] == 3);
        CHECK(hour["matched"] == 2);
        CHECK(hour["offers_made"] == 2);
        CHECK(hour["offers_accepted"] == 2);
        CHECK(hour["conversations_ended"] == 1);
        CHECK(hour["ended_completed"] == 1);
        CHECK(hour["wait_s"]["p50"] == 10); // both waited under ten seconds
        CHECK_FALSE(hour["conversation_s"]["p50"].is_null());
        CHECK(stats["hours"][0]["hour_start_ms"] == hour_at_start * 3'600'000);
    }

    auto m = tc::http_get(s.server->metrics_endpoint(), "/metrics");
    REQUIRE(m.status == 200);
    CHECK(m.header("Content-Type").rfind("text/plain", 0) == 0);
    CHECK(m.header("X-Content-Type-Options") == "nosniff");
    CHECK(m.header("Cache-Control") == "no-store");
    INFO(m.body);
    CHECK(metric(m.body, "peerline_queue_waiting") == 1.0);
    CHECK(metric(m.body, "peerline_conversations_active") == 1.0);
    CHECK(metric(m.body, "peerline_listeners{state=\"available\"}") == 0.0);
    CHECK(metric(m.body, "peerline_listeners{state=\"busy\"}") == 1.0);
    CHECK(metric(m.body, "peerline_listeners{state=\"wrapup\"}") == 1.0);
    CHECK(metric(m.body, "peerline_listeners{state=\"away\"}") == 1.0);
    CHECK(metric(m.body, "peerline_listeners_rostered") == 4.0);
    CHECK(metric(m.body, "peerline_relayed_frames") == 2.0);
    CHECK(m.body.find("# TYPE peerline_queue_waiting gauge") != std::string::npos);

    for (auto& secret : secrets) {
        CHECK(res.body.find(secret) == std::string::npos);
        CHECK(m.body.find(secret) == std::string::npos);
    }
}

TEST_CASE("metrics are served on --metrics-listen only, never on the service port", "[stats]") {
    peerline_stack s;
    auto on_service_port = tc::http_get(s.ep(), "/metrics");
    CHECK(on_service_port.status == 404);
    CHECK(on_service_port.body.find("peerline_") == std::string::npos);
    auto scraped = tc::http_get(s.server->metrics_endpoint(), "/metrics");
    CHECK(scraped.status == 200);
    CHECK(scraped.body.find("peerline_up 1") != std::string::npos);
    // The metrics address serves nothing else of the service: no API, no pages.
    CHECK(tc::http_get(s.server->metrics_endpoint(), "/api/config").status == 404);
    CHECK(tc::http_get(s.server->metrics_endpoint(), "/").status == 404);
    CHECK(tc::http_get(s.server->metrics_endpoint(), "/readyz").status == 200);
}

TEST_CASE("queue statistics are for administrators only", "[stats]") {
    peerline_stack s;
    auto listener_token = login_token(s.ep(), s.new_listener("curious-listener"));
    auto gp_token = tc::gp_session(s.ep());
    for (auto& token : {listener_token, gp_token}) {
        auto res = api(s.ep(), "GET", "/api/admin/stats", token);
        CHECK(res.status == 403);
        CHECK(error_code_of(res) == "wrong_role");
    }
    auto none = api(s.ep(), "GET", "/api/admin/stats", "");
    CHECK(none.status == 401);
    CHECK(error_code_of(none) == "invalid_token");
}

TEST_CASE("administrators are pushed the live load when they connect and whenever it changes",
          "[stats][push]") {
    peerline_stack s;
    auto admin = admin_session(s.ep(), login_token(s.ep(), new_admin(s, "watching-admin")));
    // At once on connecting: the current numbers (nobody waiting, nobody rostered yet).
    auto first = admin.expect<protocol::live_stats>(5s);
    CHECK(first.waiting == 0);
    CHECK(first.listeners.rostered == 0);
    s.new_listener("pushed-listener"); // on shift (always), never connects
    auto gp1 = s.gp();
    auto gp2 = s.gp();
    request_and_queue(gp1);
    request_and_queue(gp2);
    // The first push that satisfies `pred` (unchanged numbers may come again
    // as heartbeats in between).
    auto until = [&](auto pred) -> std::optional<protocol::live_stats> {
        auto deadline = std::chrono::steady_clock::now() + 8s;
        while (std::chrono::steady_clock::now() < deadline) {
            auto m = admin.expect<protocol::live_stats>(8s);
            if (pred(m)) return m;
        }
        return std::nullopt;
    };
    // The waiting count rises to 2 ...
    auto two = until([](const protocol::live_stats& m) { return m.waiting == 2; });
    REQUIRE(two);
    // ... and falls when one leaves.
    gp1.send_control(protocol::leave_queue{});
    gp1.expect<protocol::left_queue>();
    auto one = until([](const protocol::live_stats& m) { return m.waiting == 1; });
    REQUIRE(one);
    // The rostered listener is counted though not connected; nobody is online.
    CHECK(one->listeners.rostered == 1);
    CHECK(one->listeners.online == 0);
    CHECK(one->conversations_active == 0);
}

TEST_CASE("unchanged live numbers are pushed again as a heartbeat, so a quiet feed is not a dead one",
          "[stats][push]") {
    peerline_stack s;
    auto admin = admin_session(s.ep(), login_token(s.ep(), new_admin(s, "quiet-admin")));
    auto first = admin.expect<protocol::live_stats>(5s);
    // Nothing happens in the service; the same numbers still arrive, twice
    // more (the heartbeat is 3 s; the bound leaves room for a slow machine).
    auto second = admin.expect<protocol::live_stats>(10s);
    auto third = admin.expect<protocol::live_stats>(10s);
    CHECK(second == first);
    CHECK(third == first);
}

TEST_CASE("daily statistics are summed by the calendar days of the service's time zone", "[stats]") {
    // New York is never on UTC, so its days start at 04:00 or 05:00 UTC.
    peerline_stack s(with_flags({"--timezone", "America/New_York"}));
    auto token = login_token(s.ep(), new_admin(s, "days-admin"));
    s.new_listener("days-listener"); // on shift, never connects: the GP queues
    auto gp = s.gp();
    request_and_queue(gp); // one request, counted in this hour
    auto res = tc::http_get(s.ep(), "/api/admin/stats?days=3", tc::bearer(token));
    REQUIRE(res.status == 200);
    auto body = res.json();
    INFO(res.body);
    CHECK(body["timezone"] == "America/New_York");
    REQUIRE(body["days"].size() == 3);
    for (auto& d : body["days"]) {
        auto offset_h = d["day_start_ms"].get<long long>() % 86'400'000 / 3'600'000;
        CHECK((offset_h == 4 || offset_h == 5));
    }
    CHECK(body["days"][0]["requests"] == 1); // today's (New York) day holds this hour
    CHECK(body["days"][0]["day_start_ms"].get<long long>() > body["days"][1]["day_start_ms"].get<long long>());
}
