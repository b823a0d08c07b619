// See http_client.hpp. One connection per request; every step shares one
// deadline, so the whole request is bounded by the caller's timeout.
#include "peerline/client/http_client.hpp"

#include "await.hpp"
#include "tls.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <cctype>

namespace peerline::client {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using detail::clock;
using detail::error_code;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// Responses are small JSON documents or static files; this only bounds a
// misbehaving server.
constexpr std::uint64_t max_response_body = 16 * 1024 * 1024;

struct request_context {
    net::io_context& ioc;
    clock::time_point deadline;
    std::string what; // "POST /api/login on 127.0.0.1:8080" for messages
};

template <class Stream>
http_response exchange(request_context& rc, Stream& stream,
                       const http::request<http::string_body>& req) {
    auto close = [&] { beast::get_lowest_layer(stream).socket().close(); };
    error_code write_ec = detail::await(
        rc.ioc, rc.deadline, [&](auto done) { http::async_write(stream, req, done); }, close);
    // Even when the write failed, a response may be waiting: a server may
    // answer early (413) and stop reading. Try to read it.
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_response_body);
    error_code read_ec =
        write_ec == net::error::timed_out
            ? write_ec
            : detail::await(
                  rc.ioc, rc.deadline,
                  [&](auto done) { http::async_read(stream, buffer, parser, done); }, close);
    if (read_ec) {
        std::string msg = rc.what + ": no response: " + detail::describe_error(read_ec);
        if (write_ec)
            msg += " (sending the request failed: " + detail::describe_error(write_ec) + ")";
        throw client_error(msg);
    }
    auto& res = parser.get();
    http_response out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
        out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(res.body());
    // No TLS close_notify: the response is complete and a peer that does not
    // answer it would only add a wait.
    error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    return out;
}

} // namespace

std::string http_response::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name))
            return value;
    }
    return {};
}

nlohmann::json http_response::json() const {
    auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) {
        throw client_error("HTTP " + std::to_string(status) + " body is not JSON: '" + body + "'");
    }
    return parsed;
}

http_response http_request(const endpoint& ep, std::string_view method, std::string_view target,
                           std::string_view body, const header_list& headers, duration timeout) {
    http::verb verb = http::string_to_verb(method);
    if (verb == http::verb::unknown) {
        throw client_error("unknown HTTP method '" + std::string(method) + "'");
    }
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, ep.authority());
    req.set(http::field::user_agent, "peerline-test-client");
    bool has_content_type = false;
    for (const auto& [name, value] : headers) {
        req.set(name, value);
        if (iequals(name, "content-type"))
            has_content_type = true;
    }
    if (!body.empty() && !has_content_type)
        req.set(http::field::content_type, "application/json");
    req.body() = std::string(body);
    req.prepare_payload();

    net::io_context ioc;
    request_context rc{ioc, clock::now() + timeout,
                       std::string(method) + " " + std::string(target) + " on " +
                           (ep.tls.enabled ? "https://" : "http://") + ep.authority()};
    if (!ep.tls.enabled) {
        beast::tcp_stream stream(ioc);
        if (auto ec = detail::connect_tcp(ioc, stream, ep, rc.deadline)) {
            throw client_error(rc.what + ": connect: " + detail::describe_error(ec));
        }
        return exchange(rc, stream, req);
    }
    auto ctx = detail::make_tls_context(ep.tls);
    detail::tls_stream stream(ioc, ctx);
    if (auto ec = detail::connect_tcp(ioc, beast::get_lowest_layer(stream), ep, rc.deadline)) {
        throw client_error(rc.what + ": connect: " + detail::describe_error(ec));
    }
    if (auto ec = detail::tls_handshake(ioc, stream, ep, rc.deadline)) {
        throw client_error(rc.what + ": TLS handshake: " + detail::describe_error(ec));
    }
    return exchange(rc, stream, req);
}

http_response http_get(const endpoint& ep, std::string_view target, const header_list& headers,
                       duration timeout) {
    return http_request(ep, "GET", target, {}, headers, timeout);
}

http_response http_post_json(const endpoint& ep, std::string_view target,
                             const nlohmann::json& body, const header_list& headers,
                             duration timeout) {
    return http_request(ep, "POST", target, body.dump(), headers, timeout);
}

header_list bearer(std::string_view token) {
    return {{"Authorization", "Bearer " + std::string(token)}};
}

std::string endpoint::origin() const {
    return std::string(tls.enabled ? "https://" : "http://") + authority();
}

std::string endpoint::authority() const {
    return host + ":" + std::to_string(port);
}

} // namespace peerline::client
