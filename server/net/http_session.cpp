#include "net/http_session.hpp"

#include "core/log.hpp"
#include "domain/services.hpp"
#include "net/http_api.hpp"
#include "net/http_request_rules.hpp"
#include "net/http_security_headers.hpp"
#include "net/proxy_trust.hpp"
#include "net/ws_session.hpp"

#include <boost/asio/co_spawn.hpp>

#include <algorithm>
#include <optional>

namespace peerline {

namespace {

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
    // A request is read in two steps: its head, checked against
    // http_request_rules before any of its body is read, then the body.
    void do_read() {
        parser_.emplace();
        // Beast checks a Content-Length against the limit as the header
        // ends, so the larger limit is set first and lowered in on_header
        // for every other endpoint (the body is then read against it).
        parser_->body_limit(std::max<std::uint64_t>(ctx_.svc.cfg.max_http_body_bytes, mentoring_request_body_bytes));
        parser_->header_limit(max_header_bytes);
        arm_request_timer();
        http::async_read_header(stream_, buffer_, *parser_,
                                beast::bind_front_handler(&http_session::on_header, this->shared_from_this()));
    }

    // One endpoint takes a larger body: a mentoring request carries up to
    // three sealed notes (docs/PROTOCOL.md section 10.5).
    void on_header(beast::error_code ec, std::size_t) {
        if (!reading_) return; // the request timer answered or closed
        if (ec) return on_read_error(ec);
        auto& head = parser_->get();
        auto refusal = refuse_framing(head);
        if (!refusal) {
            bool has_body = parser_->chunked() || parser_->content_length().value_or(0) > 0;
            refusal = refuse_media_type(head, has_body);
        }
        if (refusal) return refuse(*refusal);
        header_fields_ = field_count(head);
        auto target = std::string_view(head.target());
        if (head.method() != http::verb::post || target != "/api/mentoring/requests") {
            auto limit = ctx_.svc.cfg.max_http_body_bytes;
            parser_->body_limit(limit); // a chunked body is checked against it as it comes
            if (auto length = parser_->content_length(); length && *length > limit)
                return on_read_error(http::error::body_limit);
        }
        if (parser_->is_done()) return on_read({}, 0);
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&http_session::on_read, this->shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (!reading_) return; // the request timer answered or closed
        if (ec) return on_read_error(ec);
        stop_reading();
        http_request req = parser_->release();
        drop_trailer_fields(req, header_fields_);
        if (!proxy_peer_.empty() && !take_forwarded_client(req)) return;
        if (websocket::is_upgrade(req)) return upgrade(std::move(req));
        if (auto res = answer_by_surface(req)) return write(std::move(*res));

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

    // A request that could not be read gets its status before the close
    // (413 too large, 431 head too large, 400 malformed); a connection that
    // closed or failed between requests is simply closed.
    void on_read_error(beast::error_code ec) {
        stop_reading();
        if (ec == http::error::end_of_stream) return do_shutdown();
        if (ec == http::error::body_limit)
            return refuse({http::status::payload_too_large, "body_too_large", "The request body is over the limit."});
        if (ec == http::error::header_limit)
            return refuse({http::status::request_header_fields_too_large, "header_too_large",
                           "The request head is over 8 KiB."});
        if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
            ec != http::error::partial_message)
            return refuse({http::status::bad_request, "bad_request", "The request is not valid HTTP/1.1."});
        if (ec != net::error::operation_aborted && ec != beast::error::timeout)
            log::debug("http_read_failed", {{"error", ec.message()}});
    }

    // A request not complete within --http-request-timeout-s gets 408 if any of it
    // arrived; an idle keep-alive connection is closed without one. The
    // stream's own expiry, a little later, is the backstop.
    void arm_request_timer() {
        reading_ = true;
        beast::get_lowest_layer(stream_).expires_after(ctx_.svc.cfg.http_request_timeout + std::chrono::seconds(5));
        request_timer_.expires_after(ctx_.svc.cfg.http_request_timeout);
        request_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
            if (ec || !self->reading_) return;
            if (self->parser_ && self->parser_->got_some())
                return self->refuse({http::status::request_timeout, "request_timeout",
                                     "The request did not arrive in time."});
            self->stop_reading();
            beast::get_lowest_layer(self->stream_).cancel();
        });
    }

    void stop_reading() {
        reading_ = false;
        request_timer_.cancel();
    }

    void refuse(const request_refusal& r) {
        stop_reading();
        http_request head;
        if (parser_) head.version(parser_->get().version() ? parser_->get().version() : 11);
        auto res = json_error(head, r.status, r.code, r.message);
        res.keep_alive(false);
        write(std::move(res));
    }

    // The metrics surface (--metrics-listen) serves /metrics and the two
    // health checks only; the service port never serves /metrics.
    std::optional<http_response> answer_by_surface(const http_request& req) {
        auto target = std::string_view(req.target());
        bool metrics = target == "/metrics";
        if (ctx_.surface == http_surface::metrics) {
            if (metrics || target == "/healthz" || target == "/readyz") return std::nullopt;
        } else if (!metrics) {
            return std::nullopt;
        }
        return json_error(req, http::status::not_found, "not_found",
                          ctx_.surface == http_surface::metrics ? "This address serves /metrics only."
                                                                 : "Metrics are served on --metrics-listen.");
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
        set_security_headers(res);
        response_ = std::make_shared<http_response>(std::move(res));
        beast::get_lowest_layer(stream_).expires_after(ctx_.svc.cfg.http_request_timeout);
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
    std::size_t header_fields_ = 0;           // fields before any chunked trailer
    net::steady_timer request_timer_{stream_.get_executor()};
    bool reading_ = false;                    // a request is being read
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
