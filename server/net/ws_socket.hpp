// The socket a plain WebSocket runs on, and how an upgraded HTTP stream is
// turned into it (ws_session's next layer).
#pragma once

#include "net/beast.hpp"
#include "net/ws_teardown.hpp"

#include <unistd.h>

#include <utility>

namespace peerline {

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

} // namespace peerline
