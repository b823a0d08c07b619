// The HTTP side of the one port: health, readiness, sessions, errors, limits.
#include "fixture.hpp"

#include <catch2/catch.hpp>

using namespace peerline::integration;

TEST_CASE("the health endpoint answers 200 while the process is up", "[http]") {
    peerline_stack s;
    auto res = tc::http_get(s.ep(), "/healthz");
    REQUIRE(res.status == 200);
    CHECK(res.json() == nlohmann::json{{"status", "ok"}});
}

TEST_CASE("the readiness endpoint answers 200 when Redis is reachable", "[http]") {
    peerline_stack s;
    auto res = tc::http_get(s.ep(), "/readyz");
    REQUIRE(res.status == 200);
}

TEST_CASE("an unknown path gets a 404 with a JSON error", "[http]") {
    peerline_stack s;
    auto res = tc::http_get(s.ep(), "/no/such/path");
    REQUIRE(res.status == 404);
    CHECK_FALSE(error_code_of(res).empty());
    CHECK(res.json()["error"]["message"].is_string());
}

TEST_CASE("a request body over 16 KiB is refused with 413", "[http]") {
    peerline_stack s;
    // Well-formed JSON, so only its size can be the reason.
    nlohmann::json body{{"username", "someone"}, {"password", std::string(17 * 1024, 'x')}};
    auto res = tc::http_post_json(s.ep(), "/api/login", body);
    REQUIRE(res.status == 413);
}

TEST_CASE("a GP gets an anonymous session without any account", "[http]") {
    peerline_stack s;
    auto res = tc::http_request(s.ep(), "POST", "/api/gp/session");
    REQUIRE(res.status == 200);
    auto j = res.json();
    REQUIRE(j["token"].is_string());
    CHECK_FALSE(j["token"].get<std::string>().empty());
    REQUIRE(j["expires_in_s"].is_number_unsigned());
    CHECK(j["expires_in_s"].get<std::uint64_t>() > 0);

    SECTION("and /api/me names its role") {
        auto me = tc::http_get(s.ep(), "/api/me", tc::bearer(j["token"].get<std::string>()));
        REQUIRE(me.status == 200);
        CHECK(me.json()["role"] == "gp");
    }
    SECTION("and two sessions never share a token") {
        CHECK(tc::gp_session(s.ep()) != j["token"].get<std::string>());
    }
}

TEST_CASE("/api/me names the role behind a listener's token", "[http]") {
    peerline_stack s;
    auto a = s.new_listener("listener-me");
    auto login = tc::login(s.ep(), a.name, a.password);
    auto me = tc::http_get(s.ep(), "/api/me", tc::bearer(login.token));
    REQUIRE(me.status == 200);
    CHECK(me.json()["role"] == "listener");
}

TEST_CASE("/api/me without a valid token is 401", "[http]") {
    peerline_stack s;
    CHECK(tc::http_get(s.ep(), "/api/me").status == 401);
    CHECK(tc::http_get(s.ep(), "/api/me", tc::bearer("not-a-real-token")).status == 401);
}
