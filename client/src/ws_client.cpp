// See ws_client.hpp. The Beast stream lives in a template implementation
// (plain TCP or TLS) behind ws_client::impl, so the public header stays free
// of Asio and Beast.
#include "peerline/client/ws_client.hpp"

#include "await.hpp"
#include "tls.hpp"

#include "peerline/protocol/relay_frame.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <deque>
#include <type_traits>

namespace peerline::client {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
using detail::clock;
using detail::error_code;

// The client is an instrument: it accepts anything the server sends and
// lets the test judge it, so its own limits are generous.
constexpr std::size_t client_max_message = 16 * 1024 * 1024;

protocol::limits client_limits() {
    protocol::limits lim;
    lim.max_control_frame_bytes = 64 * 1024;
    lim.max_relay_frame_bytes = client_max_message;
    lim.max_string_bytes = 4096;
    return lim;
}

} // namespace

// State shared by both stream kinds. The io_context and TLS context are
// members of the base so that they outlive the stream in the derived class.
struct ws_client::impl {
    net::io_context ioc;
    std::unique_ptr<net::ssl::context> tls_ctx;
    std::deque<incoming> inbox;
    std::optional<closed> ended; // set once the connection is over

    explicit impl(std::unique_ptr<net::ssl::context> ctx) : tls_ctx(std::move(ctx)) {}
    virtual ~impl() = default;
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;

    virtual void connect(const endpoint& ep, const connect_options& opts) = 0;
    // Keeps one read pending; its results land in `inbox`.
    virtual void start_read() = 0;
    virtual error_code write(std::string_view data, bool binary, clock::time_point deadline) = 0;
    // One message sent as `pieces` WebSocket frames (a continuation per piece).
    virtual error_code write_fragmented(std::string_view data, std::size_t pieces,
                                        clock::time_point deadline) = 0;
    virtual error_code close(std::uint16_t code, clock::time_point deadline) = 0;
    // Closes the socket: every pending operation completes with an error.
    virtual void abort() noexcept = 0;

    void on_frame(bool text, std::string data) {
        static const protocol::limits lim = client_limits();
        if (text) {
            auto decoded = protocol::decode_server_message(data, lim);
            if (decoded) {
                inbox.emplace_back(control_frame{std::move(*decoded.value), std::move(data)});
            } else {
                std::string problem(protocol::to_string(decoded.err->code));
                inbox.emplace_back(bad_frame{true, std::move(data), std::move(problem)});
            }
            return;
        }
        if (auto view = protocol::view_relay_frame(data, lim)) {
            inbox.emplace_back(relay_frame{view->header.channel, std::string(view->payload)});
        } else {
            inbox.emplace_back(bad_frame{false, std::move(data), "invalid relay header"});
        }
    }

    void on_end(closed c) {
        ended = c;
        inbox.emplace_back(std::move(c));
    }
};

