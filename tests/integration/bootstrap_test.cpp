// First start on an empty database: a one-time administrator password is
// printed once; --demo also prints a demo listener login.
#include "fixture.hpp"

#include "peerline/test_support/files.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <sstream>
#include <thread>

using namespace peerline::integration;

namespace {

// The password printed in the block that starts with the line
// "username: <user>": the first "password: X" line after it. (Plain string
// search rather than <regex>, which draws false warnings in sanitizer builds.)
std::optional<std::string> printed_password(const std::string& out, const std::string& user) {
    std::istringstream lines(out);
    std::string line;
    bool in_block = false;
    auto value_of = [](const std::string& l,
                       const std::string& label) -> std::optional<std::string> {
        auto at = l.find(label);
        if (at == std::string::npos)
            return std::nullopt;
        std::istringstream rest(l.substr(at + label.size()));
        std::string word;
        if (rest >> word)
            return word;
        return std::nullopt;
    };
    while (std::getline(lines, line)) {
        if (auto name = value_of(line, "username:")) {
            in_block = *name == user;
        } else if (in_block) {
            if (auto pw = value_of(line, "password:"))
                return pw;
        }
    }
    return std::nullopt;
}

std::optional<std::string> wait_for_password(const ts::server_process& server,
                                             const std::string& user) {
    std::optional<std::string> pw;
    ts::eventually([&] { return (pw = printed_password(server.stdout_text(), user)).has_value(); },
                   5s);
    return pw;
}

} // namespace

TEST_CASE("the first start on an empty Redis prints a one-time admin password that the first sign-in "
          "replaces",
          "[bootstrap]") {
    peerline_stack s;
    auto printed = wait_for_password(*s.server, "admin");
    INFO("stdout:\n" << s.server->stdout_text());
    REQUIRE(printed.has_value());
    // Printed on a terminal: a one-time password. Signing in with it alone is
    // refused; with a new password it is replaced.
    auto first = tc::http_post_json(s.ep(), "/api/login", {{"username", "admin"}, {"password", *printed}});
    CHECK(first.status == 403);
    CHECK(error_code_of(first) == "password_change_required");
    auto changed = tc::http_post_json(
        s.ep(), "/api/login", {{"username", "admin"}, {"password", *printed}, {"new_password", "the admin's own one"}});
    REQUIRE(changed.status == 200);
    CHECK(changed.json()["role"] == "admin");
    auto pw = std::optional<std::string>("the admin's own one");

    SECTION("and a second start on the same Redis prints no new password") {
        s.start_server({});
        std::this_thread::sleep_for(500ms); // nothing to poll for: it must not appear
        CHECK(s.server->stdout_text().find("password:") == std::string::npos);
        CHECK(tc::login(s.ep(), "admin", *pw).role == "admin");
    }
}

TEST_CASE("the --demo flag also prints a demo listener login that works", "[bootstrap]") {
    peerline_stack s({.extra_args = {"--demo"}, .tls = false});
    auto pw = wait_for_password(*s.server, "demo-listener");
    INFO("stdout:\n" << s.server->stdout_text());
    REQUIRE(pw.has_value());
    auto login = tc::login(s.ep(), "demo-listener", *pw);
    CHECK(login.role == "listener");
    CHECK(printed_password(s.server->stdout_text(), "admin").has_value());
}
