// A WebSocket client speaking Peerline's protocol, for tests and the load
// generator.
//
// Threading: not thread-safe. Each client owns an io_context that runs only
// inside its own calls, on the calling thread; nothing runs in the
// background. Reads are buffered: one read stays pending between calls, so a
// next_message() that timed out loses nothing and the next call picks up
// where it stopped. Every call is bounded by a timeout.
#pragma once

#include "peerline/client/endpoint.hpp"
#include "peerline/client/incoming.hpp"
#include "peerline/protocol/errors.hpp"
#include "peerline/protocol/messages.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace peerline::client {

// Thrown by the expect_* helpers when something else arrived; the message
// names what was expected and describes what came instead.
class unexpected_message : public client_error {
  public:
    using client_error::client_error;
};

// Thrown by connect() when the upgrade fails.
class handshake_error : public client_error {
  public:
    handshake_error(const std::string& what, int http_status)
        : client_error(what), http_status_(http_status) {}
    // The HTTP status of a declined upgrade (e.g. 403), or 0 when no HTTP
    // response arrived (refused, timeout, TLS failure).
    int http_status() const noexcept { return http_status_; }

  private:
    int http_status_;
};

struct connect_options {
    std::string target = "/ws";
    // Sent as the Origin header when set; native clients send none.
    std::optional<std::string> origin;
    duration timeout = default_timeout;
};

class ws_client {
  public:
    ws_client();
    ~ws_client();
    ws_client(ws_client&&) noexcept;
    ws_client& operator=(ws_client&&) noexcept;
    ws_client(const ws_client&) = delete;
    ws_client& operator=(const ws_client&) = delete;

    // Opens TCP (and TLS if ep.tls.enabled) and performs the WebSocket
    // upgrade. Throws handshake_error on any failure.
    void connect(const endpoint& ep, const connect_options& opts = {});

    // Sends a typed control message as a JSON text frame.
    void send_control(const protocol::client_message& m, duration timeout = default_timeout);
    // Sends any text frame as is (hostile-input tests).
    void send_text(std::string_view text, duration timeout = default_timeout);
    // Sends any binary frame as is.
    void send_binary(std::string_view bytes, duration timeout = default_timeout);
    // Sends one binary message as `pieces` WebSocket frames of (nearly)
    // equal size: a first frame and continuations, the last one final.
    void send_binary_fragmented(std::string_view bytes, std::size_t pieces,
                                duration timeout = default_timeout);
    // Sends protocol::make_relay_frame(channel, payload).
    void send_relay(std::uint16_t channel, std::string_view payload,
                    duration timeout = default_timeout);

    // The next frame or event, in arrival order; timed_out if nothing came.
    // After the connection ended it keeps returning the same `closed`.
    incoming next_message(duration timeout = default_timeout);

    // The next message, which must be a T (e.g. protocol::welcome); anything
    // else throws unexpected_message. Nothing is skipped.
    template <class T> T expect(duration timeout = default_timeout);
    // The next message must be an error with this code.
    protocol::error_message expect_error(protocol::error_code code,
                                         duration timeout = default_timeout);
    // The next message must be a relay frame.
    relay_frame expect_relay(duration timeout = default_timeout);
    // The next event must be the end of the connection.
    closed expect_closed(duration timeout = default_timeout);
    // Nothing may arrive for `quiet`.
    void expect_nothing(duration quiet);

    // Starts the WebSocket close handshake and waits for the end (bounded).
    void close(std::uint16_t code = 1000, duration timeout = default_timeout);

    // True between a successful connect() and the end of the connection as
    // seen by this client so far.
    bool is_open() const noexcept;

    struct impl; // Beast stream types live in the .cpp

  private:
    std::unique_ptr<impl> impl_;
};

// "welcome", "error", ...: the wire type of a server message type.
template <class T> std::string server_type_name() {
    return std::string(protocol::type_name(protocol::server_message{T{}}));
}

template <class T> T ws_client::expect(duration timeout) {
    incoming in = next_message(timeout);
    if (auto* c = std::get_if<control_frame>(&in)) {
        if (auto* m = std::get_if<T>(&c->message))
            return std::move(*m);
    }
    throw unexpected_message("expected " + server_type_name<T>() + ", got " + describe(in));
}

} // namespace peerline::client
