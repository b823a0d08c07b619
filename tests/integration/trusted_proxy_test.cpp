// Learning the client's address from a trusted proxy, and from nobody else.
// The tests speak from several loopback addresses: 127.0.0.2 plays the
// trusted proxy (--trusted-proxy), 127.0.0.3 an ordinary client who forges
// what a proxy would send. What the server believes shows in the
// per-address limits: the connection cap and the failed-login limit apply
// to the client a trusted proxy names, never to the proxy itself, and a
// forged X-Forwarded-For or PROXY header from anyone else changes nothing.
#include "fixture.hpp"
#include "raw_connection.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <vector>

using namespace peerline::integration;

namespace {

const std::string proxy_address = "127.0.0.2";
// Not 127.0.0.1, which the fixture's own clients use: this address's counts
// are the test's alone.
const std::string direct_client = "127.0.0.3";

std::string xff(const std::string& client) { return "X-Forwarded-For: " + client + "\r\n"; }

// A PROXY protocol v2 header as HAProxy sends it for a TCP/IPv4 client.
std::string proxy_v2(const std::string& client, bool local = false) {
    std::string h("\r\n\r\n\0\r\nQUIT\n", 12);
    h += static_cast<char>(local ? 0x20 : 0x21);
    h += static_cast<char>(0x11); // TCP over IPv4
    h += std::string("\0\x0c", 2);
    in_addr src{}, dst{};
    ::inet_pton(AF_INET, client.c_str(), &src);
    ::inet_pton(AF_INET, "127.0.0.1", &dst);
    h.append(reinterpret_cast<const char*>(&src), 4);
    h.append(reinterpret_cast<const char*>(&dst), 4);
    h += std::string("\xc3\x50\x1f\x90", 4); // ports 50000 -> 8080
    return h;
}

std::string failed_login_body(int n) {
    return R"({"username":"nobody-)" + std::to_string(n) + R"(","password":"wrong"})";
}

} // namespace

TEST_CASE("X-Forwarded-For names the client only when a trusted proxy sends it", "[proxy]") {
    peerline_stack s({{"--trusted-proxy", proxy_address, "--max-connections-per-address", "2"}});
    std::vector<std::unique_ptr<raw_connection>> held;
    auto open_from = [&](const std::string& from, const std::string& headers) {
        held.push_back(std::make_unique<raw_connection>(s.ep(), from));
        auto head = held.back()->get("/healthz", headers);
        INFO(head);
        return status_of(head);
    };

    SECTION("through the proxy, each client has its own cap; the proxy has none") {
        CHECK(open_from(proxy_address, xff("203.0.113.7")) == 200);
        CHECK(open_from(proxy_address, xff("203.0.113.7")) == 200);
        // The third connection of the same client: over its cap of two.
        CHECK(open_from(proxy_address, xff("203.0.113.7")) == 503);
        // Other clients behind the same proxy are not affected: the proxy
        // now holds five connections against a per-address cap of two.
        CHECK(open_from(proxy_address, xff("203.0.113.8")) == 200);
        CHECK(open_from(proxy_address, xff("198.51.100.1, 203.0.113.9")) == 200);
        CHECK(open_from(proxy_address, xff("203.0.113.9")) == 200);
        // The client can't escape by writing its own X-Forwarded-For: the
        // proxy appends the real address, which is what counts.
        CHECK(open_from(proxy_address, xff("192.0.2.44, 203.0.113.9")) == 503);
    }
    SECTION("anyone else's X-Forwarded-For is ignored: the connection counts as its own address") {
        CHECK(open_from(direct_client, xff("203.0.113.1")) == 200);
        CHECK(open_from(direct_client, xff("203.0.113.2")) == 200);
        // A third "client" from the same real address is refused at once,
        // before any header is read, whatever it claims.
        CHECK(open_from(direct_client, xff("203.0.113.3")) == 503);
    }
    SECTION("a trusted proxy's malformed X-Forwarded-For is refused, not guessed at") {
        held.push_back(std::make_unique<raw_connection>(s.ep(), proxy_address));
        auto head = held.back()->get("/healthz", xff("203.0.113.7:4711"));
        INFO(head);
        CHECK(status_of(head) == 400);
    }
}

