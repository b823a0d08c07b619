// How a plain WebSocket connection ends after its close frame has gone out:
// stop sending, then read and discard until the peer closes or a short time
// has passed, and only then close the socket.
//
// Why this replaces Beast's own teardown for plain sockets: Beast 1.81's
// tcp teardown stops after the first successful read (it tests the
// coroutine's `bytes_transferred`, which is always 0 there, instead of what
// it just read) and closes with the peer's data still unread. The kernel
// then sends a reset, which discards our close frame from the peer's receive
// buffer: a client still sending a frame of several megabytes when it was
// refused saw a reset instead of close code 1009. Reading until the peer is
// done lets the client finish its write and read the close frame.
//
// Found by Beast through argument-dependent lookup (the customisation point
// Beast documents for `async_teardown`): this overload is more specialised
// than Beast's template for every `basic_stream_socket`, so it wins for the
// socket type the server's WebSocket sessions use.
#pragma once

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <array>
#include <chrono>
#include <memory>

namespace peerline {

// The longest a closing connection is read and discarded before it is closed
// anyway (a peer that never stops sending cannot hold the socket longer).
inline constexpr std::chrono::seconds ws_teardown_linger{3};

using ws_plain_socket =
    boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

namespace detail {

struct ws_teardown_state {
    explicit ws_teardown_state(ws_plain_socket& s) : socket(s), timer(s.get_executor()) {}
    ws_plain_socket& socket;
    boost::asio::steady_timer timer;
    bool finished = false;
    std::array<char, 2048> discard;
};

class ws_teardown_op {
public:
    ws_teardown_op(std::shared_ptr<ws_teardown_state> st, boost::beast::role_type role)
        : st_(std::move(st)), role_(role) {}

    template <class Self> void operator()(Self& self) {
        boost::system::error_code ec;
        // The server stops sending first (its close frame is out); a client
        // keeps its side open until the server has closed (RFC 6455 7.1.1).
        if (role_ == boost::beast::role_type::server)
            st_->socket.shutdown(boost::asio::socket_base::shutdown_send, ec);
        st_->timer.expires_after(ws_teardown_linger);
        st_->timer.async_wait([st = st_](boost::system::error_code e) {
            if (e || st->finished) return;
            boost::system::error_code ignored;
            st->socket.cancel(ignored); // the pending read ends, and with it the teardown
        });
        read(self);
    }

    template <class Self> void operator()(Self& self, boost::system::error_code ec, std::size_t) {
        if (!ec) return read(self); // discard what the peer still sends
        st_->finished = true;
        st_->timer.cancel();
        boost::system::error_code ignored;
        if (role_ == boost::beast::role_type::client)
            st_->socket.shutdown(boost::asio::socket_base::shutdown_send, ignored);
        st_->socket.close(ignored);
        // End of stream is the orderly end; a timeout or reset is not
        // reported as an error (the close frame has been sent either way).
        self.complete(boost::system::error_code{});
    }

private:
    template <class Self> void read(Self& self) {
        st_->socket.async_read_some(boost::asio::buffer(st_->discard), std::move(self));
    }

    std::shared_ptr<ws_teardown_state> st_;
    boost::beast::role_type role_;
};

} // namespace detail

} // namespace peerline

namespace boost::beast::websocket {

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, peerline::ws_plain_socket& socket, TeardownHandler&& handler) {
    auto st = std::make_shared<peerline::detail::ws_teardown_state>(socket);
    boost::asio::async_compose<TeardownHandler, void(boost::system::error_code)>(
        peerline::detail::ws_teardown_op(std::move(st), role), handler, socket);
}

} // namespace boost::beast::websocket
