#include "net/connection_intake.hpp"

#include "core/log.hpp"
#include "domain/services.hpp"
#include "net/http_session.hpp"
#include "net/proxy_trust.hpp"
#include "peerline/protocol/proxy_v2.hpp"

#include <array>

namespace peerline {

namespace {

// Reads a trusted proxy's PROXY v2 header on the socket's own thread: the
// fixed 16 bytes, then exactly the length they announce, so the client's own
// first bytes (a TLS handshake or an HTTP request) stay unread for the
// session. Bounded by proxy_header_timeout and max_proxy_v2_bytes.
class proxy_header_reader : public std::enable_shared_from_this<proxy_header_reader> {
public:
    proxy_header_reader(http_context& ctx, tcp::socket socket, address_limits::slot slot, std::string peer)
        : ctx_(ctx), socket_(std::move(socket)), slot_(std::move(slot)), peer_(std::move(peer)),
          timer_(socket_.get_executor()) {}

    void start() {
        timer_.expires_after(proxy_header_timeout);
        timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec || self->done_) return;
            beast::error_code ignored;
            self->socket_.cancel(ignored); // the read fails and the connection closes
        });
        read_to(protocol::proxy_v2_fixed_bytes);
    }

private:
    void read_to(std::size_t total) {
        net::async_read(socket_, net::buffer(buf_.data() + have_, total - have_),
                        [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->have_ += n;
                            self->on_read(ec);
                        });
    }

    void on_read(beast::error_code ec) {
        if (ec) return finish("proxy_header_not_received", {});
        auto r = protocol::decode_proxy_v2(std::string_view(buf_.data(), have_));
        using kind = protocol::proxy_v2_result::kind;
        if (r.what == kind::need_more) return read_to(r.length); // at most max_proxy_v2_bytes
        if (r.what == kind::invalid) return finish("proxy_header_refused", r.problem);
        done_ = true;
        timer_.cancel();
        // LOCAL (the proxy's own health check): the connection is the proxy's.
        std::string address = r.what == kind::proxied ? r.source->to_string() : peer_;
        if (!slot_.readdress(address))
            return refuse_connection(std::move(socket_), address_limits::refusal::address_cap,
                                     ctx_.tls != nullptr, ctx_.svc.counters);
        run_http_session(ctx_, std::move(socket_), std::move(slot_), std::move(address));
    }

    // Closes the connection (by letting go of it): no header, or a bad one.
    void finish(const char* event, std::string_view problem) {
        done_ = true;
        timer_.cancel();
        if (problem.empty()) log::debug(event);
        else log::info(event, {{"problem", std::string(problem)}});
    }

    http_context& ctx_;
    tcp::socket socket_;
    address_limits::slot slot_;
    std::string peer_;
    net::steady_timer timer_;
    bool done_ = false;
    std::size_t have_ = 0;
    std::array<char, protocol::max_proxy_v2_bytes> buf_;
};

} // namespace

void admit_connection(http_context& ctx, address_limits& limits, tcp::socket socket) {
    beast::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    bool tls = ctx.tls != nullptr;
    auto* counters = ctx.svc.counters;
    address_limits::refusal why = address_limits::refusal::none;

    if (ec || !ctx.proxies || !ctx.proxies->trusts(remote.address())) {
        auto address = ec ? std::string("unknown") : proxy_trust::address_text(remote.address());
        if (auto slot = limits.acquire(address, &why))
            return run_http_session(ctx, std::move(socket), std::move(slot), std::move(address));
        return refuse_connection(std::move(socket), why, tls, counters);
    }

    // A trusted proxy: its own address is not capped (every client behind it
    // shares it); the client it names is, as soon as it is known.
    auto slot = limits.acquire_exempt(&why);
    if (!slot) return refuse_connection(std::move(socket), why, tls, counters);
    auto peer = proxy_trust::address_text(remote.address());
    if (!ctx.proxies->proxy_protocol())
        return run_http_session(ctx, std::move(socket), std::move(slot), std::move(peer),
                                /*forwarded=*/true);
    auto ex = socket.get_executor();
    auto reader = std::make_shared<proxy_header_reader>(ctx, std::move(socket), std::move(slot), std::move(peer));
    net::dispatch(ex, [reader = std::move(reader)] { reader->start(); });
}

} // namespace peerline
