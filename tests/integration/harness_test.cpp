// Tests of the test harness itself (no peerline server needed): if these
// fail, the other integration tests' failures mean nothing.
#include "fixture.hpp"

#include "peerline/test_support/child_process.hpp"
#include "peerline/test_support/files.hpp"
#include "peerline/test_support/ports.hpp"
#include "peerline/test_support/redis_query.hpp"

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <thread>

using namespace peerline::integration;

namespace {

bool dump_contains(const std::vector<ts::redis_entry>& dump, const std::string& needle) {
    return std::any_of(dump.begin(), dump.end(), [&](const ts::redis_entry& e) {
        return e.key.find(needle) != std::string::npos ||
               std::any_of(e.values.begin(), e.values.end(), [&](const std::string& v) {
                   return v.find(needle) != std::string::npos;
               });
    });
}

// A loopback socket that completes TCP handshakes (the kernel backlog does)
// but never reads or answers: the worst case for a client's timeouts.
class silent_listener {
  public:
    silent_listener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(fd_, 16) == 0);
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
        port_ = ntohs(addr.sin_port);
    }
    ~silent_listener() { ::close(fd_); }
    silent_listener(const silent_listener&) = delete;
    silent_listener& operator=(const silent_listener&) = delete;
    std::uint16_t port() const { return port_; }

  private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

} // namespace

TEST_CASE("a test redis stops and starts again on the same port", "[harness]") {
    ts::temp_dir dir("peerline-harness");
    ts::redis_process redis(dir / "redis");
    auto port = redis.port();
    REQUIRE(ts::redis_answers(port));

    auto status = redis.stop();
    CHECK(status.exited); // SIGTERM is a clean shutdown for redis-server
    REQUIRE_FALSE(ts::redis_answers(port));

    redis.start();
    CHECK(redis.port() == port);
    REQUIRE(ts::redis_answers(port));
    CHECK(redis.url() == "redis://127.0.0.1:" + std::to_string(port));
}

TEST_CASE("the redis dump shows every key and value of every type", "[harness]") {
    ts::temp_dir dir("peerline-harness");
    ts::redis_process redis(dir / "redis");
    ts::redis_connection r(redis.port());
    std::string binary_value("bin\0ary", 7);
    r.command({"SET", "k:string", binary_value});
    r.command({"HSET", "k:hash", "field-a", "hash-value"});
    r.command({"RPUSH", "k:list", "list-value"});
    r.command({"SADD", "k:set", "set-value"});
    r.command({"ZADD", "k:zset", "42", "zset-member"});
    r.command({"XADD", "k:stream", "*", "stream-field", "stream-value"});
    r.command({"SELECT", "3"});
    r.command({"SET", "k:other-db", "other-db-value"});

    auto dump = ts::dump_all(r);
    CHECK(dump.size() == 7);
    for (const char* needle :
         {"k:string", "hash-value", "field-a", "list-value", "set-value", "zset-member", "42",
          "stream-field", "stream-value", "other-db-value"}) {
        INFO(needle);
        CHECK(dump_contains(dump, needle));
    }
    CHECK(dump_contains(dump, binary_value));
    CHECK_FALSE(dump_contains(dump, "never-written"));
}

TEST_CASE("a command's exit status, stdin and output are captured", "[harness]") {
    ts::temp_dir dir("peerline-harness");
    auto r =
        ts::run_command({"/bin/sh", "-c", "read line; echo \"got $line\"; echo oops >&2; exit 3"},
                        "secret-input\n", dir.path());
    CHECK(r.status.exited);
    CHECK(r.status.code == 3);
    CHECK(r.out == "got secret-input\n");
    CHECK(r.err == "oops\n");
    // The stdin file (it may hold a password) is gone; only the output
    // that echoed it remains.
    auto holding = ts::files_containing(dir.path(), "secret-input");
    REQUIRE(holding.size() == 1);
    CHECK(holding.front().extension() == ".out");
}

TEST_CASE("a child that ignores nothing is stopped by SIGTERM and one that hangs is killed",
          "[harness]") {
    ts::spawn_options opts;
    opts.argv = {"/bin/sleep", "60"};
    ts::child_process sleeper(opts);
    REQUIRE(sleeper.running());
    auto s = sleeper.stop(std::chrono::seconds(5));
    CHECK(s.signal == SIGTERM);

    opts.argv = {"/bin/sh", "-c", "trap '' TERM; sleep 60"};
    ts::child_process stubborn(opts);
    std::this_thread::sleep_for(100ms); // let the shell install its trap
    auto k = stubborn.stop(std::chrono::milliseconds(300));
    CHECK(k.signal == SIGKILL);
}

TEST_CASE("a missing executable is reported when spawning", "[harness]") {
    ts::spawn_options opts;
    opts.argv = {"/nonexistent/peerline"};
    REQUIRE_THROWS_WITH(ts::child_process(opts), Catch::Contains("No such file"));
}

TEST_CASE("the test client times out instead of hanging on a silent server", "[harness]") {
    silent_listener silent;
    tc::endpoint ep;
    ep.port = silent.port();

    auto start = std::chrono::steady_clock::now();
    REQUIRE_THROWS_AS(tc::http_get(ep, "/healthz", {}, 300ms), tc::client_error);
    tc::ws_client ws;
    tc::connect_options opts;
    opts.timeout = 300ms;
    REQUIRE_THROWS_AS(ws.connect(ep, opts), tc::handshake_error);
    ep.tls.enabled = true;
    REQUIRE_THROWS_AS(tc::http_get(ep, "/healthz", {}, 300ms), tc::client_error);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("the test client reports a refused connection", "[harness]") {
    tc::endpoint ep;
    ep.port = ts::free_tcp_port(); // nothing listens there
    REQUIRE_THROWS_WITH(tc::http_get(ep, "/healthz", {}, 1s), Catch::Contains("refused"));
}
