// The listener's wellbeing, enforced by the software: a wrap-up pause after
// each conversation with no offer until it ends, and a limit on
// conversations per shift.
#include "service_helpers.hpp"

using namespace peerline::service_tests;

TEST_CASE("after a conversation the listener pauses for wrap-up and gets no offer until it ends",
          "[wellbeing][wrapup]") {
    peerline_stack s(with_flags({"--wrapup-s", "2"}));
    auto listener = available_listener_at(s.ep(), s.new_listener("wrapup-listener"));
    auto gp = s.gp();
    auto c = begin_conversation(gp, listener);
    // A second GP waits meanwhile.
    auto next = s.gp();
    CHECK(request_and_queue(next) == 1);
    listener.expect_nothing(200ms); // busy: no offer

    auto ended_at = wall_ms();
    gp.send_control(protocol::end_conversation{c.gp_channel, protocol::end_reason::completed});
    auto got = expect_unordered(listener, {"conversation_ended", "availability"});
    auto wrapup = std::get<protocol::availability_changed>(got["availability"]);
    CHECK(wrapup.state == protocol::listener_state::wrapup);
    CHECK(wrapup.reason == std::optional<std::string>("wrapup"));
    REQUIRE(wrapup.until_ms.has_value());
    auto until = static_cast<long long>(*wrapup.until_ms);
    CHECK(until >= ended_at + 1000);
    CHECK(until <= wall_ms() + 2500);

    // Then available again, and the waiting GP is offered, not before.
    auto after = expect_unordered(listener, {"availability", "offer"});
    auto arrived = wall_ms();
    CHECK(arrived >= until);
    CHECK(std::get<protocol::availability_changed>(after["availability"]).state ==
          protocol::listener_state::available);
    auto c2 = accept(listener, std::get<protocol::offer>(after["offer"]));
    CHECK(expect_skipping_queued<protocol::conversation_started>(next).conversation_id ==
          c2.conversation_id);
}

TEST_CASE("going away and back during wrap-up does not cut the pause short", "[wellbeing][wrapup]") {
    peerline_stack s(with_flags({"--wrapup-s", "3"}));
    auto listener = available_listener_at(s.ep(), s.new_listener("wrapup-cheat"));
    auto gp = s.gp();
    auto c = begin_conversation(gp, listener);
    auto next = s.gp();
    request_and_queue(next);
    listener.send_control(protocol::end_conversation{c.listener_channel, std::nullopt});
    auto ended = expect_listener_ended(listener);
    CHECK(ended.by == protocol::ended_by::listener);

    listener.send_control(protocol::set_availability{protocol::availability::away});
    CHECK(listener.expect<protocol::availability_changed>().state == protocol::listener_state::away);
    listener.send_control(protocol::set_availability{protocol::availability::available});
    auto back = listener.expect<protocol::availability_changed>();
    CHECK(back.state == protocol::listener_state::wrapup);
    REQUIRE(back.until_ms.has_value());
    auto until = static_cast<long long>(*back.until_ms);
    // No offer before the pause is over.
    auto frames = drain(listener, 300ms);
    for (auto& f : frames) {
        INFO(f.raw);
        CHECK((type_of(f) != "offer" || wall_ms() >= until));
    }
    auto o = expect_offer(listener, 6s);
    CHECK(wall_ms() >= until);
    CHECK_FALSE(o.offer_id.empty());
}

