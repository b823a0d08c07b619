#include "net/listener.hpp"

#include "core/log.hpp"

namespace peerline {

namespace {

// A connection over a cap is answered at once, never left waiting: a plain
// HTTP client gets 503 with Retry-After (one non-blocking write into the
// fresh socket's empty send buffer), a TLS one is closed.
void refuse(tcp::socket socket, address_limits::refusal why, bool tls) {
    bool node_full = why == address_limits::refusal::node_cap;
    log::info(node_full ? "connection_refused_node_cap" : "connection_refused_address_cap");
    beast::error_code ignored;
    if (!tls) {
        static constexpr std::string_view busy =
            "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Type: text/plain\r\n"
            "Content-Length: 29\r\nConnection: close\r\n\r\nToo many connections; retry.\n";
        socket.non_blocking(true, ignored);
        socket.write_some(net::buffer(busy.data(), busy.size()), ignored);
        socket.shutdown(tcp::socket::shutdown_send, ignored);
    }
    socket.close(ignored);
}

} // namespace

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
            auto remote = socket.remote_endpoint(ignored);
            auto address = ignored ? std::string("unknown") : remote.address().to_string();
            address_limits::refusal why = address_limits::refusal::none;
            if (auto slot = self->limits_->acquire(address, &why)) {
                run_http_session(self->http_, std::move(socket), std::move(slot), std::move(address));
            } else {
                refuse(std::move(socket), why, self->http_.tls != nullptr);
            }
        }
        self->do_accept();
    });
}

} // namespace peerline
