// A frame of several megabytes, far over every limit: the server answers it
// with the WebSocket close code 1009 and the client actually receives that
// close. Before, the server closed the socket with the client's frame still
// unread, the kernel sent a reset, and the client saw only a dropped
// connection (1006) even though the server had written the close frame.
#include "fixture.hpp"

#include "peerline/protocol/relay_frame.hpp"

#include <catch2/catch.hpp>

using namespace peerline::integration;
namespace protocol = peerline::protocol;

namespace {

// Sends `huge` and checks what comes back. Beast's client stops its own
// write once it has read the server's close frame (its stream is then
// closing), so the send may report that; what matters is that the close
// frame reached the client instead of a reset destroying it.
void send_and_expect_1009(peerline_stack& s, tc::ws_client& gp, const std::string& huge) {
    try {
        gp.send_binary(huge, 30s);
    } catch (const tc::client_error& e) {
        INFO("the client stopped sending: " << e.what());
    }
    auto closed = gp.expect_closed(30s);
    INFO("close reason: " << closed.reason << ", error: " << closed.error);
    CHECK(closed.code == 1009);
    CHECK(closed.error.empty());

    // The server carries on.
    auto other = s.gp();
    other.send_control(protocol::ping{});
    other.expect<protocol::pong>();
}

constexpr std::size_t megabytes = 8;

} // namespace

TEST_CASE("a binary frame of several megabytes is answered with a close 1009 the client receives",
          "[hostile]") {
    peerline_stack s;
    auto gp = s.gp();
    send_and_expect_1009(s, gp, protocol::make_relay_frame(1, std::string(megabytes * 1024 * 1024, 'x')));
}

TEST_CASE("a text frame of several megabytes is answered with a close 1009 the client receives",
          "[hostile]") {
    peerline_stack s;
    auto gp = s.gp();
    // Sent as a text frame: the same limit, the same clean close.
    std::string huge = R"({"v":1,"type":"ping","pad":")" + std::string(megabytes * 1024 * 1024, 'x') + "\"}";
    try {
        gp.send_text(huge, 30s);
    } catch (const tc::client_error& e) {
        INFO("the client stopped sending: " << e.what());
    }
    auto closed = gp.expect_closed(30s);
    INFO("close reason: " << closed.reason << ", error: " << closed.error);
    CHECK(closed.code == 1009);
    CHECK(closed.error.empty());
}
