// Logging in and out over the JSON API: good and bad credentials, disabled
// accounts, sign-in throttling (growing delays, device tokens), logout
// revoking the token.
#include "fixture.hpp"
#include "peerline/crypto/crypto.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using namespace peerline::integration;

namespace {

tc::http_response try_login(const peerline_stack& s, const std::string& user,
                            const std::string& password) {
    return tc::http_post_json(s.ep(), "/api/login", {{"username", user}, {"password", password}});
}

// The same, from a browser that presents `device_token`.
tc::http_response try_login_on_device(const peerline_stack& s, const std::string& user,
                                      const std::string& password, const std::string& device_token) {
    return tc::http_post_json(s.ep(), "/api/login",
                              {{"username", user}, {"password", password}, {"device_token", device_token}});
}

// Moves the node's clock (it was started with --test-clock).
void move_clock(const peerline_stack& s, long long offset_ms) {
    auto res = tc::http_request(s.ep(), "PUT", "/api/test/clock", nlohmann::json{{"offset_ms", offset_ms}}.dump());
    REQUIRE(res.status == 204);
}

long long retry_after_s(const tc::http_response& res) {
    auto h = res.header("Retry-After");
    return h.empty() ? -1 : std::stoll(h);
}

// Signs `a` in with the right password; the device token the answer gives.
std::string device_token_of_sign_in(const peerline_stack& s, const account& a) {
    auto res = try_login(s, a.name, a.password);
    REQUIRE(res.status == 200);
    auto token = res.json().value("device_token", std::string{});
    REQUIRE(token.size() == 43);
    return token;
}

// Five wrong passwords for `user` from a browser without its device token.
void five_wrong_guesses(const peerline_stack& s, const std::string& user) {
    for (int i = 0; i < 5; ++i) {
        INFO("failed attempt " << i + 1);
        REQUIRE(try_login(s, user, "wrong-" + std::to_string(i)).status == 401);
    }
}

// A delay far longer than any pause in a test, so "still waiting" never
// depends on how fast the machine is; the test clock serves it instead.
const std::vector<std::string> throttle_args{"--test-clock", "--login-delay-s", "300"};

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

TEST_CASE("after five failed sign-ins from browsers without a device token, the next waits a delay that "
          "doubles with each failure: the right password too, and only until the delay has passed",
          "[login]") {
    peerline_stack s({throttle_args});
    auto a = s.new_listener("listener-limited");
    five_wrong_guesses(s, a.name);

    auto res = try_login(s, a.name, a.password);
    REQUIRE(res.status == 429);
    CHECK(error_code_of(res) == "rate_limited");
    CHECK(retry_after_s(res) >= 1);
    CHECK(retry_after_s(res) <= 300);

    // The delay served (the node's clock moves on): one more attempt.
    move_clock(s, 301'000);
    REQUIRE(try_login(s, a.name, "wrong-again").status == 401);
    // Six failures: the next waits twice as long.
    res = try_login(s, a.name, a.password);
    REQUIRE(res.status == 429);
    CHECK(retry_after_s(res) > 300);
    CHECK(retry_after_s(res) <= 600);
    move_clock(s, 301'000 + 601'000);
    CHECK(try_login(s, a.name, a.password).status == 200);
}

TEST_CASE("someone guessing from elsewhere never slows down the browser that holds the account's "
          "device token",
          "[login]") {
    peerline_stack s({throttle_args});
    auto a = s.new_listener("listener-usual-browser");
    auto device = device_token_of_sign_in(s, a);

    five_wrong_guesses(s, a.name);
    REQUIRE(try_login(s, a.name, a.password).status == 429); // a new browser waits

    auto usual = try_login_on_device(s, a.name, a.password, device);
    REQUIRE(usual.status == 200);
    CHECK(usual.json().value("device_token", std::string{}) == device); // the same token, kept longer
}

TEST_CASE("a device token issued to another account, a made-up one or a malformed one counts as none",
          "[login]") {
    peerline_stack s({throttle_args});
    auto a = s.new_listener("listener-target");
    auto b = s.new_listener("listener-other");
    auto b_device = device_token_of_sign_in(s, b);

    five_wrong_guesses(s, a.name);
    CHECK(try_login_on_device(s, a.name, a.password, b_device).status == 429);
    CHECK(try_login_on_device(s, a.name, a.password, peerline::crypto::generate_token()).status == 429);
    CHECK(try_login_on_device(s, a.name, a.password, "not-a-token").status == 429);

    auto wrong_type = tc::http_post_json(s.ep(), "/api/login",
                                         {{"username", a.name}, {"password", a.password}, {"device_token", 7}});
    CHECK(wrong_type.status == 400);
    CHECK(error_code_of(wrong_type) == "invalid_request");
}

TEST_CASE("guessing with a stolen device token is slowed down on that token, not for the account's "
          "other browsers",
          "[login]") {
    peerline_stack s({throttle_args});
    auto a = s.new_listener("listener-stolen-token");
    auto stolen = device_token_of_sign_in(s, a);

    for (int i = 0; i < 5; ++i) REQUIRE(try_login_on_device(s, a.name, "guess-" + std::to_string(i), stolen).status == 401);
    CHECK(try_login_on_device(s, a.name, a.password, stolen).status == 429);
    // The account's counter for browsers without a token was not touched.
    CHECK(try_login(s, a.name, a.password).status == 200);
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
