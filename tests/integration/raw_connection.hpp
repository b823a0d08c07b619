// A raw TCP connection to the server from a chosen loopback address, for the
// tests of what happens before any protocol starts: per-address caps,
// half-sent requests, and what a proxy sends first (a PROXY protocol header,
// X-Forwarded-For). Linux routes all of 127.0.0.0/8 to loopback, so a test
// can be "several clients" (127.0.0.2, 127.0.0.3, ...) on one machine.
#pragma once

#include "fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace peerline::integration {

class raw_connection {
  public:
    explicit raw_connection(const tc::endpoint& ep, const std::string& from = "127.0.0.1")
        : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        if (fd_ < 0) throw std::runtime_error("socket");
        sockaddr_in local{};
        local.sin_family = AF_INET;
        if (::inet_pton(AF_INET, from.c_str(), &local.sin_addr) != 1 ||
            ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
            ::close(fd_);
            throw std::runtime_error("bind to " + from);
        }
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(ep.port);
        ::inet_pton(AF_INET, ep.host.c_str(), &addr.sin_addr);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd_);
            throw std::runtime_error("connect");
        }
    }
    ~raw_connection() { close(); }
    raw_connection(const raw_connection&) = delete;
    raw_connection& operator=(const raw_connection&) = delete;

    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

    // Sends bytes as they are (false if the connection is gone).
    bool send(std::string_view bytes) {
        return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
    }

    // Reads until a whole response head has arrived and returns what came
    // ("" if the server closed or reset without a reply). Throws if nothing
    // came within `wait`: the connection was left hanging.
    std::string read_response(std::chrono::milliseconds wait = std::chrono::milliseconds(5000)) {
        return read_until([](const std::string& got) { return got.find("\r\n\r\n") != std::string::npos; }, wait,
                          "no answer within the wait: the connection was left hanging");
    }

    // A whole GET (with any extra header lines, each ending in \r\n) and its response head.
    std::string get(const std::string& target, const std::string& extra_headers = "",
                    std::chrono::milliseconds wait = std::chrono::milliseconds(5000)) {
        if (!send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n")) return {};
        return read_response(wait);
    }

    // Any request (with extra header lines, each ending in \r\n) and its
    // response head.
    std::string request(const std::string& method, const std::string& target,
                        const std::string& extra_headers = "", const std::string& body = "",
                        std::chrono::milliseconds wait = std::chrono::milliseconds(5000)) {
        std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers;
        if (!body.empty())
            req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
        if (!send(req + "\r\n" + body)) return {};
        return read_response(wait);
    }

    // Everything the server sends until it closes the connection. Throws if
    // it is still open after `wait`: the server meant to close and did not.
    std::string read_until_closed(std::chrono::milliseconds wait = std::chrono::milliseconds(5000)) {
        return read_until([](const std::string&) { return false; }, wait,
                          "the server did not close the connection within the wait");
    }

  private:
    // Reads until `enough(got)`, or the server closes or resets (what came
    // is returned either way); throws `hanging` if neither happens in `wait`.
    template <class Enough>
    std::string read_until(Enough enough, std::chrono::milliseconds wait, const char* hanging) {
        std::string got;
        auto deadline = std::chrono::steady_clock::now() + wait;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (::poll(&p, 1, static_cast<int>(std::max<long long>(1, left.count()))) <= 0) continue;
            char buf[4096];
            auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) return got;
            got.append(buf, static_cast<std::size_t>(n));
            if (enough(got)) return got;
        }
        throw std::runtime_error(hanging);
    }

    int fd_;
};

inline bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// The status code of a response head ("HTTP/1.1 503 ..." -> 503), or 0.
inline int status_of(const std::string& head) {
    if (!starts_with(head, "HTTP/1.1 ") || head.size() < 12) return 0;
    return std::atoi(head.substr(9, 3).c_str());
}

} // namespace peerline::integration
