#include "net/http_session.hpp"

#include "core/log.hpp"
#include "domain/services.hpp"
#include "net/http_api.hpp"
#include "net/proxy_trust.hpp"
#include "net/ws_session.hpp"

#include <boost/asio/co_spawn.hpp>

#include <algorithm>
#include <optional>

namespace peerline {

namespace {

constexpr auto request_timeout = std::chrono::seconds(30);
constexpr std::uint32_t max_header_bytes = 8 * 1024;
constexpr std::uint64_t mentoring_request_body_bytes = 32 * 1024;

template <class Stream>
class http_session : public std::enable_shared_from_this<http_session<Stream>> {
public:
    http_session(http_context& ctx, Stream&& stream, address_limits::slot slot,
                 std::string client_address, bool forwarded)
        : ctx_(ctx), stream_(std::move(stream)), slot_(std::move(slot)),
          client_address_(std::move(client_address)) {
        if (forwarded) proxy_peer_ = client_address_;
    }

    void run() {
        if constexpr (std::is_same_v<Stream, tls_stream>) {
            beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
            stream_.async_handshake(net::ssl::stream_base::server,
                                    [self = this->shared_from_this()](beast::error_code ec) {
                                        if (ec) {
                                            log::debug("tls_handshake_failed", {{"error", ec.message()}});
                                            return;
                                        }
                                        self->do_read();
                                    });
        } else {
            do_read();
        }
    }

private:
    void do_read() {
        parser_.emplace();
        // Beast checks a Content-Length against the limit as the header
        // ends, so the larger limit is set first and lowered in on_header
        // for every other endpoint (the body is then read against it).
        parser_->body_limit(std::max<std::uint64_t>(ctx_.svc.cfg.max_http_body_bytes, mentoring_request_body_bytes));
        parser_->header_limit(max_header_bytes);
        beast::get_lowest_layer(stream_).expires_after(request_timeout);
        http::async_read_header(stream_, buffer_, *parser_,
                                beast::bind_front_handler(&http_session::on_header, this->shared_from_this()));
    }

    // One endpoint takes a larger body: a mentoring request carries up to
    // three sealed notes (docs/PROTOCOL.md section 10.5).
    void on_header(beast::error_code ec, std::size_t n) {
        if (ec) return on_read(ec, n);
        auto target = std::string_view(parser_->get().target());
        if (parser_->get().method() != http::verb::post || target != "/api/mentoring/requests") {
            auto limit = ctx_.svc.cfg.max_http_body_bytes;
            parser_->body_limit(limit); // a chunked body is checked against it as it comes
            if (auto length = parser_->content_length(); length && *length > limit)
                return on_read(http::error::body_limit, n);
        }
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&http_session::on_read, this->shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == http::error::end_of_stream) return do_shutdown();
        if (ec == http::error::body_limit) {
            http_request head;
            head.version(parser_->get().version());
            auto res = json_error(head, http::status::payload_too_large, "body_too_large",
                                  "The request body is over the limit.");
            res.keep_alive(false);
            return write(std::move(res));
        }
        if (ec) {
            if (ec != net::error::operation_aborted && ec != beast::error::timeout)
                log::debug("http_read_failed", {{"error", ec.message()}});
            return;
        }
        http_request req = parser_->release();
        if (!proxy_peer_.empty() && !take_forwarded_client(req)) return;
        if (websocket::is_upgrade(req)) return upgrade(std::move(req));

        net::co_spawn(stream_.get_executor(), ctx_.api.handle(std::move(req), client_address_),
                      [self = this->shared_from_this()](std::exception_ptr e, http_response res) {
                          if (e) {
                              log::error("http_handler_failed");
                              http_request head;
                              res = json_error(head, http::status::internal_server_error,
                                               "internal_error", "Internal error.");
                          }
                          self->write(std::move(res));
                      });
    }

    // A trusted proxy's request: the client it names becomes this
    // connection's address, and the connection counts against that
    // address's cap (a proxy with upstream keep-alive may pass requests of
    // different clients over one connection: each request is counted anew).
    bool take_forwarded_client(const http_request& req) {
        auto client = ctx_.proxies->client_of(proxy_peer_, req);
        if (!client.problem.empty()) {
            auto res = json_error(req, http::status::bad_request, "bad_forwarded_for", client.problem);
            res.keep_alive(false);
            write(std::move(res));
            return false;
        }
        if (!slot_.readdress(client.address)) {
            auto res = json_error(req, http::status::service_unavailable, "too_many_connections",
                                  "Too many connections from this address; retry.");
            res.set(http::field::retry_after, "5");
            res.keep_alive(false);
            write(std::move(res));
            return false;
        }
        client_address_ = std::move(client.address);
        return true;
    }

    void upgrade(http_request req) {
        if (req.target() != "/ws")
            return write(json_error(req, http::status::not_found, "not_found",
                                    "WebSocket endpoint is /ws."));
        auto origin = req.find(http::field::origin);
        // Browsers always send Origin; a page from another site must not be
        // able to open a session. Native clients send none.
        if (origin != req.end() && !ctx_.allowed_origins.count(std::string(origin->value()))) {
            log::info("ws_origin_refused");
            auto res = json_error(req, http::status::forbidden, "origin_not_allowed",
                                  "This origin may not open a WebSocket here.");
            res.keep_alive(false);
            return write(std::move(res));
        }
        run_ws_session(ctx_.svc, std::move(stream_), std::move(req), std::move(slot_));
    }

    void write(http_response res) {
        response_ = std::make_shared<http_response>(std::move(res));
        beast::get_lowest_layer(stream_).expires_after(request_timeout);
        http::async_write(stream_, *response_,
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return;
                              if (!self->response_->keep_alive()) return self->do_shutdown();
                              self->response_.reset();
                              self->do_read();
                          });
    }

    void do_shutdown() {
        if constexpr (std::is_same_v<Stream, tls_stream>) {
            beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
            stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
        } else {
            beast::error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        }
    }

    http_context& ctx_;
    Stream stream_;
    address_limits::slot slot_;
    std::string client_address_;
    std::string proxy_peer_; // set when the peer is a trusted proxy sending X-Forwarded-For
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<http_response> response_;
};

} // namespace

// Called on the acceptor's thread; the session starts on its socket's own
// I/O thread, which is the only one that ever touches that socket (the
// io_contexts run without reactor I/O locking, see app.cpp).
void run_http_session(http_context& ctx, tcp::socket socket, address_limits::slot slot,
                      std::string client_address, bool forwarded) {
    auto ex = socket.get_executor();
    if (ctx.tls) {
        auto session = std::make_shared<http_session<tls_stream>>(
            ctx, tls_stream(std::move(socket), *ctx.tls), std::move(slot), std::move(client_address), forwarded);
        net::dispatch(ex, [session = std::move(session)] { session->run(); });
    } else {
        auto session = std::make_shared<http_session<plain_stream>>(
            ctx, plain_stream(std::move(socket)), std::move(slot), std::move(client_address), forwarded);
        net::dispatch(ex, [session = std::move(session)] { session->run(); });
    }
}

} // namespace peerline
