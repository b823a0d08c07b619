#include "net/http_request_rules.hpp"

#include <boost/beast/core/string.hpp>

#include <iterator>

namespace peerline {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::size_t count_of(const http::request_header<>& head, http::field f) {
    auto [first, last] = head.equal_range(f);
    return static_cast<std::size_t>(std::distance(first, last));
}

constexpr request_refusal bad_framing{http::status::bad_request, "bad_framing",
                                      "Transfer-Encoding must be exactly \"chunked\", once, and never "
                                      "beside Content-Length."};

} // namespace

std::optional<request_refusal> refuse_framing(const http::request_header<>& head) {
    auto codings = count_of(head, http::field::transfer_encoding);
    if (codings > 0) {
        if (codings != 1 || head.count(http::field::content_length) != 0) return bad_framing;
        auto value = trim(head[http::field::transfer_encoding]);
        if (!beast::iequals(value, "chunked")) return bad_framing;
    }
    auto hosts = count_of(head, http::field::host);
    if (hosts > 1 || (hosts == 0 && head.version() >= 11))
        return request_refusal{http::status::bad_request, "bad_host",
                               "An HTTP/1.1 request must carry exactly one Host field."};
    return std::nullopt;
}

bool is_json_media_type(std::string_view content_type) {
    auto semicolon = content_type.find(';');
    auto type = trim(content_type.substr(0, semicolon));
    if (!beast::iequals(type, "application/json")) return false;
    if (semicolon == std::string_view::npos) return true;
    auto parameter = trim(content_type.substr(semicolon + 1));
    auto equals = parameter.find('=');
    if (equals == std::string_view::npos) return false;
    auto name = trim(parameter.substr(0, equals));
    auto value = trim(parameter.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return beast::iequals(name, "charset") && beast::iequals(value, "utf-8");
}

std::optional<request_refusal> refuse_media_type(const http::request_header<>& head, bool has_body) {
    if (!has_body) return std::nullopt;
    auto types = count_of(head, http::field::content_type);
    if (types == 1 && is_json_media_type(head[http::field::content_type])) return std::nullopt;
    return request_refusal{http::status::unsupported_media_type, "unsupported_media_type",
                           "Request bodies must be sent as Content-Type: application/json."};
}

std::size_t field_count(const http::request_header<>& head) {
    return static_cast<std::size_t>(std::distance(head.begin(), head.end()));
}

std::size_t drop_trailer_fields(http::request_header<>& head, std::size_t header_fields) {
    auto it = head.begin();
    for (std::size_t i = 0; i < header_fields && it != head.end(); ++i) ++it;
    std::size_t dropped = 0;
    while (it != head.end()) {
        it = head.erase(it);
        ++dropped;
    }
    return dropped;
}

} // namespace peerline
