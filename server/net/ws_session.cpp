#include "net/ws_session.hpp"

#include "core/log.hpp"
#include "domain/client_session.hpp"
#include "domain/connection_sink.hpp"
#include "domain/services.hpp"
#include "net/ws_teardown.hpp"

#include <unistd.h>

#include <array>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

namespace peerline {

namespace {

// What the WebSocket stream runs on. Plain connections use the bare socket:
// Beast's WebSocket timeouts (handshake, idle pings) do not need tcp_stream,
// whose per-connection state (its own timers, type-erased executor copies on
// every operation) an idle connection would otherwise carry. TLS keeps the
// ssl_stream<tcp_stream> the HTTP session had.
//
// The plain socket is also re-typed to carry the io_context's own executor
// (8 bytes) instead of `any_io_executor` (48 bytes, type-erased): every
// operation Beast starts on the stream stores copies of the stream's executor
// (each composed operation's work guard, the reactor operation's handler
// work), and an idle connection always has a read pending. Every connection
// runs on one of the server's io_contexts.
using ws_socket = ws_plain_socket; // its teardown: net/ws_teardown.hpp

template <class Stream> struct ws_next_layer {
    using type = Stream;
    static Stream take(Stream&& s) { return std::move(s); }
};
template <> struct ws_next_layer<plain_stream> {
    using type = ws_socket;
    static ws_socket take(plain_stream&& s) {
        tcp::socket sock = s.release_socket();
        auto& ctx = static_cast<net::io_context&>(
            net::query(sock.get_executor(), net::execution::context));
        ws_socket out(ctx.get_executor());
        beast::error_code ec;
        auto protocol = sock.local_endpoint(ec).protocol();
        if (ec) return out; // gone already: the accept fails on a closed socket
        auto fd = sock.release(ec);
        if (ec) return out;
        out.assign(protocol, fd, ec);
        if (ec) ::close(fd);
        return out;
    }
};

// Keep-alive for all the WebSocket sessions of one io_context (one thread):
// one timer for all of them instead of Beast's per-stream idle timer, whose
// pending wait every idle connection would carry (a few hundred bytes) and
// which Beast cancels and re-arms at every message read. Same rule as Beast's
// keep_alive_pings: a connection silent for half the idle timeout is pinged
// (Beast's own async_ping), one still silent after the whole timeout is
// closed. The timer ticks every quarter of the timeout, so the ping goes out
// after 1/2 to 3/4 of the timeout of silence and the close comes after 1 to
// 1 1/4 of it. Anything read counts as activity (messages, and control frames
// through Beast's control callback: pongs, pings, close).
class keepalive_service;

class keepalive_member {
public:
    // Called on a tick, on the session's thread; must not unlink this member.
    virtual void keepalive_ping() = 0;
    virtual void keepalive_expired() = 0;

protected:
    virtual ~keepalive_member() = default;
    void keepalive_start(const net::any_io_executor& ex, std::chrono::steady_clock::duration idle);
    void keepalive_seen() noexcept;
    void keepalive_stop() noexcept;

private:
    friend class keepalive_service;
    keepalive_service* ka_ = nullptr; // set while linked
    keepalive_member* ka_prev_ = nullptr;
    keepalive_member* ka_next_ = nullptr;
    std::uint32_t ka_seen_ = 0; // tick of the last activity
    bool ka_pinged_ = false;    // pinged since then

protected:
    bool ping_in_flight_ = false; // the session's own: at most one async_ping at a time
};

class keepalive_service : public net::execution_context::service {
public:
    using key_type = keepalive_service;
    static inline net::execution_context::id id;

    explicit keepalive_service(net::execution_context& ctx) : service(ctx) {}

    void add(keepalive_member& m, const net::any_io_executor& ex,
             std::chrono::steady_clock::duration idle) {
        m.ka_ = this;
        m.ka_seen_ = tick_;
        m.ka_pinged_ = false;
        m.ka_prev_ = nullptr;
        m.ka_next_ = head_;
        if (head_) head_->ka_prev_ = &m;
        head_ = &m;
        if (!timer_) timer_.emplace(ex);
        period_ = std::max<std::chrono::steady_clock::duration>(idle / ticks_per_timeout,
                                                                std::chrono::milliseconds(10));
        if (!armed_) arm();
    }

    void remove(keepalive_member& m) noexcept {
        if (m.ka_prev_) m.ka_prev_->ka_next_ = m.ka_next_;
        else head_ = m.ka_next_;
        if (m.ka_next_) m.ka_next_->ka_prev_ = m.ka_prev_;
        if (next_ == &m) next_ = m.ka_next_;
        m.ka_ = nullptr;
        m.ka_prev_ = m.ka_next_ = nullptr;
    }

