#include "net/ws_session.hpp"

#include "core/log.hpp"
#include "domain/client_session.hpp"
#include "domain/connection_sink.hpp"
#include "domain/services.hpp"

#include <array>
#include <cstring>
#include <deque>
#include <span>
#include <vector>

namespace peerline {

namespace {

// ---------------------------------------------------------------------------
// Plain connections (no TLS): Beast answers the upgrade, then the session
// speaks RFC 6455 on the socket itself. Why not Beast for the frames too:
//  - memory: an idle Beast stream holds ~2.5 KB of state plus a prepared
//    read buffer and a pending composed read; here an idle session is the
//    socket, a few flags, one pending readiness wait and one keep-alive
//    timer;
//  - system calls: every readable socket is read once into a per-thread
//    64 KiB buffer (all frames the kernel holds, parsed in place), and every
//    message queued for a connection during one turn of the event loop goes
//    out in one gathered write (Beast writes one message per send).
// TLS connections keep the Beast session below (same behaviour, not tuned).
//
// What the session does as a server endpoint (RFC 6455 section 5):
// client frames must be masked; RSV bits must be 0 (no extensions are
// negotiated: permessage-deflate is never offered); fragmented messages are
// reassembled; control frames (<= 125 bytes, never fragmented) may come in
// between; pings are answered with pongs; a close frame is echoed and the
// connection torn down; text messages must be UTF-8. A message over the
// limit closes with 1009, a protocol violation with 1002, bad UTF-8 with 1007
// (the codes Beast used). Keep-alive: with no data received for half the
// idle timeout a ping goes out; nothing for a full one closes the connection.
// ---------------------------------------------------------------------------

constexpr std::size_t read_chunk = 64 * 1024;
constexpr std::uint16_t close_protocol_error = 1002;
constexpr std::uint16_t close_bad_payload = 1007;
constexpr std::uint16_t close_too_big = 1009;
constexpr auto close_handshake_timeout = std::chrono::seconds(10);

enum : std::uint8_t {
    op_cont = 0x0,
    op_text = 0x1,
    op_binary = 0x2,
    op_close = 0x8,
    op_ping = 0x9,
    op_pong = 0xA,
};

// The event loop's read buffer: one per I/O thread, only touched between a
// read and the end of its parsing (nothing keeps a pointer into it).
unsigned char* read_scratch() {
    thread_local std::unique_ptr<unsigned char[]> buf(new unsigned char[read_chunk]);
    return buf.get();
}

bool valid_utf8(const unsigned char* s, std::size_t n) {
    std::size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        std::uint32_t cp;
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i < len) return false;
        for (std::size_t k = 1; k < len; ++k) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

bool valid_close_code(std::uint16_t c) {
    if (c >= 3000 && c <= 4999) return true;
    switch (c) {
    case 1000: case 1001: case 1002: case 1003: case 1007: case 1008:
    case 1009: case 1010: case 1011: case 1012: case 1013:
        return true;
    default:
        return false;
    }
}

void unmask(unsigned char* p, std::size_t n, const unsigned char key[4]) {
    std::uint32_t k;
    std::memcpy(&k, key, 4);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        w ^= (static_cast<std::uint64_t>(k) << 32) | k;
        std::memcpy(p + i, &w, 8);
    }
    for (; i < n; ++i) p[i] ^= key[i & 3];
}

class raw_ws_session : public connection_sink,
                       public std::enable_shared_from_this<raw_ws_session> {
public:
    raw_ws_session(services& svc, tcp::socket socket, std::unique_ptr<address_limits::slot> slot)
        : svc_(svc), socket_(std::move(socket)), slot_(std::move(slot)),
          timer_(socket_.get_executor()) {}

    // After the handshake (Beast wrote the 101 response).
    void start() {
        beast::error_code ec;
        socket_.non_blocking(true, ec);
        if (ec) {
            log::debug("ws_read_ended", {{"error", ec.message()}});
            return;
        }
        svc_.counters->websocket_sessions.fetch_add(1, std::memory_order_relaxed);
        counted_ = true;
        logic_ = std::make_shared<client_session>(svc_, socket_.get_executor(), weak_from_this());
        logic_->on_open();
        arm_keepalive();
        wait_readable();
    }

    // --- connection_sink (session executor) ---
    void send_text(std::shared_ptr<const std::string> text) override {
        enqueue_data(std::move(text), op_text);
    }
    void send_binary(std::shared_ptr<const std::string> frame) override {
        enqueue_data(std::move(frame), op_binary);
    }
    void close(std::uint16_t code, std::string reason) override {
        if (closing_ || close_sent_ || closed_) return;
        closing_ = true;
        send_close(code, reason);
        // The client has this long to answer our close frame.
        set_timer(close_handshake_timeout);
    }

private:
    struct outgoing {
        std::shared_ptr<const std::string> data;
        std::array<unsigned char, 10> header;
        std::uint8_t header_len;
        bool counted; // in queued_bytes_
    };

    // ---- reading ----

    void wait_readable() {
        socket_.async_wait(tcp::socket::wait_read,
                           [self = shared_from_this()](beast::error_code ec) { self->on_readable(ec); });
    }

    void on_readable(beast::error_code ec) {
        if (ec) {
            if (ec != net::error::operation_aborted) log::debug("ws_read_ended", {{"error", ec.message()}});
            return read_failed();
        }
        auto* buf = read_scratch();
        // Read what the kernel holds (a short read means it is drained: the
        // reactor is edge-triggered and reports data that arrives later). A
        // connection that keeps the buffer full yields to the others after
        // a few rounds.
        for (int round = 0; round < 4; ++round) {
            std::size_t n = socket_.read_some(net::buffer(buf, read_chunk), ec);
            if (ec == net::error::would_block || ec == net::error::try_again) break;
            if (ec) {
                if (ec != net::error::eof && ec != net::error::operation_aborted)
                    log::debug("ws_read_ended", {{"error", ec.message()}});
                return read_failed();
            }
            received_ = true;
            if (!consume(buf, n) || read_stopped_) return;
            if (n < read_chunk) break;
            if (round == 3) {
                net::post(socket_.get_executor(),
                          [self = shared_from_this()] { self->on_readable({}); });
                return;
            }
        }
        wait_readable();
    }

    // Parses frames from new bytes (with any partial frame kept from the
    // previous read). false: reading is over.
    bool consume(unsigned char* data, std::size_t n) {
        if (pending_.empty()) {
            std::size_t used = 0;
            if (!parse(data, n, used)) return false;
            if (used < n) pending_.assign(reinterpret_cast<char*>(data + used), n - used);
            return true;
        }
        pending_.append(reinterpret_cast<char*>(data), n);
        std::size_t used = 0;
        if (!parse(reinterpret_cast<unsigned char*>(pending_.data()), pending_.size(), used))
            return false;
        if (used == pending_.size()) {
            // Do not keep a large buffer for an idle connection.
            if (pending_.capacity() > 4096) std::string().swap(pending_);
            else pending_.clear();
        } else {
            pending_.erase(0, used);
        }
        return true;
    }

    std::size_t max_message() const {
        return std::max(svc_.cfg.limits.max_relay_frame_bytes, svc_.cfg.limits.max_control_frame_bytes);
    }

    bool parse(unsigned char* p, std::size_t n, std::size_t& used) {
        while (n - used >= 2) {
            unsigned char* f = p + used;
            std::size_t avail = n - used;
            bool fin = f[0] & 0x80;
            std::uint8_t op = f[0] & 0x0F;
            bool masked = f[1] & 0x80;
            std::uint64_t len = f[1] & 0x7F;
            std::size_t hlen = 2;
            if (f[0] & 0x70) return fail(close_protocol_error, "reserved bits set");
            if (!masked) return fail(close_protocol_error, "unmasked client frame");
            if (len == 126) {
                if (avail < 4) break;
                len = (std::uint64_t(f[2]) << 8) | f[3];
                hlen = 4;
                if (len < 126) return fail(close_protocol_error, "bad length");
            } else if (len == 127) {
                if (avail < 10) break;
                len = 0;
                for (int i = 0; i < 8; ++i) len = (len << 8) | f[2 + i];
                hlen = 10;
                if (len >> 63) return fail(close_protocol_error, "bad length");
                if (len < 65536) return fail(close_protocol_error, "bad length");
            }
            bool control = op & 0x08;
            if (control) {
                if (!fin || len > 125) return fail(close_protocol_error, "bad control frame");
                if (op != op_close && op != op_ping && op != op_pong)
                    return fail(close_protocol_error, "bad opcode");
            } else {
                if (op != op_cont && op != op_text && op != op_binary)
                    return fail(close_protocol_error, "bad opcode");
                if (op == op_cont && !in_message_) return fail(close_protocol_error, "bad continuation");
                if (op != op_cont && in_message_) return fail(close_protocol_error, "expected continuation");
                std::uint64_t total = (op == op_cont ? message_.size() : 0) + len;
                if (total > max_message()) return too_big();
            }
            if (avail < hlen + 4 + len) break; // the rest of this frame is still to come
            unsigned char* key = f + hlen;
            unsigned char* payload = key + 4;
            auto plen = static_cast<std::size_t>(len);
            unmask(payload, plen, key);
            used += hlen + 4 + plen;
            if (control) {
                if (!on_control(op, payload, plen)) return false;
            } else if (op == op_cont) {
                message_.append(reinterpret_cast<char*>(payload), plen);
                if (fin) {
                    in_message_ = false;
                    bool ok = deliver(message_opcode_, reinterpret_cast<unsigned char*>(message_.data()),
                                      message_.size());
                    if (message_.capacity() > 4096) std::string().swap(message_);
                    else message_.clear();
                    if (!ok) return false;
                }
            } else if (fin) {
                if (!deliver(op, payload, plen)) return false;
            } else {
                in_message_ = true;
                message_opcode_ = op;
                message_.assign(reinterpret_cast<char*>(payload), plen);
            }
            if (read_stopped_) return false;
        }
        return true;
    }

    bool deliver(std::uint8_t op, const unsigned char* p, std::size_t n) {
        if (closed_) return false;
        std::string_view frame(reinterpret_cast<const char*>(p), n);
        if (op == op_text) {
            if (!valid_utf8(p, n)) return fail(close_bad_payload, "invalid utf-8");
            logic_->on_text(frame);
        } else {
            logic_->on_binary(frame);
        }
        return !closed_;
    }

    bool on_control(std::uint8_t op, const unsigned char* p, std::size_t n) {
        if (op == op_ping) {
            if (!close_sent_) enqueue_control(op_pong, std::string(reinterpret_cast<const char*>(p), n));
            return true;
        }
        if (op == op_pong) return true;
        // Close.
        if (n == 1) return fail(close_protocol_error, "bad close frame");
        if (n >= 2) {
            std::uint16_t code = static_cast<std::uint16_t>((p[0] << 8) | p[1]);
            if (!valid_close_code(code)) return fail(close_protocol_error, "bad close code");
            if (!valid_utf8(p + 2, n - 2)) return fail(close_bad_payload, "bad close reason");
        }
        if (!close_sent_) {
            // Echo it; the connection is torn down once it is written.
            close_sent_ = true;
            enqueue_control(op_close, std::string(reinterpret_cast<const char*>(p), n));
        }
        teardown_after_write_ = true;
        read_stopped_ = true;
        finish();
        if (!writing_ && !flush_posted_) flush();
        return false;
    }

    bool too_big() {
        log::info("ws_frame_too_large_closed");
        fail_connection(close_too_big);
        return false;
    }

    bool fail(std::uint16_t code, const char* why) {
        log::debug("ws_read_ended", {{"error", why}});
        fail_connection(code);
        return false;
    }

    // Sends a close frame with `code`, tears the connection down after it
    // and reads no further.
    void fail_connection(std::uint16_t code) {
        read_stopped_ = true;
        if (!close_sent_) send_close(code, "");
        teardown_after_write_ = true;
        finish();
        if (!writing_ && !flush_posted_) flush();
    }

    void read_failed() {
        read_stopped_ = true;
        finish();
        beast::error_code ignored;
        timer_.cancel();
        socket_.close(ignored);
    }

    // ---- writing ----

    void send_close(std::uint16_t code, const std::string& reason) {
        close_sent_ = true;
        std::string payload;
        payload.push_back(static_cast<char>(code >> 8));
        payload.push_back(static_cast<char>(code & 0xFF));
        payload.append(reason, 0, std::min<std::size_t>(reason.size(), 123));
        enqueue_control(op_close, std::move(payload));
    }

    void enqueue_data(std::shared_ptr<const std::string> data, std::uint8_t op) {
        if (closing_ || close_sent_ || closed_) return;
        queued_bytes_ += data->size();
        if (queued_bytes_ > svc_.cfg.max_outgoing_bytes) {
            // A reader this slow would grow our memory without bound or stall
            // its partner: drop the connection (it is not reading anyway).
            log::info("ws_slow_consumer_disconnected", {{"queued_bytes", queued_bytes_}});
            svc_.counters->slow_consumers_dropped.fetch_add(1, std::memory_order_relaxed);
            queue_.clear();
            head_ = 0;
            front_written_ = 0;
            queued_bytes_ = 0;
            beast::error_code ignored;
            socket_.shutdown(tcp::socket::shutdown_both, ignored);
            socket_.close(ignored);
            return;
        }
        push(std::move(data), op, true);
    }

    void enqueue_control(std::uint8_t op, std::string payload) {
        if (!socket_.is_open()) return;
        push(std::make_shared<const std::string>(std::move(payload)), op, false);
    }

    void push(std::shared_ptr<const std::string> data, std::uint8_t op, bool counted) {
        outgoing o{std::move(data), {}, 0, counted};
        std::size_t len = o.data->size();
        o.header[0] = static_cast<unsigned char>(0x80 | op);
        if (len < 126) {
            o.header[1] = static_cast<unsigned char>(len);
            o.header_len = 2;
        } else if (len < 65536) {
            o.header[1] = 126;
            o.header[2] = static_cast<unsigned char>(len >> 8);
            o.header[3] = static_cast<unsigned char>(len & 0xFF);
            o.header_len = 4;
        } else {
            o.header[1] = 127;
            for (int i = 0; i < 8; ++i)
                o.header[2 + i] = static_cast<unsigned char>((static_cast<std::uint64_t>(len) >> (56 - 8 * i)) & 0xFF);
            o.header_len = 10;
        }
        queue_.push_back(std::move(o));
        schedule_flush();
    }

    // Everything queued during this turn of the event loop goes out together.
    void schedule_flush() {
        if (writing_ || flush_posted_) return;
        flush_posted_ = true;
        net::post(socket_.get_executor(), [self = shared_from_this()] {
            self->flush_posted_ = false;
            self->flush();
        });
    }

    void flush() {
        if (writing_) return;
        while (head_ < queue_.size()) {
            if (!socket_.is_open()) return drop_queue();
            std::array<net::const_buffer, 64> bufs;
            std::size_t nb = 0, total = 0;
            std::size_t skip = front_written_;
            for (std::size_t i = head_; i < queue_.size() && nb + 2 <= bufs.size(); ++i) {
                auto& o = queue_[i];
                net::const_buffer parts[2] = {net::buffer(o.header.data(), o.header_len),
                                              net::buffer(*o.data)};
                for (auto& b : parts) {
                    if (skip >= b.size()) {
                        skip -= b.size();
                        continue;
                    }
                    b += skip;
                    skip = 0;
                    if (b.size() == 0) continue;
                    bufs[nb++] = b;
                    total += b.size();
                }
            }
            beast::error_code ec;
            std::size_t n = total == 0 ? 0 : socket_.write_some(std::span(bufs.data(), nb), ec);
            if (ec == net::error::would_block || ec == net::error::try_again) return wait_writable();
            if (ec) return write_failed();
            advance(n);
            if (n < total) return wait_writable();
        }
        queue_.clear();
        head_ = 0;
        front_written_ = 0;
        if (queue_.capacity() > 64) std::vector<outgoing>().swap(queue_);
        if (teardown_after_write_) teardown();
    }

    void advance(std::size_t n) {
        while (n > 0 && head_ < queue_.size()) {
            auto& o = queue_[head_];
            std::size_t size = o.header_len + o.data->size();
            std::size_t left = size - front_written_;
            if (n < left) {
                front_written_ += n;
                return;
            }
            n -= left;
            front_written_ = 0;
            if (o.counted) queued_bytes_ -= o.data->size();
            o.data.reset();
            ++head_;
        }
    }

    void wait_writable() {
        writing_ = true;
        socket_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](beast::error_code ec) {
            self->writing_ = false;
            if (ec) return self->write_failed();
            self->flush();
        });
    }

    void write_failed() {
        drop_queue();
        // The read side sees the failure and finishes; a session that no
        // longer reads is closed here.
        if (read_stopped_) {
            beast::error_code ignored;
            timer_.cancel();
            socket_.close(ignored);
        }
    }

    void drop_queue() {
        queue_.clear();
        head_ = 0;
        front_written_ = 0;
        queued_bytes_ = 0;
    }

    // After our close frame (or the echo of theirs) went out: half-close and
    // let the client close its side; the keep-alive timer closes the socket
    // if it does not.
    void teardown() {
        teardown_after_write_ = false;
        beast::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_send, ignored);
        draining_ = true;
        set_timer(std::chrono::seconds(5));
        drain();
    }

    void drain() {
        socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
            if (!ec) {
                auto* buf = read_scratch();
                for (;;) {
                    self->socket_.read_some(net::buffer(buf, read_chunk), ec);
                    if (ec) break;
                }
                if (ec == net::error::would_block || ec == net::error::try_again) return self->drain();
            }
            beast::error_code ignored;
            self->timer_.cancel();
            self->socket_.close(ignored);
        });
    }

    // ---- keep-alive ----

    void arm_keepalive() {
        auto idle = svc_.cfg.idle_timeout;
        if (idle.count() <= 0) return;
        set_timer(std::chrono::duration_cast<std::chrono::steady_clock::duration>(idle) / 2);
    }

    // One timer per session: keep-alive ticks, then the close handshake and
    // teardown deadlines. Setting a new expiry cancels the wait in progress
    // (which then returns without acting) and starts a new one.
    void set_timer(std::chrono::steady_clock::duration d) {
        timer_.expires_after(d);
        timer_.async_wait([self = shared_from_this()](beast::error_code ec) { self->on_keepalive(ec); });
    }

    void on_keepalive(beast::error_code ec) {
        if (ec || !socket_.is_open()) return;
        if (draining_ || close_sent_) {
            // The close handshake or teardown took too long.
            beast::error_code ignored;
            socket_.close(ignored);
            return;
        }
        if (received_) {
            received_ = false;
            ping_sent_ = false;
        } else if (!ping_sent_) {
            ping_sent_ = true;
            enqueue_control(op_ping, std::string());
        } else {
            log::debug("ws_read_ended", {{"error", "idle timeout"}});
            beast::error_code ignored;
            socket_.close(ignored); // the pending wait fails and finishes
            return;
        }
        arm_keepalive();
    }

    void finish() {
        if (closed_) return;
        closed_ = true;
        if (counted_) svc_.counters->websocket_sessions.fetch_sub(1, std::memory_order_relaxed);
        if (logic_) logic_->on_closed();
    }

    services& svc_;
    tcp::socket socket_;
    std::unique_ptr<address_limits::slot> slot_;
    net::steady_timer timer_;
    std::shared_ptr<client_session> logic_;
    std::string pending_; // bytes of a frame not complete yet
    std::string message_; // a fragmented message being reassembled
    std::vector<outgoing> queue_;
    std::size_t head_ = 0;          // first unsent entry of queue_
    std::size_t front_written_ = 0; // bytes of queue_[head_] already sent
    std::size_t queued_bytes_ = 0;
    std::uint8_t message_opcode_ = 0;
    bool in_message_ = false;
    bool writing_ = false;      // waiting for the socket to take more
    bool flush_posted_ = false; // a flush is queued for this loop turn
    bool closing_ = false;      // close() called
    bool close_sent_ = false;   // a close frame is queued or sent
    bool teardown_after_write_ = false;
    bool draining_ = false;
    bool read_stopped_ = false;
    bool received_ = false; // data since the last keep-alive tick
    bool ping_sent_ = false;
    bool closed_ = false;   // logic told
    bool counted_ = false;
};

