// Offers are reservations with a timeout: a lapsed or declined offer passes
// to the next listener, a GP leaving withdraws it, and a listener who drops
// mid-offer does not strand the GP.
#include "service_helpers.hpp"

#include <thread>

using namespace peerline::service_tests;

TEST_CASE("a listener who lets an offer lapse loses it, is set away, and the next listener gets it",
          "[offers]") {
    peerline_stack s(with_flags({"--offer-timeout-ms", "1500"}));
    auto first = available_listener_at(s.ep(), s.new_listener("slow-listener"));
    auto second = available_listener_at(s.ep(), s.new_listener("next-listener"));
    auto gp = s.gp();
    CHECK(request_and_queue(gp) == 1);

    auto missed = first.expect<protocol::offer>();
    CHECK(missed.expires_in_ms == 1500);
    second.expect_nothing(300ms);
    // Not answered: withdrawn as expired, then set away for missing it.
    auto withdrawn = first.expect<protocol::offer_withdrawn>(5s);
    CHECK(withdrawn.offer_id == missed.offer_id);
    CHECK(withdrawn.reason == "expired");
    auto away = first.expect<protocol::availability_changed>();
    CHECK(away.state == protocol::listener_state::away);
    CHECK(away.reason == std::optional<std::string>("offer_missed"));

    // The same GP's request goes to the next listener.
    auto passed = second.expect<protocol::offer>(5s);
    CHECK(passed.offer_id != missed.offer_id);
    // Too late for the first listener.
    first.send_control(protocol::accept_offer{missed.offer_id});
    CHECK(first.expect_error(protocol::error_code::no_such_offer).in_reply_to == "accept_offer");
    auto c = accept(second, passed);
    auto on_gp = expect_skipping_queued<protocol::conversation_started>(gp);
    CHECK(on_gp.conversation_id == c.conversation_id);
    // The listener set away gets no further offers until they come back.
    auto gp2 = s.gp();
    request_and_queue(gp2);
    first.expect_nothing(500ms);
    CHECK(becomes_available(first));
    CHECK(first.expect<protocol::offer>().offer_id != passed.offer_id);
}

TEST_CASE("with --no-away-on-missed-offer a listener stays available after a lapsed offer", "[offers]") {
    peerline_stack s(with_flags({"--offer-timeout-ms", "1000", "--no-away-on-missed-offer"}));
    auto only = available_listener_at(s.ep(), s.new_listener("only-listener"));
    auto gp = s.gp();
    request_and_queue(gp);
    auto o = only.expect<protocol::offer>();
    auto withdrawn = only.expect<protocol::offer_withdrawn>(5s);
    CHECK(withdrawn.reason == "expired");
    // Still available: the same request comes back to them.
    auto again = only.expect<protocol::offer>(5s);
    CHECK(again.offer_id != o.offer_id);
}

TEST_CASE("a declined offer is withdrawn from the decliner and offered to the next listener",
          "[offers]") {
    peerline_stack s(with_flags({"--offer-timeout-ms", "10000"}));
    auto first = available_listener_at(s.ep(), s.new_listener("decliner"));
    auto second = available_listener_at(s.ep(), s.new_listener("taker"));
    auto gp = s.gp();
    request_and_queue(gp);

    auto o = first.expect<protocol::offer>();
    first.send_control(protocol::decline_offer{o.offer_id});
    auto w = first.expect<protocol::offer_withdrawn>();
    CHECK(w.offer_id == o.offer_id);
    CHECK(w.reason == "declined");
    auto next = second.expect<protocol::offer>();
    CHECK(next.offer_id != o.offer_id);
    // Declining twice, or the other listener's offer, is refused.
    first.send_control(protocol::decline_offer{o.offer_id});
    CHECK(first.expect_error(protocol::error_code::no_such_offer).in_reply_to == "decline_offer");
    first.send_control(protocol::decline_offer{next.offer_id});
    first.expect_error(protocol::error_code::no_such_offer);

    SECTION("the next listener accepts") {
        accept(second, next);
        CHECK(expect_skipping_queued<protocol::conversation_started>(gp).peer ==
              protocol::role::listener);
        first.expect_nothing(300ms); // the decliner is not offered it again
    }
    SECTION("the next listener declines too, and it comes back to the first") {
        // (Idle time counts in whole milliseconds: make the first listener's
        // decline certainly the earlier one.)
        std::this_thread::sleep_for(3ms);
        second.send_control(protocol::decline_offer{next.offer_id});
        CHECK(second.expect<protocol::offer_withdrawn>().reason == "declined");
        auto back = first.expect<protocol::offer>();
        accept(first, back);
        CHECK(expect_skipping_queued<protocol::conversation_started>(gp).peer ==
              protocol::role::listener);
    }
}