    std::uint32_t tick() const noexcept { return tick_; }

private:
    static constexpr std::uint32_t ticks_per_timeout = 4;

    void shutdown() override {
        // Sessions may outlive this service's timer (their pending operations
        // are destroyed after this): unlink them all.
        while (head_) remove(*head_);
        timer_.reset();
    }

    void arm() {
        armed_ = true;
        timer_->expires_after(period_);
        timer_->async_wait([this](beast::error_code ec) {
            armed_ = false;
            if (ec) return;
            on_tick();
            if (head_) arm();
        });
    }

    void on_tick() {
        ++tick_;
        for (auto* m = head_; m; m = next_) {
            next_ = m->ka_next_; // the callbacks may not unlink m, but be safe
            std::uint32_t silent = tick_ - m->ka_seen_;
            if (m->ka_pinged_) {
                if (silent >= ticks_per_timeout) m->keepalive_expired();
            } else if (silent >= ticks_per_timeout / 2) {
                m->ka_pinged_ = true;
                m->keepalive_ping();
            }
        }
        next_ = nullptr;
    }

    std::optional<net::steady_timer> timer_;
    std::chrono::steady_clock::duration period_{};
    keepalive_member* head_ = nullptr;
    keepalive_member* next_ = nullptr; // the walk's next member (see remove)
    std::uint32_t tick_ = 0;
    bool armed_ = false;
};

inline void keepalive_member::keepalive_start(const net::any_io_executor& ex,
                                              std::chrono::steady_clock::duration idle) {
    auto& ctx = net::query(ex, net::execution::context);
    net::use_service<keepalive_service>(ctx).add(*this, ex, idle);
}
inline void keepalive_member::keepalive_seen() noexcept {
    if (!ka_) return;
    ka_seen_ = ka_->tick();
    ka_pinged_ = false;
}
inline void keepalive_member::keepalive_stop() noexcept {
    if (ka_) ka_->remove(*this);
}

// Asio allocates an operation through its per-thread cache when the handler's
// allocator is std::allocator (the default): a cached block is reused if it is
// large enough, however large it is. A long-lived operation (the idle read)
// then keeps a block left over from a larger, short-lived one (the upgrade's
// writes) for as long as the connection waits. Any other allocator type is
// used as it is: the operation gets a block of its own size.
template <class T> struct exact_allocator {
    using value_type = T;
    exact_allocator() noexcept = default;
    template <class U> exact_allocator(const exact_allocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>().deallocate(p, n); }
    template <class U> bool operator==(const exact_allocator<U>&) const noexcept { return true; }
    template <class U> bool operator!=(const exact_allocator<U>&) const noexcept { return false; }
};

template <class Stream>
class ws_session : public connection_sink,
                   public keepalive_member,
                   public std::enable_shared_from_this<ws_session<Stream>> {
public:
    ws_session(services& svc, Stream&& stream, address_limits::slot slot)
        : svc_(svc), ws_(ws_next_layer<Stream>::take(std::move(stream))), slot_(std::move(slot)) {}
    ~ws_session() { keepalive_stop(); }

    void run(http_request upgrade) {
        // Beast's per-stream timer replaces the HTTP one.
        if constexpr (!std::is_same_v<Stream, plain_stream>) beast::get_lowest_layer(ws_).expires_never();
        // Beast's timer covers the handshake and the closing handshake; idle
        // connections are pinged and timed out by keepalive_service.
        websocket::stream_base::timeout t{};
        t.handshake_timeout = std::chrono::seconds(10);
        t.idle_timeout = websocket::stream_base::none();
        t.keep_alive_pings = false;
        ws_.set_option(t);
        // Runs inside our own reads: `this` outlives them.
        ws_.control_callback(
            [this](websocket::frame_type, beast::string_view) { keepalive_seen(); });
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& res) { res.set(http::field::server, "peerline"); }));
        // The largest frame we accept at all; control frames have a lower
        // limit checked by the decoder, which answers with a typed error.
        ws_.read_message_max(std::max(svc_.cfg.limits.max_relay_frame_bytes,
                                      svc_.cfg.limits.max_control_frame_bytes));
        ws_.auto_fragment(false);
        ws_.async_accept(upgrade, beast::bind_front_handler(&ws_session::on_accept,
                                                            this->shared_from_this()));
    }

    // --- connection_sink (session executor) ---
    void send_text(std::shared_ptr<const std::string> text) override {
        enqueue(std::move(text), false);
    }
    void send_binary(std::shared_ptr<const std::string> frame) override {
        enqueue(std::move(frame), true);
    }
    void close(std::uint16_t code, std::string reason) override {
        if (closing_) return;
        closing_ = true;
        // Only a closing connection needs Beast's close_reason (~130 bytes).
        close_reason_ = std::make_unique<websocket::close_reason>(code);
        close_reason_->reason = reason;
        if (!writing_) do_close();
    }
    bool count_as_authenticated() override { return slot_.promote(); }

