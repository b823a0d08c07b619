// Escalation: a listener asks for the duty supervisor about a conversation;
// every administrator connected over WebSocket is told at once (listener
// and conversation id, nothing else), and the listener hears how many were.
#include "service_helpers.hpp"

using namespace peerline::service_tests;

TEST_CASE("a duty supervisor connected over WebSocket is told when a listener escalates",
          "[escalation]") {
    peerline_stack s;
    auto admin_token = login_token(s.ep(), new_admin(s, "duty-supervisor"));
    auto supervisor = admin_session(s.ep(), admin_token);
    auto listener = available_listener_at(s.ep(), s.new_listener("escalating-listener"));
    auto gp = s.gp();
    auto c = begin_conversation(gp, listener);

    listener.send_control(protocol::escalate{c.listener_channel});
    auto sent = listener.expect<protocol::escalation_sent>();
    CHECK(sent.channel == c.listener_channel);
    CHECK(sent.supervisors == 1);
    auto told = expect_skipping_live_stats<protocol::escalation>(supervisor);
    CHECK(told.listener == "escalating-listener");
    CHECK(told.conversation_id == c.id);
    // The GP is not told, and the conversation carries on.
    gp.expect_nothing(300ms);
    relay_and_check(gp, c.gp_channel, listener, c.listener_channel, "still here");
    // Counted for the statistics (a count, nothing more).
    auto stats = api(s.ep(), "GET", "/api/admin/stats", admin_token).json();
    CHECK(stats["this_hour"].value("escalations", 0) >= 1);

    SECTION("a second supervisor is counted too") {
        auto second = admin_session(s.ep(), login_token(s.ep(), new_admin(s, "second-supervisor")));
        listener.send_control(protocol::escalate{c.listener_channel});
        CHECK(listener.expect<protocol::escalation_sent>().supervisors == 2);
        CHECK(expect_skipping_live_stats<protocol::escalation>(supervisor).conversation_id == c.id);
        CHECK(expect_skipping_live_stats<protocol::escalation>(second).conversation_id == c.id);
    }
    SECTION("a supervisor who left is no longer counted") {
        supervisor.close();
        CHECK(ts::eventually(
            [&] {
                listener.send_control(protocol::escalate{c.listener_channel});
                return listener.expect<protocol::escalation_sent>().supervisors == 0;
            },
            5s, 100ms));
    }
}

TEST_CASE("a listener escalating with no supervisor online is told supervisors 0", "[escalation]") {
    peerline_stack s;
    auto listener = available_listener_at(s.ep(), s.new_listener("alone-listener"));
    auto gp = s.gp();
    auto c = begin_conversation(gp, listener);
    listener.send_control(protocol::escalate{c.listener_channel});
    auto sent = listener.expect<protocol::escalation_sent>();
    CHECK(sent.channel == c.listener_channel);
    CHECK(sent.supervisors == 0);
}

TEST_CASE("escalation needs an open conversation of the listener's own", "[escalation]") {
    peerline_stack s;
    auto supervisor = admin_session(s.ep(), login_token(s.ep(), new_admin(s, "duty-supervisor")));
    auto listener = available_listener_at(s.ep(), s.new_listener("escalating-listener"));
    listener.send_control(protocol::escalate{1});
    CHECK(listener.expect_error(protocol::error_code::unknown_channel).in_reply_to == "escalate");
    auto gp = s.gp();
    auto c = begin_conversation(gp, listener);
    gp.send_control(protocol::escalate{c.gp_channel});
    CHECK(gp.expect_error(protocol::error_code::wrong_role).in_reply_to == "escalate");
    listener.send_control(protocol::escalate{static_cast<std::uint16_t>(c.listener_channel + 1)});
    listener.expect_error(protocol::error_code::unknown_channel);
    for (auto& frame : drain(supervisor, 1500ms)) // nothing escalated (load updates only)
        CHECK(std::holds_alternative<protocol::live_stats>(frame.message));
}
