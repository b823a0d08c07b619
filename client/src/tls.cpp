// See tls.hpp.
#include "tls.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace peerline::client::detail {

using tcp = net::ip::tcp;

net::ssl::context make_tls_context(const tls_options& tls) {
    net::ssl::context ctx(net::ssl::context::tls_client);
    if (tls.ca_file.empty()) {
        ctx.set_verify_mode(net::ssl::verify_none);
    } else {
        ctx.load_verify_file(tls.ca_file);
        ctx.set_verify_mode(net::ssl::verify_peer);
    }
    return ctx;
}

error_code connect_tcp(net::io_context& ioc, beast::tcp_stream& stream, const endpoint& ep,
                       clock::time_point deadline) {
    error_code ec;
    auto address = net::ip::make_address(ep.host, ec);
    if (!ec) {
        tcp::endpoint target(address, ep.port);
        return await(
            ioc, deadline, [&](auto done) { stream.socket().async_connect(target, done); },
            [&] { stream.socket().close(); });
    }
    tcp::resolver resolver(ioc);
    tcp::resolver::results_type results;
    ec = await(
        ioc, deadline,
        [&](auto done) {
            resolver.async_resolve(ep.host, std::to_string(ep.port),
                                   [&results, done](error_code e, tcp::resolver::results_type r) {
                                       results = std::move(r);
                                       done(e);
                                   });
        },
        [&] { resolver.cancel(); });
    if (ec)
        return ec;
    return await(
        ioc, deadline, [&](auto done) { net::async_connect(stream.socket(), results, done); },
        [&] { stream.socket().close(); });
}

error_code tls_handshake(net::io_context& ioc, tls_stream& stream, const endpoint& ep,
                         clock::time_point deadline) {
    const std::string& name = ep.tls.server_name.empty() ? ep.host : ep.tls.server_name;
    // SNI must be a host name, not an address literal.
    error_code parse_ec;
    net::ip::make_address(name, parse_ec);
    if (parse_ec && !SSL_set_tlsext_host_name(stream.native_handle(), name.c_str())) {
        return error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category());
    }
    if (!ep.tls.ca_file.empty())
        stream.set_verify_callback(net::ssl::host_name_verification(name));
    return await(
        ioc, deadline,
        [&](auto done) { stream.async_handshake(net::ssl::stream_base::client, done); },
        [&] { beast::get_lowest_layer(stream).socket().close(); });
}

std::string describe_error(const error_code& ec) {
    std::string text = ec.message();
    if (ec.category() == net::error::get_ssl_category()) {
        text += " (TLS)";
    }
    return text;
}

} // namespace peerline::client::detail
