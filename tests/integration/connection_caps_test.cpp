// Connection caps: a node over --max-connections, or an address over
// --max-connections-per-address, answers at once (503 with Retry-After, then
// closed) instead of leaving the client waiting, keeps serving the
// connections it has, and takes new ones again when one closes.
#include "fixture.hpp"
#include "raw_connection.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

using namespace peerline::integration;

TEST_CASE("a node at --max-connections answers 503 at once, keeps its connections and takes new ones "
          "when one closes",
          "[limits]") {
    peerline_stack s({{"--max-connections", "3", "--max-connections-per-address", "100"}});
    raw_connection a(s.ep()), b(s.ep()), c(s.ep()); // accepted in order: the node is full

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
    raw_connection a(s.ep()), b(s.ep());
    raw_connection over(s.ep());
    CHECK(starts_with(over.get("/healthz"), "HTTP/1.1 503"));
    CHECK(starts_with(a.get("/healthz"), "HTTP/1.1 200"));
}