TEST_CASE("a listener who reaches --max-conversations-per-shift is set away and may not go "
          "available",
          "[wellbeing][shift-limit]") {
    peerline_stack s(with_flags({"--max-conversations-per-shift", "1", "--wrapup-s", "0"}));
    auto listener = available_listener_at(s.ep(), s.new_listener("limited"));
    auto gp = s.gp();
    request_and_queue(gp);
    auto o = listener.expect<protocol::offer>();
    listener.send_control(protocol::accept_offer{o.offer_id});

    // The conversation starts, and the listener is told they are done for this shift.
    auto frames = drain(listener, 500ms);
    bool started = false, limit = false;
    std::uint16_t channel = 0;
    for (auto& f : frames) {
        INFO(f.raw);
        if (auto* st = std::get_if<protocol::conversation_started>(&f.message)) {
            started = true;
            channel = st->channel;
        } else if (auto* a = std::get_if<protocol::availability_changed>(&f.message)) {
            if (a->reason) {
                CHECK(a->state == protocol::listener_state::away);
                CHECK(*a->reason == "shift_limit");
                limit = true;
            }
            CHECK(a->state != protocol::listener_state::available);
        } else {
            FAIL_CHECK("unexpected " << f.raw);
        }
    }
    CHECK(started);
    CHECK(limit);
    auto on_gp = expect_skipping_queued<protocol::conversation_started>(gp);
    // The conversation itself carries on.
    relay_and_check(gp, on_gp.channel, listener, channel, "still talking");

    listener.send_control(protocol::set_availability{protocol::availability::available});
    CHECK(listener.expect_error(protocol::error_code::invalid_state).in_reply_to ==
          "set_availability");

    // Ending it does not bring them back, and nobody else is offered to them.
    auto waiting = s.gp();
    request_and_queue(waiting);
    listener.send_control(protocol::end_conversation{channel, std::nullopt});
    auto after = drain(listener, 1000ms);
    for (auto& f : after) {
        INFO(f.raw);
        CHECK(type_of(f) != "offer");
        if (auto* a = std::get_if<protocol::availability_changed>(&f.message))
            CHECK(a->state == protocol::listener_state::away);
    }
    listener.send_control(protocol::set_availability{protocol::availability::available});
    listener.expect_error(protocol::error_code::invalid_state);
    CHECK(redis_integer(s, {"ZCARD", "{pl:q}:available"}) == 0);
}

TEST_CASE("a listener who has been available for --max-shift-hours is set away and may not go "
          "available again in that shift",
          "[wellbeing][shift-limit]") {
    peerline_stack s(with_flags({"--max-shift-hours", "0.002"})); // 7 seconds (whole seconds)
    auto listener = available_listener_at(s.ep(), s.new_listener("long-shift"));
    auto started = std::chrono::steady_clock::now();
    auto away = listener.expect<protocol::availability_changed>(15s);
    CHECK(away.state == protocol::listener_state::away);
    CHECK(away.reason == "shift_limit");
    CHECK(std::chrono::steady_clock::now() - started >= 5s); // not at once (the start is rounded down to the second)
    CHECK(try_available(listener) == "invalid_state");
    // Matching leaves them out: a GP waits.
    auto gp = s.gp();
    CHECK(request_and_queue(gp) == 1);
    listener.expect_nothing(500ms);
}

namespace {
// A GP asks and `listener` (the longest idle) is offered and accepts: with
// --max-conversations-per-shift 1, the shift's one conversation.
void take_one_conversation(peerline_stack& s, tc::ws_client& listener) {
    auto gp = s.gp();
    request_and_queue(gp);
    auto o = listener.expect<protocol::offer>();
    listener.send_control(protocol::accept_offer{o.offer_id});
    expect_skipping_queued<protocol::conversation_started>(gp);
}
} // namespace

// The shift's count belongs to the listener, not to a connection: reloading
// the console (a new login and connection) or a second device must not start
// a fresh one.
TEST_CASE("the conversation limit of a shift holds across a new login and connection",
          "[wellbeing][shift-limit]") {
    peerline_stack s(with_flags({"--max-conversations-per-shift", "1", "--wrapup-s", "0"}));
    auto who = s.new_listener("reloads");
    {
        auto listener = available_listener_at(s.ep(), who);
        take_one_conversation(s, listener);
        listener.close();
    }
    auto again = listener_session(s.ep(), who);
    CHECK(try_available(again) == "invalid_state");
    // A second connection alongside it is refused too, and matching leaves
    // the listener out.
    auto second = listener_session(s.ep(), who);
    CHECK(try_available(second) == "invalid_state");
    auto gp = s.gp();
    request_and_queue(gp);
    again.expect_nothing(300ms);
    CHECK(redis_integer(s, {"ZCARD", "{pl:q}:available"}) == 0);
}

TEST_CASE("the hours limit of a shift holds across a new login and connection",
          "[wellbeing][shift-limit]") {
    peerline_stack s(with_flags({"--max-shift-hours", "0.001"})); // 3 seconds (whole seconds)
    auto who = s.new_listener("long-reload");
    {
        auto listener = available_listener_at(s.ep(), who);
        auto away = listener.expect<protocol::availability_changed>(10s);
        CHECK(away.reason == "shift_limit");
        listener.close();
    }
    auto again = listener_session(s.ep(), who);
    CHECK(try_available(again) == "invalid_state");
}

