// What a request's head must satisfy before its body is read (issue 17:
// "the HTTP side, held to the same standard as the WebSocket side"). A
// proxy in front of Peerline and Peerline itself must agree on where one
// request ends and the next begins, and on who the request is from:
//   - RFC 9112 §6.1: a Transfer-Encoding the server does not understand, or
//     one sent beside Content-Length, is refused (400, close). Peerline
//     understands exactly one coding, "chunked", given once.
//   - RFC 9112 §3.2: an HTTP/1.1 request without Host, or any request with
//     more than one, is 400.
//   - Bodies are JSON: a body of any other media type is 415, so a
//     cross-site "simple" POST (text/plain or a form) never reaches login
//     or the GP session.
// Trailer fields (RFC 9112 §7.1.2) are never read as headers: see
// drop_trailer_fields.
#pragma once

#include "net/beast.hpp"

#include <cstddef>
#include <optional>
#include <string_view>

namespace peerline {

struct request_refusal {
    http::status status;
    std::string_view code;    // the documented error code (docs/PROTOCOL.md §8)
    std::string_view message; // plain English for whoever reads it
};

// Framing and Host. `chunked`: the parser found Transfer-Encoding: chunked.
std::optional<request_refusal> refuse_framing(const http::request_header<>& head);

// The body's media type; `has_body`: Content-Length above zero, or chunked.
std::optional<request_refusal> refuse_media_type(const http::request_header<>& head, bool has_body);

// True for "application/json", optionally with "; charset=utf-8" (any case,
// optional spaces); nothing else.
bool is_json_media_type(std::string_view content_type);

// Removes every field after the first `header_fields` ones: Beast's parser
// appends a chunked body's trailer fields to the header, where an
// "Authorization" trailer would authenticate. Returns how many were removed.
std::size_t drop_trailer_fields(http::request_header<>& head, std::size_t header_fields);

// The number of fields in a header (duplicates counted).
std::size_t field_count(const http::request_header<>& head);

} // namespace peerline