namespace {

template <bool Tls>
using next_layer_t = std::conditional_t<Tls, detail::tls_stream, beast::tcp_stream>;

template <bool Tls> class stream_impl final : public ws_client::impl {
  public:
    stream_impl() requires(!Tls) : impl(nullptr), ws_(ioc) {}
    explicit stream_impl(std::unique_ptr<net::ssl::context> ctx) requires(Tls)
        : impl(std::move(ctx)), ws_(ioc, *tls_ctx) {}

    ~stream_impl() override {
        // Let aborted handlers run while `this` is still alive.
        abort();
        detail::run_until(ioc, clock::now() + detail::cancel_grace, [this] { return !reading_; });
    }

    void connect(const endpoint& ep, const connect_options& opts) override {
        auto deadline = clock::now() + opts.timeout;
        std::string what = std::string("WebSocket connect to ") + (Tls ? "wss://" : "ws://") +
                           ep.authority() + opts.target;
        if (auto ec = detail::connect_tcp(ioc, beast::get_lowest_layer(ws_), ep, deadline)) {
            throw handshake_error(what + ": " + detail::describe_error(ec), 0);
        }
        if constexpr (Tls) {
            if (auto ec = detail::tls_handshake(ioc, ws_.next_layer(), ep, deadline)) {
                throw handshake_error(what + ": TLS handshake: " + detail::describe_error(ec), 0);
            }
        }
        std::optional<std::string> origin = opts.origin;
        ws_.set_option(websocket::stream_base::decorator([origin](websocket::request_type& req) {
            req.set(http::field::user_agent, "peerline-test-client");
            if (origin)
                req.set(http::field::origin, *origin);
        }));
        ws_.read_message_max(client_max_message);
        websocket::response_type res;
        auto ec = detail::await(
            ioc, deadline,
            [&](auto done) { ws_.async_handshake(res, ep.authority(), opts.target, done); },
            [this] { abort(); });
        if (ec == websocket::error::upgrade_declined) {
            throw handshake_error(what + ": upgrade declined with HTTP " +
                                      std::to_string(res.result_int()) + " '" + res.body() + "'",
                                  static_cast<int>(res.result_int()));
        }
        if (ec)
            throw handshake_error(what + ": " + detail::describe_error(ec), 0);
    }

    void start_read() override {
        if (reading_ || ended)
            return;
        reading_ = true;
        ws_.async_read(buffer_, [this](error_code ec, std::size_t) {
            reading_ = false;
            if (ec) {
                on_end(make_closed(ec));
                return;
            }
            std::string data = beast::buffers_to_string(buffer_.data());
            buffer_.consume(buffer_.size());
            on_frame(ws_.got_text(), std::move(data));
            start_read();
        });
    }

    error_code write(std::string_view data, bool binary, clock::time_point deadline) override {
        ws_.binary(binary);
        return detail::await(
            ioc, deadline,
            [&](auto done) { ws_.async_write(net::buffer(data.data(), data.size()), done); },
            [this] { abort(); });
    }

    error_code write_fragmented(std::string_view data, std::size_t pieces,
                                clock::time_point deadline) override {
        ws_.binary(true);
        std::size_t step = (data.size() + pieces - 1) / pieces;
        for (std::size_t at = 0; at < data.size(); at += step) {
            std::size_t n = std::min(step, data.size() - at);
            bool last = at + n == data.size();
            auto ec = detail::await(
                ioc, deadline,
                [&](auto done) {
                    ws_.async_write_some(last, net::buffer(data.data() + at, n), done);
                },
                [this] { abort(); });
            if (ec) return ec;
        }
        return {};
    }

    error_code close(std::uint16_t code, clock::time_point deadline) override {
        return detail::await(
            ioc, deadline, [&](auto done) { ws_.async_close(websocket::close_reason(code), done); },
            [this] { abort(); });
    }

    void abort() noexcept override {
        error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }

  private:
    closed make_closed(const error_code& ec) const {
        if (ec == websocket::error::closed) {
            const auto& r = ws_.reason();
            return closed{static_cast<std::uint16_t>(r.code), std::string(r.reason.c_str()), {}};
        }
        return closed{1006, {}, detail::describe_error(ec)};
    }

    websocket::stream<next_layer_t<Tls>> ws_;
    beast::flat_buffer buffer_;
    bool reading_ = false;
};

} // namespace

ws_client::ws_client() = default;
ws_client::~ws_client() = default;
ws_client::ws_client(ws_client&&) noexcept = default;
ws_client& ws_client::operator=(ws_client&&) noexcept = default;

void ws_client::connect(const endpoint& ep, const connect_options& opts) {
    if (impl_)
        throw client_error("ws_client::connect: this client was already connected once");
    std::unique_ptr<impl> fresh;
    if (ep.tls.enabled) {
        fresh = std::make_unique<stream_impl<true>>(
            std::make_unique<net::ssl::context>(detail::make_tls_context(ep.tls)));
    } else {
        fresh = std::make_unique<stream_impl<false>>();
    }
    fresh->connect(ep, opts);
    impl_ = std::move(fresh);
}

namespace {

void send_frame(ws_client::impl* i, std::string_view data, bool binary, duration timeout,
                const char* what) {
    if (!i)
        throw client_error(std::string("cannot send ") + what + ": not connected");
    if (i->ended) {
        throw client_error(std::string("cannot send ") + what +
                           ": the connection already ended: " + describe(incoming{*i->ended}));
    }
    if (auto ec = i->write(data, binary, clock::now() + timeout)) {
        throw client_error(std::string("sending ") + what +
                           " failed: " + detail::describe_error(ec));
    }
}

} // namespace

