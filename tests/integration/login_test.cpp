// Logging in and out over the JSON API: good and bad credentials, disabled
// accounts, rate limiting, logout revoking the token.
#include "fixture.hpp"

#include <catch2/catch.hpp>

using namespace peerline::integration;

namespace {

tc::http_response try_login(const peerline_stack& s, const std::string& user,
                            const std::string& password) {
    return tc::http_post_json(s.ep(), "/api/login", {{"username", user}, {"password", password}});
}

} // namespace

TEST_CASE("a listener logs in with the right password and gets a bearer token", "[login]") {
    peerline_stack s;
    auto a = s.new_listener("listener-good");
    auto res = try_login(s, a.name, a.password);
    REQUIRE(res.status == 200);
    auto j = res.json();
    REQUIRE(j["token"].is_string());
    // 256 random bits in any text encoding take at least 43 characters.
    CHECK(j["token"].get<std::string>().size() >= 43);
    CHECK(j["role"] == "listener");
    REQUIRE(j["expires_in_s"].is_number_unsigned());
    CHECK(j["expires_in_s"].get<std::uint64_t>() > 0);
}

TEST_CASE("an administrator created with the admin CLI logs in with role admin", "[login]") {
    peerline_stack s;
    s.admin.create_admin("second-admin", "admin-password-1234");
    auto login = tc::login(s.ep(), "second-admin", "admin-password-1234");
    CHECK(login.role == "admin");
}

TEST_CASE("bad credentials get 401 invalid_credentials", "[login]") {
    peerline_stack s;
    auto a = s.new_listener("listener-bad");
    SECTION("wrong password") {
        auto res = try_login(s, a.name, a.password + "-wrong");
        REQUIRE(res.status == 401);
        CHECK(error_code_of(res) == "invalid_credentials");
        CHECK(res.json()["error"]["message"].is_string());
    }
    SECTION("unknown user") {
        auto res = try_login(s, "nobody-by-this-name", a.password);
        REQUIRE(res.status == 401);
        CHECK(error_code_of(res) == "invalid_credentials");
    }
}

TEST_CASE("a disabled account cannot log in", "[login]") {
    peerline_stack s;
    auto a = s.new_listener("listener-disabled");
    REQUIRE(try_login(s, a.name, a.password).status == 200);
    s.admin.disable(a.name);
    auto res = try_login(s, a.name, a.password);
    REQUIRE(res.status == 401);
    CHECK_FALSE(error_code_of(res).empty());
}

TEST_CASE("after five failed logins the account is rate limited even with the right password",
          "[login]") {
    peerline_stack s;
    auto a = s.new_listener("listener-limited");
    for (int i = 0; i < 5; ++i) {
        INFO("failed attempt " << i + 1);
        REQUIRE(try_login(s, a.name, "wrong-" + std::to_string(i)).status == 401);
    }
    auto res = try_login(s, a.name, a.password);
    REQUIRE(res.status == 429);
    CHECK(error_code_of(res) == "rate_limited");
}

TEST_CASE("logout revokes the token", "[login]") {
    peerline_stack s;
    auto a = s.new_listener("listener-logout");
    auto login = tc::login(s.ep(), a.name, a.password);

    auto out = tc::http_request(s.ep(), "POST", "/api/logout", {}, tc::bearer(login.token));
    REQUIRE(out.status == 204);

    tc::ws_client ws;
    ws.connect(s.ep());
    ws.send_control(peerline::protocol::hello{login.token});
    ws.expect_error(peerline::protocol::error_code::invalid_token);
    CHECK(tc::http_get(s.ep(), "/api/me", tc::bearer(login.token)).status == 401);
}
