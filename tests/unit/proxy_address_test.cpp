// The pure parsers behind learning a client's address from a trusted proxy:
// IP and CIDR text, the PROXY protocol v2 header, and X-Forwarded-For read
// from the right past trusted proxies.
#include "peerline/protocol/forwarded_for.hpp"
#include "peerline/protocol/ip_address.hpp"
#include "peerline/protocol/proxy_v2.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace peerline::protocol;

namespace {

ip_address ip(std::string_view text) {
    auto a = parse_ip(text);
    REQUIRE(a);
    return *a;
}

std::vector<cidr> ranges(std::initializer_list<std::string_view> texts) {
    std::vector<cidr> out;
    for (auto t : texts) {
        auto c = parse_cidr(t);
        REQUIRE(c);
        out.push_back(*c);
    }
    return out;
}

const std::string signature("\r\n\r\n\0\r\nQUIT\n", 12);

// A PROXY v2 header: command, family/transport, then the address block.
std::string proxy_header(std::uint8_t command, std::uint8_t fam, const std::string& block) {
    std::string h = signature;
    h += static_cast<char>(0x20 | command);
    h += static_cast<char>(fam);
    h += static_cast<char>(block.size() >> 8);
    h += static_cast<char>(block.size() & 0xff);
    return h + block;
}

std::string v4_block(std::string src, std::string dst = std::string("\x0a\x00\x00\x01", 4)) {
    return src + dst + std::string("\x1f\x90\x00\x50", 4); // ports 8080, 80
}

} // namespace

TEST_CASE("addresses and ranges parse strictly", "[proxy]") {
    CHECK(ip("203.0.113.7").to_string() == "203.0.113.7");
    CHECK(ip("2001:DB8:0::1").to_string() == "2001:db8::1");
    CHECK(ip("[2001:db8::1]").to_string() == "2001:db8::1");
    CHECK(ip("::ffff:198.51.100.2") == ip("198.51.100.2")); // mapped IPv4 is IPv4
    for (std::string_view bad : {"", " 1.2.3.4", "1.2.3.4 ", "1.2.3", "1.2.3.4:80", "01.2.3.4x",
                                 "256.1.1.1", "example.org", "unknown", "[1.2.3.4]", "[::1", "fe80::1%eth0",
                                 "::1::2"})
        CHECK_FALSE(parse_ip(bad));
    CHECK_FALSE(parse_ip(std::string_view("1.2.3.4\0", 8)));
    CHECK_FALSE(parse_ip(std::string(100, '1')));

    auto net = parse_cidr("10.0.0.0/8");
    REQUIRE(net);
    CHECK(net->contains(ip("10.200.3.4")));
    CHECK_FALSE(net->contains(ip("11.0.0.1")));
    CHECK_FALSE(net->contains(ip("::a00:1")));
    CHECK(parse_cidr("192.0.2.5")->contains(ip("192.0.2.5")));
    CHECK_FALSE(parse_cidr("192.0.2.5")->contains(ip("192.0.2.6")));
    CHECK(parse_cidr("2001:db8::/32")->contains(ip("2001:db8:ffff::1")));
    CHECK(parse_cidr("0.0.0.0/0")->contains(ip("8.8.8.8")));
    CHECK(parse_cidr("172.16.0.0/12")->contains(ip("172.31.255.255")));
    CHECK_FALSE(parse_cidr("172.16.0.0/12")->contains(ip("172.32.0.0")));
    for (std::string_view bad : {"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x",
                                 "/8", "2001:db8::/129", "10.0.0.0/0008", "x"})
        CHECK_FALSE(parse_cidr(bad));
}

TEST_CASE("a PROXY v2 header yields the client's address and its exact length", "[proxy]") {
    std::string block = v4_block(std::string("\xcb\x00\x71\x07", 4)); // 203.0.113.7
    std::string header = proxy_header(1, 0x11, block);
    std::string with_request = header + "GET / HTTP/1.1\r\n";

    SECTION("whole, followed by the client's own bytes") {
        auto r = decode_proxy_v2(with_request);
        REQUIRE(r.what == proxy_v2_result::kind::proxied);
        CHECK(r.length == header.size());
        CHECK(r.source->to_string() == "203.0.113.7");
    }
    SECTION("in pieces: it asks for 16 bytes, then for the rest") {
        for (std::size_t n = 0; n < 16; ++n) {
            auto r = decode_proxy_v2(header.substr(0, n));
            REQUIRE(r.what == proxy_v2_result::kind::need_more);
            CHECK(r.length == 16);
        }
        for (std::size_t n = 16; n < header.size(); ++n) {
            auto r = decode_proxy_v2(header.substr(0, n));
            REQUIRE(r.what == proxy_v2_result::kind::need_more);
            CHECK(r.length == header.size());
        }
    }
    SECTION("IPv6, with TLVs after the addresses (ignored)") {
        std::string src("\x20\x01\x0d\xb8", 4);
        src += std::string(11, '\0') + "\x09";
        std::string v6 = src + std::string(16, '\x01') + "\x1f\x90\x01\xbb" +
                         std::string("\x01\x00\x02h2", 5); // an ALPN TLV
        auto r = decode_proxy_v2(proxy_header(1, 0x21, v6));
        REQUIRE(r.what == proxy_v2_result::kind::proxied);
        CHECK(r.source->to_string() == "2001:db8::9");
    }
    SECTION("LOCAL (a health check) and families without an IP are the proxy's own connection") {
        CHECK(decode_proxy_v2(proxy_header(0, 0x00, "")).what == proxy_v2_result::kind::local);
        CHECK(decode_proxy_v2(proxy_header(0, 0x11, block)).what == proxy_v2_result::kind::local);
        CHECK(decode_proxy_v2(proxy_header(1, 0x00, "")).what == proxy_v2_result::kind::local);
        CHECK(decode_proxy_v2(proxy_header(1, 0x31, std::string(216, 'x'))).what ==
              proxy_v2_result::kind::local);
    }
}