private:
    struct outgoing {
        std::shared_ptr<const std::string> data;
        bool binary;
    };

    void on_accept(beast::error_code ec) {
        if (ec) {
            log::debug("ws_accept_failed", {{"error", ec.message()}});
            return;
        }
        svc_.counters->websocket_sessions.fetch_add(1, std::memory_order_relaxed);
        counted_ = true;
        logic_ = std::make_shared<client_session>(svc_, ws_.get_executor(),
                                                  this->weak_from_this());
        logic_->on_open();
        if (svc_.cfg.idle_timeout.count() > 0) keepalive_start(ws_.get_executor(), svc_.cfg.idle_timeout);
        do_read();
    }

    // --- keepalive_member ---
    void keepalive_ping() override {
        if (closing_ || closed_ || ping_in_flight_) return;
        ping_in_flight_ = true;
        ws_.async_ping(websocket::ping_data(), [self = this->shared_from_this()](beast::error_code) {
            self->ping_in_flight_ = false;
        });
    }
    void keepalive_expired() override {
        if (closed_) return;
        log::debug("ws_idle_timeout");
        beast::error_code ignored;
        socket().shutdown(tcp::socket::shutdown_both, ignored);
        socket().close(ignored); // the pending read fails and finishes
    }

    // A read waits with its buffer already prepared (Beast sizes it at
    // 1.5 KiB), and most connections spend most of their time waiting. Out
    // of a conversation, messages are few: the wait is an async_read_some
    // into a 4-byte buffer inside the session (one Beast operation, no
    // dynamic buffer, allocated with its own size: see exact_allocator), the
    // rest of the message is then read into a flat buffer that exists only
    // until the message is handled. In a conversation the flat buffer is
    // kept and each message is one read.
    void do_read() {
        if (logic_->relaying()) return read_more();
        ws_.async_read_some(
            net::buffer(idle_buf_),
            net::bind_allocator(exact_allocator<void>(),
                                [self = this->shared_from_this()](beast::error_code ec,
                                                                  std::size_t n) {
                                    self->on_read_start(ec, n);
                                }));
    }

    // In a conversation: Beast's frame-level read straight into the kept
    // buffer, looping until the message is whole. A relay frame is one
    // WebSocket frame, so a message of up to ~1.5 KiB (Beast's first read
    // size) is one read, and no message needs the message-level operation
    // async_read wraps around it (one composed
    // operation fewer per frame: its work guard, its weak_ptr lock and the
    // moves of the nested operation state). Beast still enforces
    // read_message_max in the frame-level read.
    void read_more() {
        auto& b = buffer();
        ws_.async_read_some(b.prepare(ws_.read_size_hint(b)),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                                self->on_read_more(ec, n);
                            });
    }

    void on_read_more(beast::error_code ec, std::size_t n) {
        if (ec) return on_read(ec);
        buffer_->commit(n);
        if (ws_.is_message_done()) return on_read(ec);
        keepalive_seen();
        read_more();
    }

    void on_read_start(beast::error_code ec, std::size_t n) {
        if (ec) return on_read(ec);
        keepalive_seen();
        if (ws_.is_message_done()) return deliver(std::string_view(idle_buf_.data(), n));
        auto& b = buffer();
        auto out = b.prepare(n);
        std::memcpy(out.data(), idle_buf_.data(), n);
        b.commit(n);
        ws_.async_read(b, [self = this->shared_from_this()](beast::error_code e,
                                                                  std::size_t) {
            self->on_read(e);
        });
    }

    void on_read(beast::error_code ec) {
        if (ec) {
            if (ec == websocket::error::message_too_big)
                log::info("ws_frame_too_large_closed");
            else if (ec != websocket::error::closed && ec != net::error::operation_aborted)
                log::debug("ws_read_ended", {{"error", ec.message()}});
            finish();
            return;
        }
        auto data = buffer_->cdata();
        deliver(std::string_view(static_cast<const char*>(data.data()), data.size()));
    }

    void deliver(std::string_view frame) {
        keepalive_seen();
        if (ws_.got_text())
            logic_->on_text(frame);
        else
            logic_->on_binary(frame);
        if (!logic_->relaying())
            buffer_.reset(); // out of a conversation, nothing is kept between messages
        else if (buffer_)
            buffer_->consume(buffer_->size());
        if (!closed_) do_read();
    }

    void enqueue(std::shared_ptr<const std::string> data, bool binary) {
        if (closing_ || closed_) return;
        std::size_t queued = queued_bytes_ + data->size();
        if (queued > svc_.cfg.max_outgoing_bytes || queued > max_queued_bytes) {
            // A reader this slow would grow our memory without bound or stall
            // its partner: drop the connection (it is not reading anyway).
            log::info("ws_slow_consumer_disconnected", {{"queued_bytes", queued}});
            svc_.counters->slow_consumers_dropped.fetch_add(1, std::memory_order_relaxed);
            drop_queue();
            beast::error_code ignored;
            socket().shutdown(tcp::socket::shutdown_both, ignored);
            socket().close(ignored);
            return;
        }
        queued_bytes_ = static_cast<std::uint32_t>(queued);
        queue_.push_back({std::move(data), binary});
        if (!writing_) do_write();
    }

    auto& socket() {
        if constexpr (std::is_same_v<Stream, plain_stream>)
            return ws_.next_layer();
        else
            return beast::get_lowest_layer(ws_).socket();
    }

    void drop_queue() {
        queue_.clear();
        head_ = 0;
        queued_bytes_ = 0;
    }

    void do_write() {
        writing_ = true;
        auto& next = queue_[head_];
        ws_.binary(next.binary);
        ws_.async_write(net::buffer(*next.data),
                        beast::bind_front_handler(&ws_session::on_write, this->shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t) {
        writing_ = false;
        if (ec) {
            drop_queue();
            return; // the read side sees the failure and finishes
        }
        if (head_ < queue_.size()) {
            queued_bytes_ -= static_cast<std::uint32_t>(queue_[head_].data->size());
            queue_[head_].data.reset();
            ++head_;
        }
        if (head_ < queue_.size()) {
            do_write();
            return;
        }
        // Drained: in a conversation, reuse the vector's storage (a deque
        // would keep a 512-byte block even when empty) unless a burst made it
        // large; out of one, free it (an idle connection keeps nothing).
        queue_.clear();
        head_ = 0;
        if (queue_.capacity() > 64 || !(logic_ && logic_->relaying()))
            std::vector<outgoing>().swap(queue_);
        if (closing_) do_close();
    }

    void do_close() {
        ws_.async_close(*close_reason_, [self = this->shared_from_this()](beast::error_code) {});
    }

    void finish() {
        if (closed_) return;
        closed_ = true;
        keepalive_stop();
        if (counted_) svc_.counters->websocket_sessions.fetch_sub(1, std::memory_order_relaxed);
        if (logic_) logic_->on_closed();
    }

    // The idle wait's buffer (see do_read): the first bytes of the next
    // message; Beast keeps the rest in its own read buffer until asked.
    static constexpr std::size_t idle_read_bytes = 4;
    // queued_bytes_ is 32 bits (--max-outgoing-bytes beyond 4 GiB acts as 4 GiB).
    static constexpr std::size_t max_queued_bytes = std::numeric_limits<std::uint32_t>::max();

    beast::flat_buffer& buffer() {
        if (!buffer_) buffer_ = std::make_unique<beast::flat_buffer>();
        return *buffer_;
    }

    services& svc_;
    // deflateSupported = false: the server never enables permessage-deflate
    // (Beast's default leaves it off), and without it Beast's per-stream
    // state drops the deflate options and offer (~70 bytes per connection).
    websocket::stream<typename ws_next_layer<Stream>::type, false> ws_;
    address_limits::slot slot_;
    std::unique_ptr<beast::flat_buffer> buffer_; // while a message is read into it
    std::shared_ptr<client_session> logic_;
    std::vector<outgoing> queue_; // queue_[head_] is being written
    std::unique_ptr<websocket::close_reason> close_reason_; // set by close()
    std::uint32_t head_ = 0;
    std::uint32_t queued_bytes_ = 0;
    bool writing_ = false;
    bool closing_ = false;
    bool closed_ = false;
    bool counted_ = false;
    std::array<char, idle_read_bytes> idle_buf_;
};

} // namespace

template <class Stream>
void run_ws_session(services& svc, Stream stream, http_request upgrade,
                    address_limits::slot slot) {
    std::make_shared<ws_session<Stream>>(svc, std::move(stream), std::move(slot))
        ->run(std::move(upgrade));
}

template void run_ws_session<plain_stream>(services&, plain_stream, http_request,
                                           address_limits::slot);
template void run_ws_session<tls_stream>(services&, tls_stream, http_request,
                                         address_limits::slot);

} // namespace peerline
