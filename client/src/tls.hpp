// Connection setup shared by the HTTP and WebSocket clients: TCP connect with
// a deadline, and the TLS context and handshake.
#pragma once

#include "await.hpp"
#include "peerline/client/endpoint.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <string>

namespace peerline::client::detail {

namespace beast = boost::beast;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

// A client context: verifies against ep.tls.ca_file when given, accepts any
// certificate otherwise.
net::ssl::context make_tls_context(const tls_options& tls);

// Resolves ep.host (a literal address needs no resolver) and connects.
error_code connect_tcp(net::io_context& ioc, beast::tcp_stream& stream, const endpoint& ep,
                       clock::time_point deadline);

// Sets SNI (and host name verification when a CA file is used) and performs
// the TLS client handshake.
error_code tls_handshake(net::io_context& ioc, tls_stream& stream, const endpoint& ep,
                         clock::time_point deadline);

// "connection refused", "timed out", with OpenSSL's reason for TLS errors.
std::string describe_error(const error_code& ec);

} // namespace peerline::client::detail
