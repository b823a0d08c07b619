#include "net/http_fetch.hpp"

#include "net/beast.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace peerline {

std::optional<origin> origin::parse(std::string_view url, std::string& error) {
    origin o;
    if (url.rfind("http://", 0) == 0) {
        url.remove_prefix(7);
    } else if (url.rfind("https://", 0) == 0) {
        o.tls = true;
        url.remove_prefix(8);
    } else {
        error = "the URL must start with http:// or https://";
        return std::nullopt;
    }
    auto slash = url.find('/');
    auto authority = url.substr(0, slash);
    if (slash != std::string_view::npos && url.substr(slash) != "/") {
        error = "give the service's address without a path (Peerline is served at the root of its origin)";
        return std::nullopt;
    }
    if (authority.empty() || authority.find('@') != std::string_view::npos) {
        error = "the URL has no host, or has user information";
        return std::nullopt;
    }
    auto colon = authority.rfind(':');
    if (authority.front() == '[') { // [IPv6]:port
        auto close = authority.find(']');
        if (close == std::string_view::npos) {
            error = "unclosed [ in the host";
            return std::nullopt;
        }
        o.host = std::string(authority.substr(1, close - 1));
        colon = authority.size() > close + 1 && authority[close + 1] == ':' ? close + 1 : std::string_view::npos;
    } else {
        o.host = std::string(authority.substr(0, colon));
    }
    o.port = colon == std::string_view::npos ? (o.tls ? "443" : "80") : std::string(authority.substr(colon + 1));
    if (o.host.empty() || o.port.empty() ||
        !std::all_of(o.port.begin(), o.port.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        error = "the URL's host or port is not valid";
        return std::nullopt;
    }
    return o;
}

std::string origin::text() const {
    bool default_port = port == (tls ? "443" : "80");
    auto h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return std::string(tls ? "https://" : "http://") + h + (default_port ? "" : ":" + port);
}

std::string fetched::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

namespace {

std::string host_header(const origin& at) {
    auto h = at.host.find(':') != std::string::npos ? "[" + at.host + "]" : at.host;
    return at.port == (at.tls ? "443" : "80") ? h : h + ":" + at.port;
}

template <class Stream>
net::awaitable<fetched> exchange(Stream& stream, const origin& at, const std::string& target,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 const fetch_options& opts) {
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, host_header(at));
    for (const auto& [name, value] : headers) req.set(name, value);
    co_await http::async_write(stream, req, net::use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(opts.max_body_bytes);
    parser.header_limit(64 * 1024);
    co_await http::async_read(stream, buffer, parser, net::use_awaitable);
    fetched out;
    const auto& res = parser.get();
    out.status = res.result_int();
    for (const auto& field : res) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        auto& slot = out.headers[name];
        slot = slot.empty() ? std::string(field.value()) : slot + ", " + std::string(field.value());
    }
    out.body = res.body();
    co_return out;
}

net::awaitable<fetched> fetch(net::ssl::context& tls, const origin& at, const std::string& target,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              const fetch_options& opts) {
    auto ex = co_await net::this_coro::executor;
    tcp::resolver resolver(ex);
    auto endpoints = co_await resolver.async_resolve(at.host, at.port, net::use_awaitable);
    if (!at.tls) {
        beast::tcp_stream stream(ex);
        stream.expires_after(opts.timeout);
        co_await stream.async_connect(endpoints, net::use_awaitable);
        co_return co_await exchange(stream, at, target, headers, opts);
    }
    beast::ssl_stream<beast::tcp_stream> stream(ex, tls);
    beast::get_lowest_layer(stream).expires_after(opts.timeout);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), at.host.c_str()))
        throw std::runtime_error("cannot set the TLS server name");
    stream.set_verify_callback(net::ssl::host_name_verification(at.host));
    co_await beast::get_lowest_layer(stream).async_connect(endpoints, net::use_awaitable);
    co_await stream.async_handshake(net::ssl::stream_base::client, net::use_awaitable);
    co_return co_await exchange(stream, at, target, headers, opts);
}

} // namespace

fetched http_get(const origin& at, const std::string& target,
                 const std::vector<std::pair<std::string, std::string>>& headers, const fetch_options& opts) {
    net::io_context ioc;
    net::ssl::context tls(net::ssl::context::tls_client);
    if (at.tls) {
        tls.set_verify_mode(net::ssl::verify_peer);
        if (opts.ca_file.empty()) tls.set_default_verify_paths();
        else tls.load_verify_file(opts.ca_file);
    }
    auto result = net::co_spawn(ioc, fetch(tls, at, target, headers, opts), net::use_future);
    ioc.run();
    try {
        return result.get();
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("cannot fetch " + at.text() + target + ": " + e.code().message());
    }
}

} // namespace peerline
