// The first end-to-end path: a GP asks, a listener accepts, relay frames flow
// both ways untouched, either side ends it.
#include "fixture.hpp"

#include "peerline/protocol/relay_frame.hpp"

#include <catch2/catch.hpp>

using namespace peerline::integration;
namespace protocol = peerline::protocol;

namespace {

// Every byte value, so nothing in the path may treat payloads as text.
std::string all_byte_values() {
    std::string s;
    for (int i = 0; i < 256; ++i)
        s += static_cast<char>(i);
    return s;
}

} // namespace

TEST_CASE("a GP and a listener complete a conversation over real WebSockets", "[e2e]") {
    peerline_stack s;
    auto listener = s.available_listener(s.new_listener("listener-e2e"));
    auto gp = s.gp();
    auto c = start_conversation(gp, listener);

    SECTION("relay frames arrive byte-identical, in order, both ways") {
        for (int i = 0; i < 5; ++i) {
            relay_and_check(gp, c.gp_channel, listener, c.listener_channel,
                            "gp says " + std::to_string(i));
            relay_and_check(listener, c.listener_channel, gp, c.gp_channel,
                            "listener says " + std::to_string(i));
        }
        relay_and_check(gp, c.gp_channel, listener, c.listener_channel, all_byte_values());
        relay_and_check(listener, c.listener_channel, gp, c.gp_channel, all_byte_values());

        // A burst sent before reading anything arrives in order.
        for (int i = 0; i < 20; ++i)
            gp.send_relay(c.gp_channel, "burst " + std::to_string(i));
        for (int i = 0; i < 20; ++i) {
            auto f = listener.expect_relay();
            CHECK(f.channel == c.listener_channel);
            REQUIRE(f.payload == "burst " + std::to_string(i));
        }

        // The largest frame the relay limit allows passes intact.
        protocol::limits lim;
        std::string largest(lim.max_relay_frame_bytes - protocol::relay_header_bytes, '\0');
        for (std::size_t i = 0; i < largest.size(); ++i)
            largest[i] = static_cast<char>(i * 7);
        relay_and_check(gp, c.gp_channel, listener, c.listener_channel, largest);

        // A message split into WebSocket continuation frames (RFC 6455
        // allows it; browsers rarely do it) is relayed whole, as one frame.
        std::string payload(3000, '\0');
        for (std::size_t i = 0; i < payload.size(); ++i)
            payload[i] = static_cast<char>(i * 13);
        gp.send_binary_fragmented(protocol::make_relay_frame(c.gp_channel, payload), 3);
        auto whole = listener.expect_relay();
        CHECK(whole.channel == c.listener_channel);
        CHECK(whole.payload == payload);

        gp.expect_nothing(200ms);
        listener.expect_nothing(200ms);
    }

    SECTION("the GP ends it and the listener is told") {
        relay_and_check(gp, c.gp_channel, listener, c.listener_channel, "hello");
        gp.send_control(protocol::end_conversation{c.gp_channel, protocol::end_reason::completed});
        auto ended = expect_listener_ended(listener);
        CHECK(ended.channel == c.listener_channel);
        CHECK(ended.by == protocol::ended_by::gp);
    }

    SECTION("the listener ends it and the GP is told") {
        relay_and_check(listener, c.listener_channel, gp, c.gp_channel, "hello");
        listener.send_control(protocol::end_conversation{c.listener_channel, std::nullopt});
        auto ended = gp.expect<protocol::conversation_ended>();
        CHECK(ended.channel == c.gp_channel);
        CHECK(ended.by == protocol::ended_by::listener);
    }
}
