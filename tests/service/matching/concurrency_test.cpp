// Every change to the queue, offers and capacity is atomic: an offer is
// accepted at most once, only by its listener, and a burst of 100 requests
// never gives a listener more than one offer or conversation at a time (the
// default capacity), nor an offer during their wrap-up pause.
#include "service_helpers.hpp"

#include <map>

using namespace peerline::service_tests;

namespace {

std::map<std::string, int> count_types(const std::vector<tc::control_frame>& frames) {
    std::map<std::string, int> n;
    for (auto& f : frames) ++n[type_of(f)];
    return n;
}

// What one listener holds, as its own messages tell it.
struct listener_view {
    std::optional<std::string> offer;
    std::optional<std::uint16_t> channel;
    long long wrapup_until_ms = 0;
    bool stopping = false;
};

struct serve_result {
    int offers = 0;
    int accepts = 0;
    int started = 0;
    int ended = 0;
    int declined = 0;
    int errors = 0;
    int max_active = 0;
};

// Drives the listeners: each accepts every offer and ends each conversation
// as soon as it starts, until `target` conversations have ended; then all go
// away, decline what is still offered, end what is open and fall quiet.
// Checks on every message that no listener holds two offers, an offer and a
// conversation, two conversations, or an offer before its wrap-up ends; and
// samples Redis for the same bounds.
serve_result serve(peerline_stack& s, std::vector<tc::ws_client>& listeners, int target,
                   tc::duration limit) {
    serve_result r;
    std::vector<listener_view> views(listeners.size());
    ts::redis_connection redis(s.redis.port());
    auto deadline = std::chrono::steady_clock::now() + limit;
    auto next_sample = std::chrono::steady_clock::now();
    bool stopping = false;
    auto quiet_since = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() < deadline) {
        bool anything = false;
        for (std::size_t i = 0; i < listeners.size(); ++i) {
            auto& v = views[i];
            auto in = listeners[i].next_message(5ms);
            if (std::holds_alternative<tc::timed_out>(in)) continue;
            anything = true;
            auto* c = std::get_if<tc::control_frame>(&in);
            REQUIRE(c != nullptr);
            INFO("listener " << i << " got " << c->raw);
            auto type = type_of(*c);
            if (auto* o = std::get_if<protocol::offer>(&c->message)) {
                ++r.offers;
                CHECK_FALSE(v.offer.has_value());
                CHECK_FALSE(v.channel.has_value());
                CHECK(wall_ms() >= v.wrapup_until_ms); // no offer during wrap-up
                v.offer = o->offer_id;
                if (v.stopping) {
                    listeners[i].send_control(protocol::decline_offer{o->offer_id});
                } else {
                    listeners[i].send_control(protocol::accept_offer{o->offer_id});
                    ++r.accepts;
                }
            } else if (auto* w = std::get_if<protocol::offer_withdrawn>(&c->message)) {
                CHECK(v.offer == w->offer_id);
                CHECK(w->reason == "declined");
                ++r.declined;
                v.offer.reset();
            } else if (auto* st = std::get_if<protocol::conversation_started>(&c->message)) {
                ++r.started;
                CHECK(v.offer.has_value());
                CHECK_FALSE(v.channel.has_value());
                v.offer.reset();
                v.channel = st->channel;
                int active = 0;
                for (auto& x : views) active += x.channel ? 1 : 0;
                r.max_active = std::max(r.max_active, active);
                listeners[i].send_control(
                    protocol::end_conversation{st->channel, protocol::end_reason::completed});
            } else if (auto* e = std::get_if<protocol::conversation_ended>(&c->message)) {
                CHECK(v.channel == e->channel);
                v.channel.reset();
                ++r.ended;
            } else if (auto* a = std::get_if<protocol::availability_changed>(&c->message)) {
                if (a->state == protocol::listener_state::wrapup) {
                    REQUIRE(a->until_ms.has_value());
                    v.wrapup_until_ms = static_cast<long long>(*a->until_ms);
                } else if (a->state == protocol::listener_state::away) {
                    CHECK(v.stopping); // nobody is set away here but by choice
                }
            } else {
                ++r.errors;
                FAIL_CHECK("unexpected " << type);
            }
        }
        auto now = std::chrono::steady_clock::now();
        if (now >= next_sample) {
            next_sample = now + 100ms;
            auto convs = std::stoll(redis.command({"SCARD", "{pl:q}:convs"}).at(0));
            auto offers = std::stoll(redis.command({"ZCARD", "{pl:q}:offers"}).at(0));
            CHECK(convs <= static_cast<long long>(listeners.size()));
            CHECK(offers <= static_cast<long long>(listeners.size()));
        }
        if (anything) quiet_since = now;
        if (!stopping && r.ended >= target) {
            stopping = true;
            for (std::size_t i = 0; i < listeners.size(); ++i) {
                views[i].stopping = true;
                listeners[i].send_control(protocol::set_availability{protocol::availability::away});
            }
        }
        if (stopping && now - quiet_since > 500ms) {
            bool idle = true;
            for (auto& v : views) idle = idle && !v.offer && !v.channel;
            if (idle) return r;
        }
    }
    FAIL("the listeners did not finish within the time limit: " << r.ended << " of " << target
                                                                 << " conversations ended");
    return r;
}

