// Malformed and oversized frames on a live, authenticated connection: each
// gets its specific error and the connection stays usable, except a relay
// frame over the limit, which ends the connection with close code 1009.
#include "fixture.hpp"

#include "peerline/protocol/relay_frame.hpp"

#include <catch2/catch.hpp>

using namespace peerline::integration;
namespace protocol = peerline::protocol;

namespace {

void still_usable(tc::ws_client& ws) {
    ws.send_control(protocol::ping{});
    ws.expect<protocol::pong>();
}

} // namespace

TEST_CASE("malformed frames get specific errors and the connection stays usable", "[hostile]") {
    peerline_stack s;
    auto gp = s.gp();

    INFO("invalid JSON");
    gp.send_text("{\"v\":1,\"type\":");
    gp.expect_error(protocol::error_code::malformed_json);
    still_usable(gp);

    INFO("an unknown type");
    gp.send_text(R"({"v":1,"type":"launch_missiles"})");
    gp.expect_error(protocol::error_code::unknown_type);
    still_usable(gp);

    INFO("a relay frame on a channel that is not open");
    gp.send_relay(7, "to nobody");
    gp.expect_error(protocol::error_code::unknown_channel);
    still_usable(gp);

    INFO("a text frame over 8 KiB (well-formed JSON, so only its size is wrong)");
    std::string big = R"({"v":1,"type":"ping","pad":")" + std::string(9 * 1024, 'x') + "\"}";
    gp.send_text(big);
    gp.expect_error(protocol::error_code::frame_too_large);
    still_usable(gp);
}

TEST_CASE("a binary frame over the relay limit closes the connection with 1009", "[hostile]") {
    peerline_stack s;
    auto gp = s.gp();
    protocol::limits lim;
    std::string too_big =
        protocol::make_relay_frame(1, std::string(lim.max_relay_frame_bytes, 'x'));
    REQUIRE(too_big.size() > lim.max_relay_frame_bytes);
    try {
        gp.send_binary(too_big);
    } catch (const tc::client_error&) {
        // The server may close before it has read the whole frame; what
        // matters is the close code it sent.
    }
    auto closed = gp.expect_closed();
    CHECK(closed.code == 1009);

    // The server itself is unaffected.
    auto other = s.gp();
    still_usable(other);
}

// In a conversation the server reads relay messages frame by frame into a
// kept buffer (ws_session::read_more); the limit must hold there too.
TEST_CASE("a relay frame over the limit inside a conversation closes only the sender, with 1009",
          "[hostile]") {
    peerline_stack s;
    auto listener = s.available_listener(s.new_listener("listener-hostile"));
    auto gp = s.gp();
    auto c = start_conversation(gp, listener);
    relay_and_check(gp, c.gp_channel, listener, c.listener_channel, "before");

    protocol::limits lim;
    std::string too_big = protocol::make_relay_frame(
        c.gp_channel, std::string(lim.max_relay_frame_bytes, 'x'));
    REQUIRE(too_big.size() > lim.max_relay_frame_bytes);
    try {
        gp.send_binary(too_big);
    } catch (const tc::client_error&) {
        // The server may close before it has read the whole frame.
    }
    CHECK(gp.expect_closed().code == 1009);

    // The listener hears that the GP dropped (they may come back within the
    // resume grace), nothing of the oversized frame, and stays connected.
    auto status = listener.expect<protocol::partner_status>();
    CHECK(status.channel == c.listener_channel);
    CHECK(status.state == "reconnecting");
    still_usable(listener);
}