void ws_client::send_control(const protocol::client_message& m, duration timeout) {
    std::string what = std::string(protocol::type_name(m)) + " message";
    send_frame(impl_.get(), protocol::encode(m), false, timeout, what.c_str());
}

void ws_client::send_text(std::string_view text, duration timeout) {
    send_frame(impl_.get(), text, false, timeout, "a text frame");
}

void ws_client::send_binary(std::string_view bytes, duration timeout) {
    send_frame(impl_.get(), bytes, true, timeout, "a binary frame");
}

void ws_client::send_binary_fragmented(std::string_view bytes, std::size_t pieces,
                                       duration timeout) {
    if (!impl_) throw client_error("cannot send a fragmented frame: not connected");
    if (pieces == 0 || bytes.size() < pieces)
        throw client_error("a fragmented frame needs at least one byte per piece");
    if (impl_->ended) {
        throw client_error("cannot send a fragmented frame: the connection already ended: " +
                           describe(incoming{*impl_->ended}));
    }
    if (auto ec = impl_->write_fragmented(bytes, pieces, clock::now() + timeout))
        throw client_error("sending a fragmented frame failed: " + detail::describe_error(ec));
}

void ws_client::send_relay(std::uint16_t channel, std::string_view payload, duration timeout) {
    send_frame(impl_.get(), protocol::make_relay_frame(channel, payload), true, timeout,
               "a relay frame");
}

incoming ws_client::next_message(duration timeout) {
    if (!impl_)
        return closed{0, {}, "never connected"};
    auto& i = *impl_;
    if (i.inbox.empty() && !i.ended) {
        i.start_read();
        detail::run_until(i.ioc, clock::now() + timeout, [&i] { return !i.inbox.empty(); });
    }
    if (!i.inbox.empty()) {
        incoming in = std::move(i.inbox.front());
        i.inbox.pop_front();
        return in;
    }
    if (i.ended)
        return *i.ended;
    return timed_out{timeout};
}

protocol::error_message ws_client::expect_error(protocol::error_code code, duration timeout) {
    incoming in = next_message(timeout);
    if (auto* c = std::get_if<control_frame>(&in)) {
        if (auto* e = std::get_if<protocol::error_message>(&c->message)) {
            if (e->err.code == code)
                return *e;
        }
    }
    throw unexpected_message("expected error " + std::string(protocol::to_string(code)) + ", got " +
                             describe(in));
}

relay_frame ws_client::expect_relay(duration timeout) {
    incoming in = next_message(timeout);
    if (auto* r = std::get_if<relay_frame>(&in))
        return std::move(*r);
    throw unexpected_message("expected a relay frame, got " + describe(in));
}

closed ws_client::expect_closed(duration timeout) {
    incoming in = next_message(timeout);
    if (auto* c = std::get_if<closed>(&in))
        return *c;
    throw unexpected_message("expected the connection to close, got " + describe(in));
}

void ws_client::expect_nothing(duration quiet) {
    incoming in = next_message(quiet);
    if (!std::holds_alternative<timed_out>(in)) {
        throw unexpected_message("expected nothing for " + std::to_string(quiet.count()) +
                                 " ms, got " + describe(in));
    }
}

void ws_client::close(std::uint16_t code, duration timeout) {
    if (!impl_ || impl_->ended)
        return;
    auto& i = *impl_;
    auto deadline = clock::now() + timeout;
    i.start_read(); // the read is what sees the peer's close frame
    auto ec = i.close(code, deadline);
    // The pending read sees the peer's close frame (or the error) and ends.
    detail::run_until(i.ioc, deadline, [&i] { return i.ended.has_value(); });
    if (!i.ended) {
        i.abort();
        detail::run_until(i.ioc, clock::now() + detail::cancel_grace,
                          [&i] { return i.ended.has_value(); });
    }
    if (!i.ended)
        i.ended = closed{code, {}, ec ? detail::describe_error(ec) : "closed by client"};
}

bool ws_client::is_open() const noexcept {
    return impl_ && !impl_->ended;
}

} // namespace peerline::client
