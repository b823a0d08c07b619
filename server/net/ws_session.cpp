#include "net/ws_session.hpp"

#include "core/log.hpp"
#include "domain/client_session.hpp"
#include "domain/connection_sink.hpp"
#include "domain/services.hpp"

#include <limits>
#include <vector>

namespace peerline {

namespace {

// What the WebSocket stream runs on. Plain connections use the bare socket:
// Beast's WebSocket timeouts (handshake, idle pings) do not need tcp_stream,
// whose per-connection state (its own timers, type-erased executor copies on
// every operation) an idle connection would otherwise carry. TLS keeps the
// ssl_stream<tcp_stream> the HTTP session had.
template <class Stream> struct ws_next_layer {
    using type = Stream;
    static Stream take(Stream&& s) { return std::move(s); }
};
template <> struct ws_next_layer<plain_stream> {
    using type = tcp::socket;
    static tcp::socket take(plain_stream&& s) { return s.release_socket(); }
};

template <class Stream>
class ws_session : public connection_sink,
                   public std::enable_shared_from_this<ws_session<Stream>> {
public:
    ws_session(services& svc, Stream&& stream, std::unique_ptr<address_limits::slot> slot)
        : svc_(svc), ws_(ws_next_layer<Stream>::take(std::move(stream))), slot_(std::move(slot)) {}

    void run(http_request upgrade) {
        // Beast's per-stream timer replaces the HTTP one.
        if constexpr (!std::is_same_v<Stream, plain_stream>) beast::get_lowest_layer(ws_).expires_never();
        websocket::stream_base::timeout t{};
        t.handshake_timeout = std::chrono::seconds(10);
        t.idle_timeout = svc_.cfg.idle_timeout; // a ping goes out at half of it
        t.keep_alive_pings = true;
        ws_.set_option(t);
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
        close_reason_.code = code;
        close_reason_.reason = reason;
        if (!writing_) do_close();
    }

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
        do_read();
    }

    // A read waits with its buffer already prepared (Beast sizes it at
    // 1.5 KiB), and most connections spend most of their time waiting. Out
    // of a conversation, messages are few: the wait is done with a 64-byte
    // buffer (async_read_some) and the rest of the message, if any, is read
    // after it; the buffer is freed between messages. In a conversation the
    // buffer is kept and each message is one read.
    void do_read() {
        if (logic_->relaying()) {
            buffer_.max_size(unlimited);
            ws_.async_read(buffer_, beast::bind_front_handler(&ws_session::on_read,
                                                              this->shared_from_this()));
            return;
        }
        buffer_.max_size(idle_read_bytes);
        ws_.async_read_some(buffer_, 0, beast::bind_front_handler(&ws_session::on_read_start,
                                                                  this->shared_from_this()));
    }

    void on_read_start(beast::error_code ec, std::size_t n) {
        buffer_.max_size(unlimited);
        if (ec || ws_.is_message_done()) return on_read(ec, n);
        ws_.async_read(buffer_, beast::bind_front_handler(&ws_session::on_read,
                                                          this->shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) {
            if (ec == websocket::error::message_too_big)
                log::info("ws_frame_too_large_closed");
            else if (ec != websocket::error::closed && ec != net::error::operation_aborted)
                log::debug("ws_read_ended", {{"error", ec.message()}});
            finish();
            return;
        }
        auto data = buffer_.cdata();
        std::string_view frame(static_cast<const char*>(data.data()), data.size());
        if (ws_.got_text())
            logic_->on_text(frame);
        else
            logic_->on_binary(frame);
        buffer_.consume(buffer_.size());
        if (!logic_->relaying()) buffer_.shrink_to_fit(); // empty: frees it
        if (!closed_) do_read();
    }

    void enqueue(std::shared_ptr<const std::string> data, bool binary) {
        if (closing_ || closed_) return;
        queued_bytes_ += data->size();
        if (queued_bytes_ > svc_.cfg.max_outgoing_bytes) {
            // A reader this slow would grow our memory without bound or stall
            // its partner: drop the connection (it is not reading anyway).
            log::info("ws_slow_consumer_disconnected", {{"queued_bytes", queued_bytes_}});
            svc_.counters->slow_consumers_dropped.fetch_add(1, std::memory_order_relaxed);
            drop_queue();
            beast::error_code ignored;
            socket().shutdown(tcp::socket::shutdown_both, ignored);
            socket().close(ignored);
            return;
        }
        queue_.push_back({std::move(data), binary});
        if (!writing_) do_write();
    }

    tcp::socket& socket() {
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
            queued_bytes_ -= queue_[head_].data->size();
            queue_[head_].data.reset();
            ++head_;
        }
        if (head_ < queue_.size()) {
            do_write();
            return;
        }
        // Drained: reuse the vector's storage (a deque would keep a 512-byte
        // block even when empty), unless a burst made it large.
        queue_.clear();
        head_ = 0;
        if (queue_.capacity() > 64) std::vector<outgoing>().swap(queue_);
        if (closing_) do_close();
    }

    void do_close() {
        ws_.async_close(close_reason_, [self = this->shared_from_this()](beast::error_code) {});
    }

    void finish() {
        if (closed_) return;
        closed_ = true;
        if (counted_) svc_.counters->websocket_sessions.fetch_sub(1, std::memory_order_relaxed);
        if (logic_) logic_->on_closed();
    }

    static constexpr std::size_t idle_read_bytes = 64;
    static constexpr std::size_t unlimited = std::numeric_limits<std::size_t>::max();

    services& svc_;
    websocket::stream<typename ws_next_layer<Stream>::type> ws_;
    std::unique_ptr<address_limits::slot> slot_;
    beast::flat_buffer buffer_;
    std::shared_ptr<client_session> logic_;
    std::vector<outgoing> queue_; // queue_[head_] is being written
    std::size_t head_ = 0;
    std::size_t queued_bytes_ = 0;
    bool writing_ = false;
    bool closing_ = false;
    bool closed_ = false;
    bool counted_ = false;
    websocket::close_reason close_reason_;
};

} // namespace

template <class Stream>
void run_ws_session(services& svc, Stream stream, http_request upgrade,
                    std::unique_ptr<address_limits::slot> slot) {
    std::make_shared<ws_session<Stream>>(svc, std::move(stream), std::move(slot))
        ->run(std::move(upgrade));
}

template void run_ws_session<plain_stream>(services&, plain_stream, http_request,
                                           std::unique_ptr<address_limits::slot>);
template void run_ws_session<tls_stream>(services&, tls_stream, http_request,
                                         std::unique_ptr<address_limits::slot>);

} // namespace peerline
