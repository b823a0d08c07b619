// The HTTP side held to the WebSocket side's standard (issue 17): request
// framing a proxy and Peerline must agree on (RFC 9112), trailers never read
// as headers, JSON bodies only, a status for every malformed request before
// the close, and the same security headers on every response. Each attack
// is sent as raw bytes, as an attacker or a confused proxy would.
#include "raw_connection.hpp"

#include <catch2/catch.hpp>

using namespace peerline::integration;

namespace {

// The value of header `name` in a response head ("" if absent).
std::string header_of(const std::string& head, const std::string& name) {
    auto at = head.find("\r\n" + name + ": ");
    if (at == std::string::npos) return {};
    at += name.size() + 4;
    return head.substr(at, head.find("\r\n", at) - at);
}

// Sends `request` whole and returns everything until the server closes.
std::string answer_then_close(const tc::endpoint& ep, const std::string& request) {
    raw_connection c(ep);
    REQUIRE(c.send(request));
    return c.read_until_closed();
}

} // namespace

TEST_CASE("a Transfer-Encoding other than exactly chunked, or beside Content-Length, is refused with "
          "400 and the connection closed",
          "[http][framing]") {
    peerline_stack s;
    const std::string body = R"({"username":"nobody","password":"wrong-password-123"})";
    const std::string length = "Content-Length: " + std::to_string(body.size()) + "\r\n";
    for (const std::string& framing :
         {"Transfer-Encoding: gzip\r\n" + length, length + "Transfer-Encoding: gzip\r\n",
          "Transfer-Encoding: chunked, gzip\r\n" + length, "Transfer-Encoding: identity\r\n" + length,
          length + "Transfer-Encoding: chunked\r\n",
          std::string("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n")}) {
        INFO(framing);
        auto got = answer_then_close(s.ep(), "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                             "Content-Type: application/json\r\n" +
                                                 framing + "\r\n" + body);
        CHECK(status_of(got) == 400);
        CHECK(header_of(got, "Connection") == "close");
    }
}

TEST_CASE("a chunked body's trailer fields are never read as headers: an Authorization trailer does "
          "not authenticate",
          "[http][framing]") {
    peerline_stack s;
    auto token = tc::gp_session(s.ep());
    // The same token as a header authenticates (so the trailer's failure is the rule, not the token).
    raw_connection header(s.ep());
    auto with_header = header.get("/api/me", "Authorization: Bearer " + token + "\r\n");
    REQUIRE(status_of(with_header) == 200);

    raw_connection trailer(s.ep());
    REQUIRE(trailer.send("GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nAuthorization: Bearer " +
                         token + "\r\n\r\n"));
    auto got = trailer.read_response();
    CHECK(status_of(got) == 401);
}

