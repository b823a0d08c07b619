// Graceful shutdown: SIGTERM tells connected clients, closes them, exits 0.
#include "fixture.hpp"

#include <catch2/catch.hpp>

#include <csignal>

using namespace peerline::integration;
namespace protocol = peerline::protocol;

TEST_CASE("SIGTERM tells connected clients, closes their connections and exits 0", "[shutdown]") {
    peerline_stack s;
    auto listener = s.available_listener(s.new_listener("listener-shutdown"));
    auto gp = s.gp();

    s.server->send_signal(SIGTERM);

    for (auto* ws : {&gp, &listener}) {
        auto notice = ws->expect<protocol::shutdown_notice>(10s);
        CHECK_FALSE(notice.message.empty());
        auto closed = ws->expect_closed(10s);
        INFO(tc::describe(tc::incoming{closed}));
        CHECK(closed.code != 1006); // a WebSocket close, not a dropped socket
    }
    auto status = s.server->wait_for_exit(15s);
    REQUIRE(status.has_value());
    INFO(status->describe() << "; log tail:\n" << s.server->log_tail(20));
    CHECK(status->exited);
    CHECK(status->code == 0);
}