TEST_CASE("the failed-login limit counts the client a trusted proxy names, never a forged one",
          "[proxy]") {
    peerline_stack s({{"--trusted-proxy", proxy_address, "--login-attempts-per-address", "2"}});
    auto login = [&](const std::string& from, const std::string& headers, int n) {
        raw_connection c(s.ep(), from);
        auto head = c.request("POST", "/api/login", headers + "Connection: close\r\n", failed_login_body(n));
        INFO(head);
        return status_of(head);
    };
    int n = 0;
    // One client behind the proxy uses up its attempts...
    CHECK(login(proxy_address, xff("203.0.113.7"), ++n) == 401);
    CHECK(login(proxy_address, xff("203.0.113.7"), ++n) == 401);
    CHECK(login(proxy_address, xff("203.0.113.7"), ++n) == 429);
    // ...and another behind the same proxy can still log in (gets a plain
    // wrong-password answer, not the rate limit).
    CHECK(login(proxy_address, xff("203.0.113.8"), ++n) == 401);

    // An attacker talking directly, rotating a forged X-Forwarded-For, is
    // limited by its real address all the same.
    CHECK(login(direct_client, xff("198.51.100.1"), ++n) == 401);
    CHECK(login(direct_client, xff("198.51.100.2"), ++n) == 401);
    CHECK(login(direct_client, xff("198.51.100.3"), ++n) == 429);
}

TEST_CASE("a PROXY v2 header names the client only on connections from a trusted proxy", "[proxy]") {
    peerline_stack s({{"--trusted-proxy", proxy_address, "--proxy-protocol",
                       "--max-connections-per-address", "2"}});
    std::vector<std::unique_ptr<raw_connection>> held;
    auto open_from = [&](const std::string& from, const std::string& preamble) {
        held.push_back(std::make_unique<raw_connection>(s.ep(), from));
        held.back()->send(preamble);
        auto head = held.back()->get("/healthz");
        INFO(head);
        return status_of(head);
    };

    SECTION("from the proxy, the header's source address is the client and is capped") {
        CHECK(open_from(proxy_address, proxy_v2("203.0.113.7")) == 200);
        CHECK(open_from(proxy_address, proxy_v2("203.0.113.7")) == 200);
        CHECK(open_from(proxy_address, proxy_v2("203.0.113.7")) == 503);
        CHECK(open_from(proxy_address, proxy_v2("203.0.113.8")) == 200);
        CHECK(open_from(proxy_address, proxy_v2("203.0.113.9")) == 200);
        // LOCAL (the proxy's own health check) counts as the proxy.
        CHECK(open_from(proxy_address, proxy_v2("0.0.0.0", /*local=*/true)) == 200);
    }
    SECTION("from the proxy, a connection without a valid header is closed unanswered") {
        CHECK(open_from(proxy_address, "") == 0);
        std::string bad = proxy_v2("203.0.113.7");
        bad[12] = 0x11; // version 1
        CHECK(open_from(proxy_address, bad) == 0);
    }
    SECTION("from anyone else, a PROXY header has no effect") {
        // Counted as its own address whatever the header claims: the third is
        // refused at once, before a byte is read.
        held.push_back(std::make_unique<raw_connection>(s.ep(), direct_client));
        held.push_back(std::make_unique<raw_connection>(s.ep(), direct_client));
        CHECK(open_from(direct_client, proxy_v2("203.0.113.50")) == 503);
        // And the header is not consumed as one: the request behind it is
        // not served (it is not HTTP).
        held.clear();
        held.push_back(std::make_unique<raw_connection>(s.ep(), direct_client));
        held.back()->send(proxy_v2("203.0.113.51"));
        std::string head;
        try {
            head = held.back()->get("/healthz");
        } catch (const std::exception&) {
            head = "(no answer)";
        }
        INFO(head);
        CHECK(status_of(head) != 200);
    }
}

TEST_CASE("the server refuses to start with a malformed --trusted-proxy or --proxy-protocol alone",
          "[proxy]") {
    ts::temp_dir dir;
    auto run = [&](std::vector<std::string> extra) {
        std::vector<std::string> argv{peerline_binary().string(), "serve", "--bind", "127.0.0.1", "--port", "0",
                                      "--redis", "redis://127.0.0.1:1", "--data-dir", (dir / "data").string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        auto r = ts::run_command(argv, "", dir.path(), 20s);
        INFO(r.out << r.err);
        REQUIRE(r.status.exited);
        CHECK(r.status.code == 1);
        return r.err;
    };
    CHECK(run({"--trusted-proxy", "10.0.0.1/8"}).find("--trusted-proxy") != std::string::npos);
    CHECK(run({"--trusted-proxy", "proxy.example"}).find("--trusted-proxy") != std::string::npos);
    CHECK(run({"--proxy-protocol"}).find("--proxy-protocol needs --trusted-proxy") != std::string::npos);
}