// Beast answers the upgrade request (validation, 101 response, handshake
// timeout), then hands the socket to raw_ws_session.
void accept_plain(services& svc, plain_stream stream, http_request upgrade,
                  std::unique_ptr<address_limits::slot> slot) {
    auto ws = std::make_shared<websocket::stream<tcp::socket>>(stream.release_socket());
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(10);
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    ws->set_option(t);
    ws->set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "peerline"); }));
    ws->async_accept(upgrade, [&svc, ws, slot = std::move(slot)](beast::error_code ec) mutable {
        if (ec) {
            log::debug("ws_accept_failed", {{"error", ec.message()}});
            return;
        }
        std::make_shared<raw_ws_session>(svc, std::move(ws->next_layer()), std::move(slot))->start();
    });
}

// TLS: Beast does the whole WebSocket protocol (the session as it was before
// raw_ws_session; TLS is not the benchmark's path).

template <class Stream>
class beast_ws_session : public connection_sink,
                   public std::enable_shared_from_this<beast_ws_session<Stream>> {
public:
    beast_ws_session(services& svc, Stream&& stream, std::unique_ptr<address_limits::slot> slot)
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
        ws_.async_accept(upgrade, beast::bind_front_handler(&beast_ws_session::on_accept,
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
        ws_.async_read(buffer_, beast::bind_front_handler(&beast_ws_session::on_read,
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
                        beast::bind_front_handler(&beast_ws_session::on_write, this->shared_from_this()));
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
    if constexpr (std::is_same_v<Stream, plain_stream>) {
        accept_plain(svc, std::move(stream), std::move(upgrade), std::move(slot));
    } else {
        std::make_shared<beast_ws_session<Stream>>(svc, std::move(stream), std::move(slot))
            ->run(std::move(upgrade));
    }
}

template void run_ws_session<plain_stream>(services&, plain_stream, http_request,
                                           std::unique_ptr<address_limits::slot>);
template void run_ws_session<tls_stream>(services&, tls_stream, http_request,
                                         std::unique_ptr<address_limits::slot>);

} // namespace peerline
