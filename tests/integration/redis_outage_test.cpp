// Redis stopped mid-run: readiness says so, liveness does not, requests that
// need Redis fail with a clear 503, the process lives on, and everything
// recovers when Redis returns at the same address.
#include "fixture.hpp"

#include "peerline/test_support/files.hpp"
#include "peerline/test_support/redis_query.hpp"

#include <catch2/catch.hpp>

using namespace peerline::integration;

namespace {

int status_of(const tc::endpoint& ep, const char* target) {
    try {
        return tc::http_get(ep, target, {}, 2s).status;
    } catch (const tc::client_error&) {
        return 0;
    }
}

} // namespace

TEST_CASE("with Redis stopped mid-run the server stays up, says it is not ready, and recovers",
          "[redis]") {
    peerline_stack s;
    auto a = s.new_listener("listener-outage");
    REQUIRE(status_of(s.ep(), "/readyz") == 200);
    // This Redis runs without persistence; save once so that the account is
    // still there after the restart, as it would be with production's AOF.
    ts::redis_connection(s.redis.port()).command({"SAVE"});

    s.redis.stop();

    INFO(s.server->log_tail(20));
    REQUIRE(ts::eventually([&] { return status_of(s.ep(), "/readyz") == 503; }, 10s));
    auto ready = tc::http_get(s.ep(), "/readyz");
    CHECK(ready.json()["status"] == "unavailable");
    CHECK(status_of(s.ep(), "/healthz") == 200);

    auto login = tc::http_post_json(s.ep(), "/api/login",
                                    {{"username", a.name}, {"password", a.password}}, {}, 10s);
    CHECK(login.status == 503);
    CHECK(error_code_of(login) == "service_unavailable");
    REQUIRE(s.server->alive());

    s.redis.start();

    REQUIRE(ts::eventually([&] { return status_of(s.ep(), "/readyz") == 200; }, 20s));
    // Ready means usable: a login works right away (a short grace for a
    // second connection that reconnects on its own back-off).
    bool logged_in = ts::eventually(
        [&] {
            return tc::http_post_json(s.ep(), "/api/login",
                                      {{"username", a.name}, {"password", a.password}})
                       .status == 200;
        },
        5s, 250ms);
    CHECK(logged_in);
    CHECK(s.server->alive());
}