// Reads what every GP has been sent so far: how many started and ended a
// conversation. Anything but queued, conversation_started or
// conversation_ended is wrong.
struct gp_tally {
    int started = 0;
    int ended = 0;
    int gps_with_two = 0;
};

gp_tally tally(std::vector<tc::ws_client>& gps) {
    gp_tally t;
    for (auto& gp : gps) {
        int started = 0;
        while (true) {
            auto in = gp.next_message(20ms);
            if (std::holds_alternative<tc::timed_out>(in)) break;
            auto* c = std::get_if<tc::control_frame>(&in);
            REQUIRE(c != nullptr);
            if (std::holds_alternative<protocol::conversation_started>(c->message)) {
                ++started;
            } else if (std::holds_alternative<protocol::conversation_ended>(c->message)) {
                ++t.ended;
            } else {
                INFO(c->raw);
                CHECK(std::holds_alternative<protocol::queued>(c->message));
            }
        }
        t.started += started;
        if (started > 1) ++t.gps_with_two;
    }
    return t;
}

long long stat_this_and_last_hour(peerline_stack& s, const std::string& field) {
    ts::redis_connection redis(s.redis.port());
    long long total = 0;
    auto hour = wall_ms() / 3'600'000;
    for (auto h : {hour, hour - 1}) {
        auto v = redis.command({"HGET", "{pl:q}:stats:" + std::to_string(h), field});
        if (!v.empty()) total += std::stoll(v[0]);
    }
    return total;
}

std::vector<tc::ws_client> gps_asking_at_once(peerline_stack& s, int n) {
    std::vector<tc::ws_client> gps;
    for (int i = 0; i < n; ++i) gps.push_back(s.gp());
    // All requests go out before anything is read.
    for (auto& gp : gps)
        gp.send_control(protocol::request_chat{protocol::topic::other, false, std::nullopt});
    return gps;
}

} // namespace

TEST_CASE("a listener who accepts the same offer twice back to back starts exactly one "
          "conversation",
          "[concurrency]") {
    peerline_stack s;
    auto listener = available_listener_at(s.ep(), s.new_listener("double-accept"));
    auto gp = s.gp();
    request_and_queue(gp);
    auto o = listener.expect<protocol::offer>();

    listener.send_control(protocol::accept_offer{o.offer_id});
    listener.send_control(protocol::accept_offer{o.offer_id});
    auto frames = drain(listener, 700ms);
    auto n = count_types(frames);
    CHECK(n["conversation_started"] == 1);
    CHECK(n["error"] == 1);
    CHECK(n["availability"] == 1);
    CHECK(frames.size() == 3);
    for (auto& f : frames) {
        if (auto* e = std::get_if<protocol::error_message>(&f.message)) {
            CHECK(e->err.code == protocol::error_code::no_such_offer);
            CHECK(e->in_reply_to == "accept_offer");
        }
    }
    CHECK(expect_skipping_queued<protocol::conversation_started>(gp).peer == protocol::role::listener);
    for (auto& f : drain(gp, 300ms)) CHECK(type_of(f) == "queued");
    CHECK(redis_integer(s, {"SCARD", "{pl:q}:convs"}) == 1);
}

