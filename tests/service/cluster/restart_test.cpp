// Restarting a node loses nothing that was waiting: the queue is in Redis,
// and a GP who resumes within --resume-grace-s after the node comes back
// (same --node-id) keeps their place. Restarting Redis itself (the embedded
// one, append-only file) loses no account, shift, session or waiting request.
#include "service_helpers.hpp"

#include "peerline/test_support/files.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

using namespace peerline::service_tests;

TEST_CASE("a waiting GP's place survives a node restart when it resumes within the grace period",
          "[restart][resume]") {
    auto opts = with_flags({"--node-id", "restarting", "--resume-grace-s", "15"});
    peerline_stack s(opts);
    auto account = s.new_listener("after-restart");
    std::string first_token, second_token;
    auto first = s.gp(&first_token);
    CHECK(request_and_queue(first) == 1);
    auto second = s.gp(&second_token);
    CHECK(request_and_queue(second) == 2);

    // SIGTERM: the node tells every client to come back, and they close as
    // a browser would (answering the close handshake) while it shuts down.
    s.server->send_signal(SIGTERM);
    for (auto* gp : {&first, &second}) {
        auto notice = expect_skipping_queued<protocol::shutdown_notice>(*gp);
        CHECK(notice.retry_after_ms > 0);
        gp->expect_closed();
    }
    auto stopped = s.server->wait_for_exit(15s);
    REQUIRE(stopped.has_value());
    CHECK(stopped->success());
    CHECK(redis_integer(s, {"ZCARD", "{pl:q}:waiting"}) == 2);

    s.start_server(opts);
    // Back in the opposite order: places are by arrival, not by return.
    auto second_back = reconnect(s.ep(), second_token);
    CHECK(second_back.expect<protocol::queued>().position == 2);
    auto first_back = reconnect(s.ep(), first_token);
    CHECK(first_back.expect<protocol::queued>().position == 1);

    auto listener = available_listener_at(s.ep(), account);
    auto o = listener.expect<protocol::offer>();
    auto c = accept(listener, o);
    CHECK(expect_skipping_queued<protocol::conversation_started>(first_back).conversation_id ==
          c.conversation_id);
    CHECK(pushed_position(second_back, 1));
}

namespace {
// The pid of the redis-server whose command line names `socket` (the
// embedded Redis of one test's data directory), or 0.
pid_t redis_server_for(const std::filesystem::path& socket) {
    for (auto& entry : std::filesystem::directory_iterator("/proc")) {
        auto name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream in(entry.path() / "cmdline", std::ios::binary);
        std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (cmdline.find("redis-server") != std::string::npos && cmdline.find(socket.string()) != std::string::npos)
            return static_cast<pid_t>(std::stol(name));
    }
    return 0;
}
} // namespace

TEST_CASE("the embedded Redis killed and restarted from its append-only file loses no account, "
          "shift, session or waiting request",
          "[restart][aof]") {
    ts::temp_dir dir("peerline-aof");
    ts::server_options so;
    so.binary = peerline_binary();
    so.dir = dir / "server";
    so.extra_args = {"--resume-grace-s", "30"}; // no --redis: the node's own Redis, with AOF
    ts::server_process node(so);
    auto socket = node.data_dir() / "redis.sock";
    ts::admin_cli admin(peerline_binary(), "unix://" + socket.string(), dir.path());
    account listener_account{"aof-listener", "pw-" + ts::random_hex(12)};
    admin.create_listener(listener_account.name, listener_account.password);
    admin.add_shift_always(listener_account.name);

    std::string gp_token;
    auto gp = gp_at(node.endpoint(), &gp_token);
    CHECK(request_and_queue(gp) == 1);
    // The request is in the append-only file (Redis writes it there before
    // it answers; a SIGKILL of Redis alone does not lose what was written).
    REQUIRE(ts::eventually([&] { return !ts::files_containing(node.data_dir(), "{pl:q}:waiting").empty(); }, 5s));

    auto pid = redis_server_for(socket);
    REQUIRE(pid > 0);
    REQUIRE(::kill(pid, SIGKILL) == 0);
    // The node notices, restarts its Redis from the AOF and is ready again.
    REQUIRE(ts::eventually([&] { return redis_server_for(socket) != 0 && redis_server_for(socket) != pid; }, 15s));
    REQUIRE(ts::eventually([&] { return tc::http_get(node.endpoint(), "/readyz").status == 200; }, 15s));

    // The account and its shift are there: the listener logs in and may go
    // available; the GP's request is still waiting and is offered.
    auto listener = available_listener_at(node.endpoint(), listener_account);
    auto o = expect_offer(listener, 10s);
    accept(listener, o);
    CHECK(expect_skipping_queued<protocol::conversation_started>(gp, 10s).peer == protocol::role::listener);
    // The GP's session token survived too.
    CHECK(tc::http_get(node.endpoint(), "/api/me", tc::bearer(gp_token)).json()["role"] == "gp");
}