TEST_CASE("a new connection mid-shift keeps the time already spent available",
          "[wellbeing][shift-limit]") {
    peerline_stack s(with_flags({"--max-shift-hours", "0.002"})); // 7 seconds (whole seconds)
    auto who = s.new_listener("mid-shift");
    std::chrono::steady_clock::time_point first_available;
    {
        auto listener = available_listener_at(s.ep(), who);
        first_available = std::chrono::steady_clock::now(); // (the server's count began just before)
        listener.expect_nothing(2s);
        listener.close();
    }
    // The new connection is set away when the stretch's 7 s are up, counted
    // from the first going available, not 7 s from now.
    auto again = listener_session(s.ep(), who);
    CHECK(try_available(again) == "available");
    auto away = again.expect<protocol::availability_changed>(10s);
    CHECK(away.reason == "shift_limit");
    // At most 7 s after the first going available (plus delivery), where a
    // fresh count on the new connection would take 9 s or more.
    auto took = std::chrono::steady_clock::now() - first_available;
    CHECK(took < 8500ms);
    CHECK(took > 5500ms); // and not at once
}

TEST_CASE("a stretch of shifts counts for at most a day (an --always shift never ends)",
          "[wellbeing][shift-limit]") {
    peerline_stack s(with_flags({"--max-conversations-per-shift", "1"}));
    auto who = s.new_listener("around-the-clock"); // on an --always shift
    auto day_ms = 24LL * 3600 * 1000;
    // The limit was reached in a stretch that began 25 hours ago and has not ended.
    redis_integer(s, {"HSET", "{pl:q}:shift:" + who.name, "until_ms",
                      std::to_string(wall_ms() + 7 * day_ms), "started_ms",
                      std::to_string(wall_ms() - day_ms - 3600 * 1000), "count", "1"});
    auto listener = listener_session(s.ep(), who);
    REQUIRE(becomes_available(listener)); // (a new shift takes a rota reload to be seen)

    // Reached again in a stretch that began an hour ago: refused.
    listener.send_control(protocol::set_availability{protocol::availability::away});
    skip_availability(listener);
    redis_integer(s, {"HSET", "{pl:q}:shift:" + who.name, "started_ms",
                      std::to_string(wall_ms() - 3600 * 1000), "count", "1"});
    CHECK(try_available(listener) == "invalid_state");
}

TEST_CASE("a listener on two devices cannot pass the conversation limit on the second",
          "[wellbeing][shift-limit]") {
    peerline_stack s(with_flags({"--max-conversations-per-shift", "1", "--wrapup-s", "0"}));
    auto who = s.new_listener("two-devices");
    auto first = available_listener_at(s.ep(), who);
    auto second = available_listener_at(s.ep(), who);
    take_one_conversation(s, first); // the first device has been idle longest

    // The second device is still in matching; the next GP is offered to it,
    // and taking it is refused.
    auto next = s.gp();
    request_and_queue(next);
    auto o2 = expect_offer(second);
    second.send_control(protocol::accept_offer{o2.offer_id});
    auto got = expect_all(second, {"error", "availability"}, 5s);
    CHECK(std::get<protocol::error_message>(got["error"]).in_reply_to == "accept_offer");
    auto away = std::get<protocol::availability_changed>(got["availability"]);
    CHECK(away.state == protocol::listener_state::away);
    CHECK(away.reason == std::optional<std::string>("shift_limit"));
    // The GP keeps their place, and the listener is out of matching.
    CHECK(redis_integer(s, {"ZCARD", "{pl:q}:waiting"}) == 1);
    CHECK(redis_integer(s, {"ZCARD", "{pl:q}:available"}) == 0);
    next.send_control(protocol::ping{});
    expect_skipping_queued<protocol::pong>(next);
}

TEST_CASE("when the rota moves the end of a listener's stretch of shifts, the stored end moves too",
          "[wellbeing][shift-limit]") {
    peerline_stack s(with_flags({"--max-conversations-per-shift", "3"}));
    auto who = s.new_listener("moved-end");
    auto listener = available_listener_at(s.ep(), who);
    std::string key = "{pl:q}:shift:" + who.name;
    auto stored_end = [&] {
        return redis_integer(s, {"EVAL", "return tonumber(redis.call('HGET', KEYS[1], 'until_ms') or '0')",
                                 "1", key});
    };
    REQUIRE(stored_end() > wall_ms());
    // As if the stretch had been due to end in a minute when an administrator
    // lengthened it (any rota change makes the nodes check their listeners).
    redis_integer(s, {"HSET", key, "until_ms", std::to_string(wall_ms() + 60'000)});
    s.new_listener("someone-else"); // adds a shift: a rota change
    // Without the update a going-available after that minute would start a
    // fresh count in what is still the same stretch.
    CHECK(ts::eventually([&] { return stored_end() > wall_ms() + 24LL * 3600 * 1000; }, 5s));
}