TEST_CASE("a listener cannot accept or decline another listener's offer", "[concurrency]") {
    peerline_stack s;
    auto owner = available_listener_at(s.ep(), s.new_listener("owner"));
    auto other = available_listener_at(s.ep(), s.new_listener("other"));
    auto gp = s.gp();
    request_and_queue(gp);
    auto o = owner.expect<protocol::offer>();

    other.send_control(protocol::accept_offer{o.offer_id});
    CHECK(other.expect_error(protocol::error_code::no_such_offer).in_reply_to == "accept_offer");
    other.send_control(protocol::decline_offer{o.offer_id});
    CHECK(other.expect_error(protocol::error_code::no_such_offer).in_reply_to == "decline_offer");
    owner.expect_nothing(200ms); // still theirs, untouched

    auto c = accept(owner, o);
    CHECK(expect_skipping_queued<protocol::conversation_started>(gp).conversation_id ==
          c.conversation_id);
    other.expect_nothing(200ms);
}

TEST_CASE("100 GPs asking at once never give a listener more than one offer or conversation, "
          "nor an offer during wrap-up",
          "[concurrency]") {
    peerline_stack s(with_flags({"--wrapup-s", "1", "--max-connections-per-address", "500"}));
    std::vector<tc::ws_client> listeners;
    for (int i = 0; i < 3; ++i)
        listeners.push_back(available_listener_at(s.ep(), s.new_listener("burst-" + std::to_string(i))));
    auto gps = gps_asking_at_once(s, 100);

    // Four rounds of three conversations, each followed by a wrap-up.
    auto r = serve(s, listeners, 12, 30s);
    CHECK(r.ended >= 12);
    CHECK(r.started == r.accepts);
    CHECK(r.ended == r.started);
    CHECK(r.errors == 0);
    CHECK(r.max_active <= 3);

    auto t = tally(gps);
    CHECK(t.gps_with_two == 0);
    CHECK(t.started == r.started);
    CHECK(t.ended == r.ended);
    CHECK(redis_integer(s, {"ZCARD", "{pl:q}:waiting"}) == 100 - r.started);
    CHECK(redis_integer(s, {"SCARD", "{pl:q}:convs"}) == 0);
    CHECK(stat_this_and_last_hour(s, "matched") == r.started);
}

TEST_CASE("100 GPs asking at once are all served by three listeners, one conversation per accept",
          "[concurrency]") {
    peerline_stack s(with_flags({"--wrapup-s", "0", "--max-connections-per-address", "500"}));
    std::vector<tc::ws_client> listeners;
    for (int i = 0; i < 3; ++i)
        listeners.push_back(available_listener_at(s.ep(), s.new_listener("serve-" + std::to_string(i))));
    auto gps = gps_asking_at_once(s, 100);

    auto r = serve(s, listeners, 100, 60s);
    CHECK(r.started == 100);
    CHECK(r.ended == 100);
    CHECK(r.accepts == 100);
    CHECK(r.declined == 0);
    CHECK(r.errors == 0);
    CHECK(r.max_active <= 3);

    auto t = tally(gps);
    CHECK(t.gps_with_two == 0);
    CHECK(t.started == 100);
    CHECK(t.ended == 100);
    CHECK(redis_integer(s, {"ZCARD", "{pl:q}:waiting"}) == 0);
    CHECK(redis_integer(s, {"SCARD", "{pl:q}:convs"}) == 0);
    CHECK(stat_this_and_last_hour(s, "matched") == 100);
    CHECK(stat_this_and_last_hour(s, "offers_accepted") == 100);
    CHECK(stat_this_and_last_hour(s, "conversations_ended") == 100);
}
