// See tcp_proxy.hpp.
#include "peerline/test_support/tcp_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace peerline::test_support {

namespace {
constexpr std::size_t kept_bytes = 64 * 1024;
constexpr int poll_ms = 20; // how soon a freeze or stop is noticed

std::size_t count_of(const std::string& text, std::string_view marker) {
    std::size_t n = 0;
    for (auto pos = text.find(marker); pos != std::string::npos; pos = text.find(marker, pos + 1)) ++n;
    return n;
}
} // namespace

struct tcp_proxy::connection {
    int client_fd = -1;
    int target_fd = -1;
    std::atomic<bool> frozen{false};
    std::atomic<bool> open{true};
    std::mutex mutex; // guards the two logs
    std::string from_client;
    std::string from_target;
    ~connection() {
        if (client_fd >= 0) ::close(client_fd);
        if (target_fd >= 0) ::close(target_fd);
    }
};

tcp_proxy::tcp_proxy(std::uint16_t target_port) : target_port_(target_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error("tcp_proxy: socket failed");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        ::close(listen_fd_);
        throw std::runtime_error("tcp_proxy: cannot listen on loopback");
    }
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

tcp_proxy::~tcp_proxy() {
    stopping_ = true;
    acceptor_.join();
    for (auto& t : threads_) t.join();
    ::close(listen_fd_);
}

void tcp_proxy::accept_loop() {
    while (!stopping_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, poll_ms) <= 0) continue;
        int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        int target = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(target_port_);
        if (target < 0 || ::connect(target, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            if (target >= 0) ::close(target);
            ::close(client);
            continue;
        }
        auto c = std::make_shared<connection>();
        c->client_fd = client;
        c->target_fd = target;
        std::lock_guard lock(mutex_);
        connections_.push_back(c);
        threads_.emplace_back([c, this] { pump(c, stopping_); });
    }
}

// Copies bytes both ways until either side closes or the proxy stops. A
// freeze is for good: the pump returns and reads nothing more, while the
// connection (kept in connections_) holds both sockets open until the proxy
// is destroyed.
void tcp_proxy::pump(const std::shared_ptr<connection>& c, const std::atomic<bool>& stopping) {
    char buf[16 * 1024];
    while (!stopping) {
        if (c->frozen) return;
        pollfd p[2] = {{c->client_fd, POLLIN, 0}, {c->target_fd, POLLIN, 0}};
        if (::poll(p, 2, poll_ms) <= 0) continue;
        for (int i = 0; i < 2; ++i) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            if (c->frozen) break; // frozen while polling: leave the bytes where they are
            int from = i == 0 ? c->client_fd : c->target_fd;
            int to = i == 0 ? c->target_fd : c->client_fd;
            auto n = ::read(from, buf, sizeof buf);
            if (n <= 0) {
                c->open = false;
                return; // ~connection closes both
            }
            {
                std::lock_guard lock(c->mutex);
                auto& log = i == 0 ? c->from_client : c->from_target;
                if (log.size() < kept_bytes)
                    log.append(buf, std::min<std::size_t>(static_cast<std::size_t>(n), kept_bytes - log.size()));
            }
            for (ssize_t done = 0; done < n;) {
                auto w = ::send(to, buf + done, static_cast<std::size_t>(n - done), MSG_NOSIGNAL);
                if (w <= 0) {
                    c->open = false;
                    return;
                }
                done += w;
            }
        }
    }
}

std::size_t tcp_proxy::freeze_where_client_sent(std::string_view marker) {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (auto& c : connections_) {
        if (!c->open || c->frozen) continue;
        std::lock_guard clock(c->mutex);
        if (c->from_client.find(marker) == std::string::npos) continue;
        c->frozen = true;
        ++n;
    }
    return n;
}

std::size_t tcp_proxy::live_where_target_sent(std::string_view marker, std::size_t times) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (auto& c : connections_) {
        if (!c->open || c->frozen) continue;
        std::lock_guard clock(c->mutex);
        if (count_of(c->from_target, marker) >= times) ++n;
    }
    return n;
}

} // namespace peerline::test_support
