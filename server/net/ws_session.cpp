#include "net/ws_session.hpp"

#include "core/log.hpp"
#include "domain/client_session.hpp"
#include "domain/connection_sink.hpp"
#include "domain/services.hpp"
#include "net/exact_allocator.hpp"
#include "net/keepalive.hpp"
#include "net/ws_socket.hpp"

#include <array>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

namespace peerline {

namespace {

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