TEST_CASE("a chunked JSON body is read whole", "[http][framing]") {
    peerline_stack s;
    const std::string body = R"({"username":"nobody","password":"wrong-password-123"})";
    char size[16];
    std::snprintf(size, sizeof size, "%zx", body.size());
    raw_connection c(s.ep());
    REQUIRE(c.send("POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n" +
                   std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n"));
    CHECK(status_of(c.read_response()) == 401); // read and judged: wrong credentials
}

TEST_CASE("an HTTP/1.1 request without Host, or with two, is 400", "[http][framing]") {
    peerline_stack s;
    auto missing = answer_then_close(s.ep(), "GET /healthz HTTP/1.1\r\n\r\n");
    CHECK(status_of(missing) == 400);
    CHECK(missing.find("bad_host") != std::string::npos);
    auto twice = answer_then_close(s.ep(), "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    CHECK(status_of(twice) == 400);
    // One Host is fine.
    raw_connection ok(s.ep());
    CHECK(status_of(ok.get("/healthz")) == 200);
}

TEST_CASE("a body that is not JSON is refused with 415 before any handler sees it", "[http][framing]") {
    peerline_stack s;
    auto post = [&](const std::string& content_type) {
        const std::string body = R"({"username":"nobody","password":"wrong-password-123"})";
        raw_connection c(s.ep());
        REQUIRE(c.send("POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\n" + content_type +
                       "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
        return c.read_response();
    };
    // What a cross-site "simple" POST can send, and no type at all.
    for (const std::string& type : {std::string("Content-Type: text/plain\r\n"),
                                    std::string("Content-Type: application/x-www-form-urlencoded\r\n"),
                                    std::string("Content-Type: multipart/form-data; boundary=x\r\n"),
                                    std::string("Content-Type: application/json; charset=latin1\r\n"),
                                    std::string("Content-Type: application/json\r\nContent-Type: text/plain\r\n"),
                                    std::string()}) {
        INFO(type);
        auto got = post(type);
        CHECK(status_of(got) == 415);
        CHECK(got.find("unsupported_media_type") != std::string::npos);
    }
    CHECK(status_of(post("Content-Type: application/json\r\n")) == 401);
    CHECK(status_of(post("Content-Type: Application/JSON; charset=\"UTF-8\"\r\n")) == 401);
    // A GP session needs no body, so no type.
    raw_connection gp(s.ep());
    CHECK(status_of(gp.request("POST", "/api/gp/session")) == 200);
}

TEST_CASE("a malformed request gets its status before the close", "[http][framing]") {
    peerline_stack s(stack_options{{"--http-request-timeout-s", "1"}});
    SECTION("a request line that is not HTTP: 400") {
        CHECK(status_of(answer_then_close(s.ep(), "HELLO THERE\r\n\r\n")) == 400);
    }
    SECTION("a head over 8 KiB: 431") {
        auto got = answer_then_close(s.ep(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " +
                                                 std::string(9000, 'a') + "\r\n\r\n");
        CHECK(status_of(got) == 431);
    }
    SECTION("half a request, then nothing: 408 once the request timeout has passed") {
        raw_connection c(s.ep());
        REQUIRE(c.send("POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "Content-Length: 100\r\n\r\n{\"user"));
        auto got = c.read_until_closed(std::chrono::seconds(15));
        CHECK(status_of(got) == 408);
    }
    SECTION("an idle keep-alive connection is closed without a response") {
        raw_connection c(s.ep());
        CHECK(status_of(c.get("/healthz")) == 200);
        CHECK(c.read_until_closed(std::chrono::seconds(15)).empty());
    }
}

TEST_CASE("a public endpoint asked with the wrong method is 405", "[http]") {
    peerline_stack s;
    for (const char* target : {"/api/login", "/api/gp/session", "/api/logout"}) {
        INFO(target);
        auto res = tc::http_get(s.ep(), target);
        CHECK(res.status == 405);
        CHECK(error_code_of(res) == "method_not_allowed");
    }
    CHECK(tc::http_request(s.ep(), "DELETE", "/api/config").status == 405);
}

TEST_CASE("every response carries the same security headers", "[http][headers]") {
    peerline_stack s;
    auto check_headers = [](const std::string& head) {
        INFO(head);
        CHECK(header_of(head, "X-Content-Type-Options") == "nosniff");
        CHECK(header_of(head, "Referrer-Policy") == "no-referrer");
        CHECK(header_of(head, "Cache-Control") == "no-store");
        CHECK_FALSE(header_of(head, "Content-Security-Policy").empty());
    };
    raw_connection json(s.ep());
    check_headers(json.get("/api/config"));
    raw_connection not_found(s.ep());
    check_headers(not_found.get("/api/nothing-here"));
    check_headers(answer_then_close(s.ep(), "GET /healthz HTTP/1.1\r\n\r\n")); // a refusal before any handler
    raw_connection page(s.ep());
    check_headers(page.get("/"));
    raw_connection metrics(s.server->metrics_endpoint());
    check_headers(metrics.get("/metrics"));
}
