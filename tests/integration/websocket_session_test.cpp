// Opening a WebSocket session: hello first, token checks, Origin checks.
#include "fixture.hpp"

#include <catch2/catch.hpp>

using namespace peerline::integration;
namespace protocol = peerline::protocol;

TEST_CASE("a session token in the first frame opens a WebSocket session", "[websocket]") {
    peerline_stack s;
    SECTION("for a GP") {
        protocol::welcome w;
        auto ws = tc::connect_session(s.ep(), tc::gp_session(s.ep()), &w);
        CHECK(w.as == protocol::role::gp);
        // The server announces the limits it enforces: the documented defaults.
        protocol::limits defaults;
        CHECK(w.max_control_frame_bytes == defaults.max_control_frame_bytes);
        CHECK(w.max_relay_frame_bytes == defaults.max_relay_frame_bytes);
        ws.send_control(protocol::ping{});
        ws.expect<protocol::pong>();
    }
    SECTION("for a listener") {
        auto a = s.new_listener("listener-ws");
        protocol::welcome w;
        auto ws = tc::connect_session(s.ep(), tc::login(s.ep(), a.name, a.password).token, &w);
        CHECK(w.as == protocol::role::listener);
    }
}

TEST_CASE("a first frame other than hello is refused with not_authenticated", "[websocket]") {
    peerline_stack s;
    tc::ws_client ws;
    ws.connect(s.ep());
    SECTION("a ping") {
        ws.send_control(protocol::ping{});
        ws.expect_error(protocol::error_code::not_authenticated);
    }
    SECTION("a GP action") {
        ws.send_control(chat_request(protocol::topic::career));
        ws.expect_error(protocol::error_code::not_authenticated);
    }
}

TEST_CASE("hello with an invalid token is refused with invalid_token", "[websocket]") {
    peerline_stack s;
    tc::ws_client ws;
    ws.connect(s.ep());
    ws.send_control(protocol::hello{"this-is-not-a-session-token"});
    ws.expect_error(protocol::error_code::invalid_token);
}

TEST_CASE("the WebSocket upgrade checks the Origin header", "[websocket]") {
    peerline_stack s;
    tc::connect_options opts;
    SECTION("a foreign origin is refused with 403") {
        opts.origin = "https://evil.example";
        tc::ws_client ws;
        try {
            ws.connect(s.ep(), opts);
            FAIL("the upgrade with Origin https://evil.example was accepted");
        } catch (const tc::handshake_error& e) {
            INFO(e.what());
            CHECK(e.http_status() == 403);
        }
    }
    SECTION("no origin (a native client) is accepted") {
        tc::ws_client ws;
        ws.connect(s.ep(), opts);
        ws.send_control(protocol::hello{tc::gp_session(s.ep())});
        ws.expect<protocol::welcome>();
    }
    SECTION("the server's own origin is accepted") {
        opts.origin = s.ep().origin();
        tc::ws_client ws;
        ws.connect(s.ep(), opts);
        ws.send_control(protocol::hello{tc::gp_session(s.ep())});
        ws.expect<protocol::welcome>();
    }
}

TEST_CASE("an idle connection is pinged, kept while it answers and closed when it stays silent",
          "[websocket]") {
    peerline_stack s({{"--idle-timeout-s", "2"}});
    auto answering = s.gp();
    auto silent = s.gp();
    // While it reads, the client answers the server's pings (WebSocket pong),
    // so five seconds without a message of its own keep it open.
    answering.expect_nothing(5s);
    answering.send_control(protocol::ping{});
    answering.expect<protocol::pong>();
    // The other one read nothing for those five seconds: it never answered
    // a ping and the server has closed it.
    auto c = silent.expect_closed(1s);
    INFO(c.code << " " << c.reason << " " << c.error);
    // Dropped without a close handshake (a peer that does not answer pings
    // would not answer a close frame either): the client sees 1006.
    CHECK(c.code == 1006);
}
