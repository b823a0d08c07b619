// Connection caps: a node over --max-connections, or an address over
// --max-connections-per-address, answers at once (503 with Retry-After, then
// closed) instead of leaving the client waiting, keeps serving the
// connections it has, and takes new ones again when one closes.
#include "fixture.hpp"
#include "raw_connection.hpp"
#include "peerline/test_support/files.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace peerline::integration;

namespace {

// Opens `n` connections, each served once (200) and left open (keep-alive),
// so the node certainly holds them before the test connects once more. The
// fixture's readiness probe closed its connection a moment ago and may hold
// a slot until the server has read that close, so a round in which one of
// ours was refused is tried again with fresh connections (bounded).
std::vector<std::unique_ptr<raw_connection>> hold_served(peerline_stack& s, int n) {
    std::vector<std::unique_ptr<raw_connection>> held;
    // Each round is itself the wait: fresh connections until the server has
    // read the probe's close (bounded), no fixed pause.
    bool room = ts::eventually(
        [&] {
            held.clear();
            for (int i = 0; i < n; ++i) {
                held.push_back(std::make_unique<raw_connection>(s.ep()));
                if (!starts_with(held.back()->get("/healthz"), "HTTP/1.1 200")) return false;
            }
            return true;
        },
        5s);
    if (!room) FAIL("the node never had room for " << n << " connections");
    return held;
}

} // namespace

TEST_CASE("a node at --max-connections answers 503 at once, keeps its connections and takes new ones "
          "when one closes",
          "[limits]") {
    peerline_stack s({{"--max-connections", "3", "--max-connections-per-address", "100"}});
    auto held = hold_served(s, 3); // the node is full
    auto& a = *held[0];
    auto& b = *held[1];

    raw_connection over(s.ep());
    auto refused = over.get("/healthz");
    INFO(refused);
    CHECK(starts_with(refused, "HTTP/1.1 503"));
    CHECK(refused.find("Retry-After: 5") != std::string::npos);

    // The connections it has are served as before.
    CHECK(starts_with(a.get("/healthz"), "HTTP/1.1 200"));

    // One closes: there is room again (the server notices the close shortly).
    b.close();
    bool served = false;
    for (int attempt = 0; attempt < 40 && !served; ++attempt) {
        raw_connection again(s.ep());
        served = starts_with(again.get("/healthz"), "HTTP/1.1 200");
        if (!served) std::this_thread::sleep_for(50ms);
    }
    CHECK(served);
}

TEST_CASE("an address over --max-connections-per-address is answered 503 at once", "[limits]") {
    peerline_stack s({{"--max-connections-per-address", "2"}});
    auto held = hold_served(s, 2); // the address holds its two
    auto& a = *held[0];
    raw_connection over(s.ep());
    auto refused = over.get("/healthz");
    INFO(refused);
    CHECK(starts_with(refused, "HTTP/1.1 503"));
    CHECK(starts_with(a.get("/healthz"), "HTTP/1.1 200"));
}
