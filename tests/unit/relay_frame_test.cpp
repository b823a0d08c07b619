// Binary relay frames: header validation, the in-place channel rewrite and the
// client-side build/view helpers.
#include "peerline/protocol/relay_frame.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace peerline::protocol;

namespace {

const limits default_limits{};

std::vector<std::uint8_t> bytes_of(std::string_view s) {
    return {s.begin(), s.end()};
}

// The error code of a frame parse_relay_header must refuse, as its wire name.
std::string relay_error(const std::vector<std::uint8_t>& frame,
                        const limits& lim = default_limits) {
    auto r = parse_relay_header(frame.data(), frame.size(), lim);
    REQUIRE(r.err);
    REQUIRE_FALSE(r.header);
    return std::string(to_string(r.err->code));
}

} // namespace

TEST_CASE("a valid relay frame yields its kind and channel", "[relay]") {
    const auto frame = bytes_of(make_relay_frame(0x1234, "ciphertext"));
    auto r = parse_relay_header(frame.data(), frame.size(), default_limits);
    REQUIRE(r.header);
    CHECK_FALSE(r.err);
    CHECK(r.header->kind == relay_kind::e2e_payload);
    CHECK(r.header->channel == 0x1234);
}

TEST_CASE("make_relay_frame writes version, kind and a big-endian channel", "[relay]") {
    const auto frame = bytes_of(make_relay_frame(0xABCD, "xy"));
    CHECK(frame == std::vector<std::uint8_t>{1, 1, 0xAB, 0xCD, 'x', 'y'});
}

TEST_CASE("the largest channel and a one-byte payload are valid", "[relay]") {
    const auto frame = bytes_of(make_relay_frame(65535, "p"));
    auto r = parse_relay_header(frame.data(), frame.size(), default_limits);
    REQUIRE(r.header);
    CHECK(r.header->channel == 65535);
}

TEST_CASE("a relay frame shorter than its header is refused", "[relay]") {
    CHECK(relay_error({}) == "relay_frame_too_short");
    CHECK(relay_error({1}) == "relay_frame_too_short");
    CHECK(relay_error({1, 1, 0}) == "relay_frame_too_short");
}

TEST_CASE("parse_relay_header accepts a null pointer for an empty frame", "[relay]") {
    auto r = parse_relay_header(nullptr, 0, default_limits);
    REQUIRE(r.err);
    CHECK(r.err->code == error_code::relay_frame_too_short);
}

TEST_CASE("a relay frame with a version other than 1 is refused", "[relay]") {
    CHECK(relay_error({0, 1, 0, 1, 'x'}) == "relay_bad_version");
    CHECK(relay_error({2, 1, 0, 1, 'x'}) == "relay_bad_version");
    CHECK(relay_error({0xFF, 1, 0, 1, 'x'}) == "relay_bad_version");
}

TEST_CASE("a relay frame of an unknown kind is refused", "[relay]") {
    CHECK(relay_error({1, 0, 0, 1, 'x'}) == "relay_unknown_kind");
    CHECK(relay_error({1, 2, 0, 1, 'x'}) == "relay_unknown_kind");
}

TEST_CASE("a relay frame on channel 0 is refused", "[relay]") {
    CHECK(relay_error(bytes_of(make_relay_frame(0, "x"))) == "relay_bad_channel");
}

TEST_CASE("a relay frame without payload is refused", "[relay]") {
    CHECK(relay_error(bytes_of(make_relay_frame(5, ""))) == "relay_empty_payload");
}

TEST_CASE("a relay frame over the relay limit is refused as too large", "[relay]") {
    const std::string payload(default_limits.max_relay_frame_bytes - relay_header_bytes, 'p');
    const auto at_limit = bytes_of(make_relay_frame(9, payload));
    CHECK(parse_relay_header(at_limit.data(), at_limit.size(), default_limits).header);
    const auto over = bytes_of(make_relay_frame(9, payload + "p"));
    CHECK(relay_error(over) == "frame_too_large");
}

TEST_CASE("the size limit is checked before the header bytes", "[relay]") {
    limits tiny;
    tiny.max_relay_frame_bytes = 3;
    // A bad version byte, but too large wins: nothing past the size is trusted.
    CHECK(relay_error({9, 9, 0, 0, 'x'}, tiny) == "frame_too_large");
}

TEST_CASE("rewrite_relay_channel changes only the channel bytes", "[relay]") {
    auto frame = bytes_of(make_relay_frame(1, "opaque\x00payload"));
    const auto before = frame;
    rewrite_relay_channel(frame.data(), 0x0102);
    CHECK(frame[0] == before[0]);
    CHECK(frame[1] == before[1]);
    CHECK(frame[2] == 0x01);
    CHECK(frame[3] == 0x02);
    CHECK(std::equal(frame.begin() + 4, frame.end(), before.begin() + 4, before.end()));
    auto r = parse_relay_header(frame.data(), frame.size(), default_limits);
    REQUIRE(r.header);
    CHECK(r.header->channel == 0x0102);
}

TEST_CASE("rewriting to 65535 and back restores the original frame", "[relay]") {
    auto frame = bytes_of(make_relay_frame(42, "abc"));
    const auto original = frame;
    rewrite_relay_channel(frame.data(), 65535);
    CHECK(frame[2] == 0xFF);
    CHECK(frame[3] == 0xFF);
    rewrite_relay_channel(frame.data(), 42);
    CHECK(frame == original);
}

TEST_CASE("view_relay_frame returns the header and payload of a built frame", "[relay]") {
    const std::string payload("\x00\x01binary\xFF", 9);
    const std::string frame = make_relay_frame(300, payload);
    auto view = view_relay_frame(frame, default_limits);
    REQUIRE(view);
    CHECK(view->header == relay_header{relay_kind::e2e_payload, 300});
    CHECK(view->payload == payload);
    CHECK(view->payload.data() == frame.data() + relay_header_bytes);
}

TEST_CASE("view_relay_frame refuses invalid frames", "[relay]") {
    CHECK_FALSE(view_relay_frame("", default_limits));
    CHECK_FALSE(view_relay_frame(make_relay_frame(0, "x"), default_limits));
    CHECK_FALSE(view_relay_frame(make_relay_frame(1, ""), default_limits));
    CHECK_FALSE(view_relay_frame(std::string("\x02\x01\x00\x01x", 5), default_limits));
    limits tiny;
    tiny.max_relay_frame_bytes = 8;
    CHECK_FALSE(view_relay_frame(make_relay_frame(1, "12345"), tiny));
    CHECK(view_relay_frame(make_relay_frame(1, "1234"), tiny));
}
