// Every WebSocket action is checked against the session's role; a refused
// action leaves the connection usable.
#include "fixture.hpp"

#include <catch2/catch.hpp>

using namespace peerline::integration;
namespace protocol = peerline::protocol;

TEST_CASE("a GP trying listener actions is told wrong_role and stays connected", "[roles]") {
    peerline_stack s;
    auto gp = s.gp();
    gp.send_control(protocol::set_availability{protocol::availability::available});
    auto e1 = gp.expect_error(protocol::error_code::wrong_role);
    CHECK(e1.in_reply_to == "set_availability");
    gp.send_control(protocol::ping{});
    gp.expect<protocol::pong>();

    gp.send_control(protocol::accept_offer{"some-offer-id"});
    auto e2 = gp.expect_error(protocol::error_code::wrong_role);
    CHECK(e2.in_reply_to == "accept_offer");
    gp.send_control(protocol::ping{});
    gp.expect<protocol::pong>();
}

TEST_CASE("a listener asking for a chat is told wrong_role and stays connected", "[roles]") {
    peerline_stack s;
    auto listener = s.available_listener(s.new_listener("listener-roles"));
    listener.send_control(chat_request(protocol::topic::personal, true));
    auto e = listener.expect_error(protocol::error_code::wrong_role);
    CHECK(e.in_reply_to == "request_chat");
    listener.send_control(protocol::ping{});
    listener.expect<protocol::pong>();
}
