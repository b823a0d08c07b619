#include "net/ws_session.hpp"

#include "core/log.hpp"
#include "domain/client_session.hpp"
#include "domain/connection_sink.hpp"
#include "domain/services.hpp"

#include <deque>

namespace peerline {

namespace {

template <class Stream>
class ws_session : public connection_sink,
                   public std::enable_shared_from_this<ws_session<Stream>> {
public:
    ws_session(services& svc, Stream&& stream, std::unique_ptr<address_limits::slot> slot)
        : svc_(svc), ws_(std::move(stream)), slot_(std::move(slot)) {}

    void run(http_request upgrade) {
        // Beast's per-stream timer replaces the HTTP one.
        beast::get_lowest_layer(ws_).expires_never();
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

    void do_read() {
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
            queue_.clear();
            queued_bytes_ = 0;
            beast::error_code ignored;
            beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
            beast::get_lowest_layer(ws_).close();
            return;
        }
        queue_.push_back({std::move(data), binary});
        if (!writing_) do_write();
    }

    void do_write() {
        writing_ = true;
        auto& next = queue_.front();
        ws_.binary(next.binary);
        ws_.async_write(net::buffer(*next.data),
                        beast::bind_front_handler(&ws_session::on_write, this->shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t) {
        writing_ = false;
        if (ec) {
            queue_.clear();
            queued_bytes_ = 0;
            return; // the read side sees the failure and finishes
        }
        if (!queue_.empty()) {
            queued_bytes_ -= queue_.front().data->size();
            queue_.pop_front();
        }
        if (!queue_.empty()) {
            do_write();
        } else if (closing_) {
            do_close();
        }
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

    services& svc_;
    websocket::stream<Stream> ws_;
    std::unique_ptr<address_limits::slot> slot_;
    beast::flat_buffer buffer_;
    std::shared_ptr<client_session> logic_;
    std::deque<outgoing> queue_;
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
