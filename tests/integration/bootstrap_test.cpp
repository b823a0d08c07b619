// First start on an empty database: a one-time administrator password is
// printed once; --demo also prints a demo listener login.
#include "fixture.hpp"

#include "peerline/test_support/files.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <regex>
#include <thread>

using namespace peerline::integration;

namespace {

// The password printed in the block that starts with "username: <user>".
std::optional<std::string> printed_password(const std::string& out, const std::string& user) {
    std::regex block("username:\\s*" + user + "\\s*\\n(?:.*\\n)*?.*password:\\s*(\\S+)");
    std::smatch m;
    if (std::regex_search(out, m, block)) return m[1].str();
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

TEST_CASE("the first start on an empty Redis prints a one-time admin password that logs in",
          "[bootstrap]") {
    peerline_stack s;
    auto pw = wait_for_password(*s.server, "admin");
    INFO("stdout:\n" << s.server->stdout_text());
    REQUIRE(pw.has_value());
    auto login = tc::login(s.ep(), "admin", *pw);
    CHECK(login.role == "admin");

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
