// No message content anywhere: after a conversation carrying a known canary,
// neither Redis (every key and value) nor the server's logs nor its data
// directory contain it, and the logs contain no token or password.
#include "fixture.hpp"

#include "peerline/test_support/files.hpp"
#include "peerline/test_support/redis_query.hpp"

#include <catch2/catch.hpp>

using namespace peerline::integration;
namespace protocol = peerline::protocol;

TEST_CASE("a canary sent through a conversation appears in no Redis key or value and no log line",
          "[confidentiality]") {
    peerline_stack s;
    const std::string canary = "CANARY-" + ts::random_hex(16);
    auto account = s.new_listener("listener-canary");
    std::string listener_token;
    std::string gp_token;
    auto listener = s.available_listener(account, &listener_token);
    auto gp = s.gp(&gp_token);
    auto c = start_conversation(gp, listener);

    for (int i = 0; i < 3; ++i) {
        relay_and_check(gp, c.gp_channel, listener, c.listener_channel,
                        "gp " + std::to_string(i) + " " + canary);
        relay_and_check(listener, c.listener_channel, gp, c.gp_channel,
                        canary + " listener " + std::to_string(i));
    }
    // The canary alone as the whole payload, too.
    relay_and_check(gp, c.gp_channel, listener, c.listener_channel, canary);
    gp.send_control(protocol::end_conversation{c.gp_channel, protocol::end_reason::completed});
    expect_listener_ended(listener);

    // Redis while the server still runs (expiring keys are still there).
    ts::redis_connection redis(s.redis.port());
    auto dump = ts::dump_all(redis);
    CHECK_FALSE(dump.empty()); // the dump does see what the server stored
    for (const auto& e : dump) {
        INFO("key " << e.key << " (" << e.type << ")");
        CHECK(e.key.find(canary) == std::string::npos);
        for (const auto& v : e.values)
            CHECK(v.find(canary) == std::string::npos);
        // Tokens are stored only hashed.
        CHECK(e.key.find(gp_token) == std::string::npos);
        CHECK(e.key.find(listener_token) == std::string::npos);
        for (const auto& v : e.values) {
            CHECK(v.find(gp_token) == std::string::npos);
            CHECK(v.find(listener_token) == std::string::npos);
        }
    }

    // The logs are complete once the process has exited.
    gp.close();
    listener.close();
    s.server->stop();
    std::string logs = s.server->stdout_text() + "\n" + s.server->stderr_text();
    CHECK_FALSE(logs.empty());
    for (const std::string& secret : {canary, gp_token, listener_token, account.password}) {
        auto lines = ts::lines_containing(logs, secret);
        INFO("log lines containing a secret:\n" << (lines.empty() ? "" : lines.front()));
        CHECK(lines.empty());
    }
    // Nor any file of the test: the server's data directory and logs, Redis's
    // directory (it runs without persistence, so this stays empty).
    for (const auto& file : ts::files_containing(s.dir.path(), canary)) {
        FAIL_CHECK("the canary is in " << file);
    }
}