TEST_CASE("a malformed or oversized PROXY v2 header is refused with a reason", "[proxy]") {
    std::string block = v4_block(std::string("\xcb\x00\x71\x07", 4));
    auto refused = [](const std::string& bytes) {
        auto r = decode_proxy_v2(bytes);
        INFO(r.problem);
        CHECK(r.what == proxy_v2_result::kind::invalid);
        CHECK_FALSE(r.problem.empty());
    };
    refused("GET / HTTP/1.1\r\n\r\n");                   // plain HTTP: refused at the first byte
    refused("P");
    refused("PROXY TCP4 203.0.113.7 10.0.0.1 1 2\r\n"); // version 1 (text) is not accepted
    refused(std::string("\r\n\r\n\0\r\nQUIX\n", 12));
    std::string v1 = proxy_header(1, 0x11, block);
    v1[12] = 0x11; // version 1 in the binary header
    refused(v1);
    refused(proxy_header(2, 0x11, block));               // command 2
    refused(proxy_header(1, 0x12, block));               // UDP
    refused(proxy_header(1, 0x41, block));               // family 4
    refused(proxy_header(1, 0x11, block.substr(0, 11))); // IPv4 block too short
    refused(proxy_header(1, 0x21, block));               // IPv6 family, IPv4-sized block
    std::string huge = signature + "\x21\x11\x04\x01";   // 1025 bytes announced: over the limit
    refused(huge);
}

TEST_CASE("X-Forwarded-For is read from the right, past trusted proxies only", "[proxy]") {
    auto trusted = ranges({"10.0.0.0/8", "192.0.2.1"});
    auto client = [&](std::string_view peer, std::vector<std::string_view> fields) {
        auto r = client_from_forwarded_for(ip(peer), fields, trusted);
        INFO(r.problem);
        REQUIRE(r.client);
        return r.client->to_string();
    };
    // One proxy: the address it appended.
    CHECK(client("10.0.0.5", {"203.0.113.7"}) == "203.0.113.7");
    // The client wrote its own X-Forwarded-For: whatever it claimed is to
    // the left of what the proxy appended and is not believed.
    CHECK(client("10.0.0.5", {"1.1.1.1, 203.0.113.7"}) == "203.0.113.7");
    CHECK(client("10.0.0.5", {"1.1.1.1", "203.0.113.7"}) == "203.0.113.7");
    // Two trusted proxies in a row.
    CHECK(client("10.0.0.5", {"203.0.113.7, 192.0.2.1, 10.1.1.1"}) == "203.0.113.7");
    // A forged trusted address to the left of the real client changes nothing.
    CHECK(client("10.0.0.5", {"10.9.9.9,203.0.113.7"}) == "203.0.113.7");
    // Garbage the client sent to the left of the real client is never read.
    CHECK(client("10.0.0.5", {"not-an-address, 203.0.113.7"}) == "203.0.113.7");
    // Only trusted hops: the left-most; nothing at all: the peer itself.
    CHECK(client("10.0.0.5", {"10.1.1.1, 10.2.2.2"}) == "10.1.1.1");
    CHECK(client("10.0.0.5", {}) == "10.0.0.5");
    CHECK(client("10.0.0.5", {" , "}) == "10.0.0.5");
    CHECK(client("10.0.0.5", {"2001:db8::7"}) == "2001:db8::7");
    CHECK(client("10.0.0.5", {"[2001:db8::7]"}) == "2001:db8::7");
    // An untrusted peer's header is never looked at.
    CHECK(client("203.0.113.99", {"198.51.100.1"}) == "203.0.113.99");
}

TEST_CASE("a malformed or oversized X-Forwarded-For from a trusted proxy is a problem", "[proxy]") {
    auto trusted = ranges({"10.0.0.0/8"});
    auto problem = [&](std::vector<std::string_view> fields) {
        auto r = client_from_forwarded_for(ip("10.0.0.5"), fields, trusted);
        CHECK_FALSE(r.client);
        CHECK_FALSE(r.problem.empty());
    };
    problem({"203.0.113.7:4711"});
    problem({"unknown"});
    problem({"10.1.1.1, example.org"});
    std::string many;
    for (int i = 0; i < 40; ++i) many += "10.0.0." + std::to_string(i) + ",";
    problem({many});
    std::string long_field(3000, ' ');
    problem({long_field});
}
