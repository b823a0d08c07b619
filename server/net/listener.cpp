#include "net/listener.hpp"

#include "core/log.hpp"
#include "domain/services.hpp"
#include "net/connection_intake.hpp"

#include <array>
#include <atomic>

namespace peerline {

namespace {

// A connection over a cap is answered at once, never left waiting: a plain
// HTTP client gets 503 with Retry-After, a TLS one is closed. Runs on the
// socket's own I/O thread (the reactor has no per-socket lock). After the
// answer the server stops sending and reads, discarding, until the client
// closes or a second has passed: closing with the client's request unread
// would send a reset, which can destroy the answer before it is read. At
// most `max_lingering` refused sockets linger at once (the files they hold
// come out of the node's reserve); beyond that they are closed at once.
class refused_connection : public std::enable_shared_from_this<refused_connection> {
public:
    static constexpr int max_lingering = 32;

    explicit refused_connection(tcp::socket s) : socket_(std::move(s)), timer_(socket_.get_executor()) {}
    ~refused_connection() { lingering_.fetch_sub(1, std::memory_order_relaxed); }

    static void answer(tcp::socket socket, bool tls) {
        beast::error_code ignored;
        if (!tls) {
            static constexpr std::string_view busy =
                "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Type: text/plain\r\n"
                "Server: peerline\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
                "Referrer-Policy: no-referrer\r\n"
                "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
                "Content-Length: 29\r\nConnection: close\r\n\r\nToo many connections; retry.\n";
            // A fresh socket's send buffer is empty: this never blocks.
            socket.non_blocking(true, ignored);
            socket.write_some(net::buffer(busy.data(), busy.size()), ignored);
        }
        socket.shutdown(tcp::socket::shutdown_send, ignored);
        if (lingering_.fetch_add(1, std::memory_order_relaxed) >= max_lingering) {
            lingering_.fetch_sub(1, std::memory_order_relaxed);
            socket.close(ignored);
            return;
        }
        std::make_shared<refused_connection>(std::move(socket))->linger();
    }

private:
    void linger() {
        timer_.expires_after(std::chrono::seconds(1));
        timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec) return;
            beast::error_code ignored;
            self->socket_.close(ignored);
        });
        read();
    }
    void read() {
        socket_.async_read_some(net::buffer(discard_), [self = shared_from_this()](beast::error_code ec,
                                                                                std::size_t) {
            if (!ec) return self->read();
            self->timer_.cancel(); // the client closed (or the timer did)
            beast::error_code ignored;
            self->socket_.close(ignored);
        });
    }

    static inline std::atomic<int> lingering_{0};
    tcp::socket socket_;
    net::steady_timer timer_;
    std::array<char, 512> discard_;
};

} // namespace

void refuse_connection(tcp::socket socket, address_limits::refusal why, bool tls, node_counters* counters) {
    // Counted, and logged once per thousand: a flood must not become a flood
    // of log writes on the thread that also runs Redis and the matcher.
    auto n = counters ? counters->connections_refused.fetch_add(1, std::memory_order_relaxed) + 1 : 1;
    if (n % 1000 == 1)
        log::info(why == address_limits::refusal::node_cap ? "connection_refused_node_cap"
                                                           : "connection_refused_address_cap",
                  {{"refused_since_start", n}});
    auto ex = socket.get_executor();
    net::post(ex, [socket = std::move(socket), tls]() mutable {
        refused_connection::answer(std::move(socket), tls);
    });
}

listener::listener(net::io_context& accept_context, std::vector<net::io_context*> io_contexts,
                   tcp::endpoint endpoint, http_context& http,
                   std::shared_ptr<address_limits> limits)
    : acceptor_(accept_context), io_contexts_(std::move(io_contexts)), http_(http),
      limits_(std::move(limits)) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
}

void listener::start() { do_accept(); }

void listener::stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        beast::error_code ignored;
        self->acceptor_.close(ignored);
    });
}

void listener::do_accept() {
    auto& target = *io_contexts_[next_];
    next_ = (next_ + 1) % io_contexts_.size();
    acceptor_.async_accept(target, [self = shared_from_this()](beast::error_code ec,
                                                               tcp::socket socket) {
        if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) return;
        if (ec) {
            // EMFILE and friends: pause instead of spinning on the error.
            log::warn("accept_failed", {{"error", ec.message()}});
            auto pause = std::make_shared<net::steady_timer>(self->acceptor_.get_executor(),
                                                              std::chrono::milliseconds(100));
            pause->async_wait([self, pause](beast::error_code) {
                if (self->acceptor_.is_open()) self->do_accept();
            });
            return;
        } else {
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            admit_connection(self->http_, *self->limits_, std::move(socket));
        }
        self->do_accept();
    });
}

} // namespace peerline
