// Queue order and who gets the offer: urgent requests first, then the oldest;
// the offer goes to the listener who has been idle longest.
#include "service_helpers.hpp"

#include <thread>

using namespace peerline::service_tests;

namespace {

// The listener ends the conversation on `channel` and is told so (with no
// wrap-up configured, straight back to available).
void end_by_listener(tc::ws_client& listener, std::uint16_t channel) {
    listener.send_control(protocol::end_conversation{channel, protocol::end_reason::completed});
    auto got = expect_unordered(listener, {"conversation_ended", "availability"});
    CHECK(std::get<protocol::conversation_ended>(got["conversation_ended"]).channel == channel);
}

} // namespace

TEST_CASE("an urgent request is offered before older ordinary ones, then the oldest goes first",
          "[queue][order]") {
    peerline_stack s(with_flags({"--wrapup-s", "0"}));
    auto listener = listener_session(s.ep(), s.new_listener("order-listener")); // on shift, away
    auto first = s.gp();
    auto second = s.gp();
    auto urgent = s.gp();
    CHECK(request_and_queue(first) == 1);
    CHECK(request_and_queue(second) == 2);
    CHECK(request_and_queue(urgent, true) == 1); // straight to the front

    // The ordinary GPs are pushed their places behind the urgent one.
    CHECK(pushed_position(first, 2));
    CHECK(pushed_position(second, 3));

    listener.send_control(protocol::set_availability{protocol::availability::available});
    auto got = expect_unordered(listener, {"availability", "offer"});
    auto offer = std::get<protocol::offer>(got["offer"]);
    CHECK(offer.urgent);
    auto c1 = accept(listener, offer);
    auto on_urgent = expect_skipping_queued<protocol::conversation_started>(urgent);
    CHECK(on_urgent.conversation_id == c1.conversation_id);
    end_by_listener(listener, c1.channel);
    CHECK(expect_skipping_queued<protocol::conversation_ended>(urgent).by ==
          protocol::ended_by::listener);

    // Then the oldest of the ordinary ones.
    auto next = expect_offer(listener);
    CHECK_FALSE(next.urgent);
    auto c2 = accept(listener, next);
    auto on_first = expect_skipping_queued<protocol::conversation_started>(first);
    CHECK(on_first.conversation_id == c2.conversation_id);

    // The second GP is still waiting, now at the front.
    CHECK(pushed_position(second, 1));
}

TEST_CASE("the listener idle longest gets the offer", "[queue][order]") {
    peerline_stack s;
    auto amy = s.new_listener("amy");
    auto zed = s.new_listener("zed");

    SECTION("amy became available first") {
        auto a = available_listener_at(s.ep(), amy);
        auto z = available_listener_at(s.ep(), zed);
        auto gp = s.gp();
        CHECK(request_and_queue(gp) == 1);
        auto o = a.expect<protocol::offer>();
        z.expect_nothing(500ms);
        accept(a, o);
        CHECK(expect_skipping_queued<protocol::conversation_started>(gp).peer ==
              protocol::role::listener);
    }
    SECTION("zed became available first") {
        auto z = available_listener_at(s.ep(), zed);
        auto a = available_listener_at(s.ep(), amy);
        auto gp = s.gp();
        CHECK(request_and_queue(gp) == 1);
        auto o = z.expect<protocol::offer>();
        a.expect_nothing(500ms);
        // A second GP goes to the other listener, who is now the only idle one.
        auto gp2 = s.gp();
        request_and_queue(gp2);
        auto o2 = a.expect<protocol::offer>();
        accept(z, o);
        accept(a, o2);
        CHECK(expect_skipping_queued<protocol::conversation_started>(gp).peer ==
              protocol::role::listener);
        CHECK(expect_skipping_queued<protocol::conversation_started>(gp2).peer ==
              protocol::role::listener);
    }
}

TEST_CASE("GPs asking one after another within a millisecond are queued in the order they asked",
          "[queue][order]") {
    peerline_stack s;
    auto listener = listener_session(s.ep(), s.new_listener("on-shift-away")); // staffed
    std::vector<tc::ws_client> gps;
    for (int i = 0; i < 20; ++i) gps.push_back(s.gp());
    // Each asks only after the one before was told its place: the order of
    // arrival is certain, and many arrive within the same millisecond.
    std::vector<std::uint32_t> positions;
    for (auto& gp : gps) {
        gp.send_control(protocol::request_chat{std::nullopt, false, std::nullopt});
        positions.push_back(gp.expect<protocol::queued>().position);
    }
    std::vector<std::uint32_t> in_order;
    for (std::uint32_t i = 1; i <= 20; ++i) in_order.push_back(i);
    CHECK(positions == in_order);
}

TEST_CASE("ageing: an ordinary request that has waited longer than --urgent-boost-s stays ahead of "
          "a new urgent one",
          "[queue][order]") {
    peerline_stack s(with_flags({"--urgent-boost-s", "3"}));
    auto listener = listener_session(s.ep(), s.new_listener("ageing-listener")); // on shift, away
    auto patient = s.gp();
    CHECK(request_and_queue(patient) == 1);
    std::this_thread::sleep_for(4500ms);
    auto urgent = s.gp();
    CHECK(request_and_queue(urgent, true) == 2); // urgent, but not ahead of a 4.5 s wait
    auto fresh = s.gp();
    CHECK(request_and_queue(fresh) == 3);
    auto urgent_too = s.gp();
    CHECK(request_and_queue(urgent_too, true) == 3); // ahead of the fresh one only
    CHECK(pushed_position(fresh, 4));
}
