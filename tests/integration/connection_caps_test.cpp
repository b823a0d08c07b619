// Connection caps: a node over --max-connections, or an address over
// --max-connections-per-address, answers at once (503 with Retry-After, then
// closed) instead of leaving the client waiting, keeps serving the
// connections it has, and takes new ones again when one closes.
#include "fixture.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

using namespace peerline::integration;

namespace {

// A raw TCP connection to the server (the test client libraries speak whole
// protocols; here the point is what happens before any of them starts).
class raw_connection {
  public:
    explicit raw_connection(const tc::endpoint& ep) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        if (fd_ < 0) throw std::runtime_error("socket");
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(ep.port);
        ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
            throw std::runtime_error("connect");
    }
    ~raw_connection() { close(); }
    raw_connection(const raw_connection&) = delete;
    raw_connection& operator=(const raw_connection&) = delete;

    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

    // Sends a GET and returns whatever comes back within `wait` ("" if the
    // connection was closed without a reply; throws if nothing came at all).
    std::string get(const std::string& target, std::chrono::milliseconds wait = 3000ms) {
        std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) < 0) return {};
        std::string got;
        auto deadline = std::chrono::steady_clock::now() + wait;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (::poll(&p, 1, static_cast<int>(std::max<long long>(1, left.count()))) <= 0) continue;
            char buf[1024];
            auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) return got; // closed (or reset) by the server
            got.append(buf, static_cast<std::size_t>(n));
            if (got.find("\r\n\r\n") != std::string::npos) return got;
        }
        throw std::runtime_error("no answer within the wait: the connection was left hanging");
    }

  private:
    int fd_;
};

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

} // namespace

TEST_CASE("a node at --max-connections answers 503 at once, keeps its connections and takes new ones "
          "when one closes",
          "[limits]") {
    peerline_stack s({{"--max-connections", "3", "--max-connections-per-address", "100"}});
    raw_connection a(s.ep()), b(s.ep()), c(s.ep()); // accepted in order: the node is full

    raw_connection over(s.ep());
    auto refused = over.get("/healthz");
    INFO(refused);
    CHECK(starts_with(refused, "HTTP/1.1 503"));
    CHECK(refused.find("Retry-After: 5") != std::string::npos);

    // The connections it has are served as before.
    CHECK(starts_with(a.get("/healthz"), "HTTP/1.1 200"));

    // One closes: there is room again (the server notices the close shortly).
    b.close();
    bool served = false;
    for (int attempt = 0; attempt < 40 && !served; ++attempt) {
        raw_connection again(s.ep());
        served = starts_with(again.get("/healthz"), "HTTP/1.1 200");
        if (!served) std::this_thread::sleep_for(50ms);
    }
    CHECK(served);
}

TEST_CASE("an address over --max-connections-per-address is answered 503 at once", "[limits]") {
    peerline_stack s({{"--max-connections-per-address", "2"}});
    raw_connection a(s.ep()), b(s.ep());
    raw_connection over(s.ep());
    CHECK(starts_with(over.get("/healthz"), "HTTP/1.1 503"));
    CHECK(starts_with(a.get("/healthz"), "HTTP/1.1 200"));
}