TEST_CASE("a GP leaving the queue while offered withdraws the offer with gp_left", "[offers]") {
    peerline_stack s(with_flags({"--offer-timeout-ms", "10000"}));
    auto listener = available_listener_at(s.ep(), s.new_listener("left-listener"));
    auto gp = s.gp();
    request_and_queue(gp);
    auto o = listener.expect<protocol::offer>();

    gp.send_control(protocol::leave_queue{});
    expect_skipping_queued<protocol::left_queue>(gp);
    auto w = listener.expect<protocol::offer_withdrawn>();
    CHECK(w.offer_id == o.offer_id);
    CHECK(w.reason == "gp_left");
    listener.send_control(protocol::accept_offer{o.offer_id});
    listener.expect_error(protocol::error_code::no_such_offer);
    CHECK(redis_integer(s, {"ZCARD", "{pl:q}:waiting"}) == 0);
    CHECK(redis_integer(s, {"ZCARD", "{pl:q}:offers"}) == 0);

    // The listener is free again: the next GP is offered to them.
    auto gp2 = s.gp();
    auto c = begin_conversation(gp2, listener);
    CHECK_FALSE(c.id.empty());
    // The GP who left can ask again.
    CHECK(request_and_queue(gp) == 1);
}

TEST_CASE("a GP disconnecting while offered withdraws the offer when resume is off", "[offers]") {
    peerline_stack s(with_flags({"--offer-timeout-ms", "10000", "--resume-grace-s", "0"}));
    auto listener = available_listener_at(s.ep(), s.new_listener("dropped-gp-listener"));
    auto gp = s.gp();
    request_and_queue(gp);
    auto o = listener.expect<protocol::offer>();
    gp.close();
    auto w = listener.expect<protocol::offer_withdrawn>();
    CHECK(w.offer_id == o.offer_id);
    CHECK(w.reason == "gp_left");
}

TEST_CASE("a listener disconnecting mid-offer passes the request to another listener", "[offers]") {
    peerline_stack s(with_flags({"--offer-timeout-ms", "10000"}));
    auto leaving = available_listener_at(s.ep(), s.new_listener("leaving"));
    auto staying = available_listener_at(s.ep(), s.new_listener("staying"));
    auto gp = s.gp();
    request_and_queue(gp);
    auto o = leaving.expect<protocol::offer>();
    staying.expect_nothing(200ms);

    leaving.close();
    // Not after the offer's ten seconds: at once.
    auto passed = staying.expect<protocol::offer>(3s);
    CHECK(passed.offer_id != o.offer_id);
    auto c = accept(staying, passed);
    CHECK(expect_skipping_queued<protocol::conversation_started>(gp).conversation_id ==
          c.conversation_id);
}

TEST_CASE("a free listener reaches a waiting GP behind hundreds of requests that already have offers",
          "[offers]") {
    peerline_stack s;
    auto listener = listener_session(s.ep(), s.new_listener("behind-the-head")); // away for now
    // 300 requests at the head of the queue, each with an offer pending to a
    // listener who has not answered yet (written straight into Redis: three
    // hundred real listeners would say the same, slowly).
    {
        peerline::test_support::redis_connection r(s.redis.port());
        auto old = wall_ms() - 60'000;
        for (int i = 0; i < 300; ++i) {
            auto rid = "head" + std::to_string(i);
            r.command({"HSET", "{pl:q}:req:" + rid, "sid", "ghost-gp-" + std::to_string(i), "node",
                       "elsewhere", "topic", "", "urgent", "0", "enqueued_ms", std::to_string(old),
                       "offer", "pending-" + std::to_string(i)});
            r.command({"ZADD", "{pl:q}:waiting", std::to_string((old + i) * 1000), rid});
        }
    }
    auto gp = s.gp();
    CHECK(request_and_queue(gp) == 301);

    listener.send_control(protocol::set_availability{protocol::availability::available});
    listener.expect<protocol::availability_changed>();
    auto o = expect_offer(listener, 3s); // the 301st request, not nothing
    auto c = accept(listener, o);
    CHECK(expect_skipping_queued<protocol::conversation_started>(gp).conversation_id == c.conversation_id);
}
