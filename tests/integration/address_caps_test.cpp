// Two caps per client address (many GPs share one practice or NHS network
// address): --max-connections-per-address holds connections that have not
// authenticated (half-sent requests, idle HTTP, WebSockets before hello), and
// --max-sessions-per-address holds authenticated WebSocket sessions. A full
// cap of idle half-sent requests refuses new unauthenticated connections but
// neither drops nor counts the address's authenticated sessions, and the
// authenticated cap is enforced too.
#include "fixture.hpp"
#include "raw_connection.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <vector>

using namespace peerline::integration;
namespace protocol = peerline::protocol;

namespace {

constexpr int pending_cap = 4;
constexpr int session_cap = 6;

void still_usable(tc::ws_client& ws) {
    ws.send_control(protocol::ping{});
    ws.expect<protocol::pong>();
}

const std::string half_sent = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"; // no blank line yet

// Fills the address's cap of unauthenticated connections with idle,
// half-sent requests, checks the next connection is refused at once, then
// completes the idle requests: every one is answered (they were accepted)
// and stays open, idle and unauthenticated (keep-alive), still counted.
// A connection the test client closed a moment ago (the HTTP request that
// made a GP session) may hold a slot until the server has seen the close,
// so a round in which one of ours was refused is tried again.
std::vector<std::unique_ptr<raw_connection>> fill_unauthenticated_cap(peerline_stack& s) {
    for (int round = 0; round < 20; ++round) {
        std::vector<std::unique_ptr<raw_connection>> idle;
        for (int i = 0; i < pending_cap; ++i) {
            idle.push_back(std::make_unique<raw_connection>(s.ep()));
            REQUIRE(idle.back()->send(half_sent));
        }
        raw_connection over(s.ep());
        auto refused = over.get("/healthz");
        INFO(refused);
        REQUIRE(starts_with(refused, "HTTP/1.1 503"));
        bool all_accepted = true;
        for (auto& c : idle) {
            REQUIRE(c->send("\r\n"));
            all_accepted = starts_with(c->read_response(), "HTTP/1.1 200") && all_accepted;
        }
        if (all_accepted) return idle;
    }
    FAIL("the cap of unauthenticated connections never had room for " << pending_cap);
    return {};
}

} // namespace

TEST_CASE("idle half-sent requests fill only the unauthenticated cap: authenticated sessions from the "
          "same address are neither counted nor dropped, and have a cap of their own",
          "[limits]") {
    peerline_stack s({{"--max-connections-per-address", std::to_string(pending_cap),
                       "--max-sessions-per-address", std::to_string(session_cap)}});

    // More authenticated GPs than the unauthenticated cap, all from 127.0.0.1.
    std::vector<tc::ws_client> gps;
    for (int i = 0; i < session_cap - 1; ++i) gps.push_back(s.gp());

    {
        // The unauthenticated cap is still whole: the sessions do not count.
        auto idle = fill_unauthenticated_cap(s);
        // Every authenticated session carries on.
        for (auto& gp : gps) still_usable(gp);
        // The cap still holds with the idle ones answered and kept open.
        raw_connection over(s.ep());
        CHECK(starts_with(over.get("/healthz"), "HTTP/1.1 503"));
    } // the idle connections close: room for new unauthenticated ones

    // A new client from the same address gets in again (its HTTP request and
    // its WebSocket before hello count as unauthenticated until it has said
    // hello). The server may not have seen the idle ones close yet.
    std::optional<tc::ws_client> last;
    for (int attempt = 0; attempt < 40 && !last; ++attempt) {
        try {
            last = s.gp();
        } catch (const std::exception& e) {
            INFO("attempt " << attempt << ": " << e.what());
        }
    }
    REQUIRE(last);
    gps.push_back(std::move(*last));
    REQUIRE(gps.size() == static_cast<std::size_t>(session_cap));

    // The address now holds its cap of authenticated sessions: one more is
    // refused at hello with 1013 (try again later), and nobody else is hurt.
    std::string token = tc::gp_session(s.ep());
    tc::ws_client extra;
    extra.connect(s.ep());
    extra.send_control(protocol::hello{token});
    auto closed = extra.expect_closed();
    CHECK(closed.code == 1013);
    for (auto& gp : gps) still_usable(gp);

    // One session ends: there is room again.
    gps.front().close();
    gps.erase(gps.begin());
    bool welcomed = false;
    // (The server sees the close a moment later: until then the hello is
    // refused with 1013 as before.)
    for (int attempt = 0; attempt < 40 && !welcomed; ++attempt) {
        tc::ws_client again;
        again.connect(s.ep());
        again.send_control(protocol::hello{token});
        auto in = again.next_message();
        auto* c = std::get_if<tc::control_frame>(&in);
        welcomed = c && std::holds_alternative<protocol::welcome>(c->message);
        if (!welcomed) {
            auto* refused = std::get_if<tc::closed>(&in);
            INFO(tc::describe(in));
            REQUIRE((refused && refused->code == 1013));
        }
    }
    CHECK(welcomed);
}
