// Per-listener capacity: an administrator lets a listener hold more than one
// conversation at once; matching never goes over it, and the listener is
// "busy" only when full.
#include "service_helpers.hpp"

using namespace peerline::service_tests;

TEST_CASE("a listener with capacity 2 holds two conversations at once and no more", "[capacity]") {
    peerline_stack s(with_flags({"--wrapup-s", "0"}));
    auto admin = login_token(s.ep(), new_admin(s, "capacity-admin"));
    auto account = s.new_listener("two-at-once");
    CHECK(api(s.ep(), "PUT", "/api/admin/accounts/two-at-once/capacity", admin, R"({"capacity":5})").status == 400);
    CHECK(api(s.ep(), "PUT", "/api/admin/accounts/two-at-once/capacity", admin, R"({"capacity":0})").status == 400);
    CHECK(api(s.ep(), "PUT", "/api/admin/accounts/nobody/capacity", admin, R"({"capacity":2})").status == 404);
    REQUIRE(api(s.ep(), "PUT", "/api/admin/accounts/two-at-once/capacity", admin, R"({"capacity":2})").status == 204);
    auto listed = api(s.ep(), "GET", "/api/admin/accounts", admin).json()["accounts"];
    for (auto& a : listed)
        if (a["username"] == "two-at-once") CHECK(a["capacity"] == 2);

    auto listener = available_listener_at(s.ep(), account); // reads its capacity on connecting
    auto gp1 = s.gp();
    CHECK(request_and_queue(gp1) == 1);
    // Still room for one more after the first: available, not busy.
    auto first = accept(listener, expect_offer(listener), protocol::listener_state::available);
    auto gp1_started = expect_skipping_queued<protocol::conversation_started>(gp1);
    CHECK(gp1_started.conversation_id == first.conversation_id);
    auto gp2 = s.gp();
    gp2.send_control(protocol::request_chat{protocol::topic::career, false, std::nullopt});
    auto second = accept(listener, expect_offer(listener)); // now full: busy
    CHECK(second.channel != first.channel);
    CHECK(expect_skipping_queued<protocol::conversation_started>(gp2).conversation_id == second.conversation_id);
    // Full: busy, and a third GP waits without an offer.
    auto gp3 = s.gp();
    CHECK(request_and_queue(gp3) == 1);
    for (auto& f : drain(listener, 1500ms)) {
        INFO(f.raw);
        CHECK(type_of(f) != "offer");
    }
    CHECK(redis_integer(s, {"SCARD", "{pl:q}:convs"}) == 2);
    // One ends: the waiting GP is offered to the same listener.
    gp1.send_control(protocol::end_conversation{gp1_started.channel, protocol::end_reason::completed});
    auto o3 = expect_skipping<protocol::offer>(
        listener,
        [](const protocol::server_message& m) {
            return std::holds_alternative<protocol::conversation_ended>(m) ||
                   std::holds_alternative<protocol::availability_changed>(m);
        },
        8s);
    accept(listener, o3);
    CHECK(expect_skipping_queued<protocol::conversation_started>(gp3).peer == protocol::role::listener);
    CHECK(redis_integer(s, {"SCARD", "{pl:q}:convs"}) == 2);
}
