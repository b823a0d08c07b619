// Messages between nodes (peerline/protocol/node_messages.hpp): every kind
// survives a round trip, the wire names are the ones other nodes and
// session_resume.lua read, and malformed or oversized input is refused with
// a clear error instead of being half-delivered.
#include "peerline/protocol/node_messages.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace peerline::protocol;
namespace pc = peerline::protocol::cluster;

namespace {

const pc::node_limits lim{};
const std::string sid_a = "0123456789abcdef0123456789abcdef";
const std::string sid_b = "fedcba9876543210fedcba9876543210";

pc::session_event round_trip(const pc::session_event& e) {
    auto decoded = pc::decode_node_message(pc::encode_addressed_event(sid_a, e), lim);
    REQUIRE(decoded);
    auto* addressed = std::get_if<pc::addressed_event>(&*decoded.value);
    REQUIRE(addressed != nullptr);
    CHECK(addressed->sid == sid_a);
    return addressed->event;
}

std::string node_error(std::string_view payload, const pc::node_limits& l = lim) {
    auto decoded = pc::decode_node_message(payload, l);
    REQUIRE_FALSE(decoded);
    REQUIRE(decoded.err);
    return std::string(to_string(decoded.err->code));
}

std::string event_error(std::string_view event_json) {
    return node_error("C{\"sid\":\"" + sid_a + "\",\"ev\":" + std::string(event_json) + "}");
}

} // namespace

TEST_CASE("every session event survives a round trip between nodes", "[node-messages]") {
    const std::vector<pc::session_event> events{
        pc::offer_made{"offer1", topic::workload, true, 30'000},
        pc::offer_made{"offer2", std::nullopt, false, 1},
        pc::offer_withdrawn{"offer1", pc::withdrawal::expired, true},
        pc::offer_withdrawn{"offer1", pc::withdrawal::gp_left, false},
        pc::conversation_start{"conv1", sid_b, "node-2", 3, "alice"},
        pc::conversation_ack{"conv1", 65535},
        pc::conversation_end{"conv1", end_reason::safeguarding_referral, ended_by::listener},
        pc::peer_detached{"conv1"},
        pc::peer_moved{"conv1", "node-3", 7},
        pc::account_disabled{"alice"},
        pc::rota_changed{},
        pc::escalation_raised{"alice", "conv1"},
    };
    for (const auto& e : events) {
        INFO(pc::kind_name(e));
        CHECK(round_trip(e) == e);
    }
}

TEST_CASE("events keep the wire names other nodes read", "[node-messages]") {
    auto text = pc::encode_addressed_event(
        sid_a, pc::conversation_end{"conv1", end_reason::partner_disconnected, ended_by::server});
    CHECK(text == "C{\"sid\":\"" + sid_a +
                      "\",\"ev\":{\"e\":\"conv_end\",\"cid\":\"conv1\",\"reason\":\"partner_disconnected\","
                      "\"by\":\"server\"}}");
    CHECK(pc::encode(pc::broadcast{pc::queue_changed{}}) == R"({"b":"queue"})");
    CHECK(pc::encode(pc::broadcast{pc::rota_changed{}}) == R"({"b":"rota"})");
    CHECK(pc::encode(pc::broadcast{pc::escalation_raised{"alice", "conv1"}}) ==
          R"({"b":"escalation","listener":"alice","cid":"conv1"})");
}

TEST_CASE("every broadcast survives a round trip", "[node-messages]") {
    for (const pc::broadcast& b : {pc::broadcast{pc::queue_changed{}}, pc::broadcast{pc::rota_changed{}},
                                   pc::broadcast{pc::escalation_raised{"", "conv9"}}}) {
        auto decoded = pc::decode_broadcast(pc::encode(b), lim);
        REQUIRE(decoded);
        CHECK(*decoded.value == b);
    }
}

TEST_CASE("relay frames for one node travel as one batch and come out in order", "[node-messages]") {
    std::string batch;
    pc::append_relay_frame(batch, sid_a, "first frame");
    pc::append_relay_frame(batch, sid_b, std::string(300, 'x'));
    pc::append_relay_frame(batch, sid_a, "third");
    auto decoded = pc::decode_node_message(batch, lim);
    REQUIRE(decoded);
    auto& parts = std::get<pc::relay_batch>(*decoded.value).parts;
    REQUIRE(parts.size() == 3);
    CHECK(parts[0].sid == sid_a);
    CHECK(parts[0].frame == "first frame");
    CHECK(parts[1].sid == sid_b);
    CHECK(parts[1].frame == std::string(300, 'x'));
    CHECK(parts[2].frame == "third");

    SECTION("a lone frame travels in the same form, and its offset is where the frame starts") {
        std::string one;
        auto at = pc::append_relay_frame(one, sid_b, "only");
        CHECK(one == std::string("B") + sid_b + std::string("\0\0\0\4", 4) + "only");
        CHECK(one.substr(at) == "only");
        auto single = pc::decode_node_message(one, lim);
        REQUIRE(single);
        auto& p = std::get<pc::relay_batch>(*single.value).parts;
        REQUIRE(p.size() == 1);
        CHECK(p[0].sid == sid_b);
        CHECK(p[0].frame == "only");
    }
}

TEST_CASE("the short 'R' relay form of earlier versions is refused: one format for relay frames",
          "[node-messages]") {
    CHECK(node_error("R" + sid_a + "only") == "unknown_type");
}

TEST_CASE("a relay batch that breaks off or overstates a length is refused whole", "[node-messages]") {
    std::string batch;
    pc::append_relay_frame(batch, sid_a, "hello");
    SECTION("cut inside the last frame") {
        CHECK(node_error(std::string_view(batch).substr(0, batch.size() - 1)) == "invalid_field_value");
    }
    SECTION("cut inside a length") {
        CHECK(node_error(std::string_view(batch).substr(0, 1 + 32 + 2)) == "invalid_field_value");
    }
    SECTION("trailing bytes after the last frame") {
        CHECK(node_error(batch + "xyz") == "invalid_field_value");
    }
    SECTION("a frame of length zero") {
        std::string empty_frame;
        pc::append_relay_frame(empty_frame, sid_a, "");
        CHECK(node_error(empty_frame) == "invalid_field_value");
    }
    SECTION("an empty batch") { CHECK(node_error("B") == "invalid_field_value"); }
    SECTION("a frame without its length") { CHECK(node_error("B" + sid_a) == "invalid_field_value"); }
}

TEST_CASE("a relay frame over the relay limit is refused between nodes too", "[node-messages]") {
    pc::node_limits small;
    small.max_relay_frame_bytes = 10;
    std::string batch;
    pc::append_relay_frame(batch, sid_a, std::string(11, 'x'));
    CHECK(node_error(batch, small) == "frame_too_large");
    std::string ok;
    pc::append_relay_frame(ok, sid_a, std::string(10, 'x'));
    CHECK(pc::decode_node_message(ok, small));
}

TEST_CASE("malformed events on a node channel are refused with the field named", "[node-messages]") {
    CHECK(node_error("") == "missing_type");
    CHECK(node_error("X{}") == "unknown_type");
    CHECK(node_error("C{") == "malformed_json");
    CHECK(node_error("C[]") == "not_an_object");
    CHECK(node_error(R"(C{"ev":{"e":"rota_changed"}})") == "missing_field");
    CHECK(node_error(R"(C{"sid":"a b","ev":{"e":"rota_changed"}})") == "invalid_field_value");
    CHECK(node_error(R"(C{"sid":"abc","ev":"conv_end"})") == "wrong_field_type");
    CHECK(event_error(R"({"e":"no_such_event"})") == "unknown_type");
    CHECK(event_error(R"({"cid":"c"})") == "missing_field");
    CHECK(event_error(R"({"e":"conv_end","cid":"c","reason":"bored","by":"gp"})") == "invalid_field_value");
    CHECK(event_error(R"({"e":"conv_end","cid":"c","reason":"completed"})") == "missing_field");
    CHECK(event_error(R"({"e":"conv_ack","cid":"c","channel":65536})") == "invalid_field_value");
    CHECK(event_error(R"({"e":"conv_ack","cid":"c","channel":0})") == "invalid_field_value");
    CHECK(event_error(R"({"e":"conv_ack","cid":"c","channel":"1"})") == "wrong_field_type");
    CHECK(event_error(R"({"e":"offer","offer_id":"o","topic":"gardening","urgent":false,"expires_in_ms":1})") ==
          "invalid_field_value");
    CHECK(event_error(R"({"e":"offer_withdrawn","offer_id":"o","reason":"taken"})") == "invalid_field_value");
    CHECK(event_error(R"({"e":"peer_moved","cid":"c","peer_node":"","peer_channel":1})") ==
          "invalid_field_value");
    CHECK(event_error(R"({"e":"account_disabled","username":""})") == "invalid_field_value");
}

TEST_CASE("node messages over their size, depth or string limits are refused", "[node-messages]") {
    CHECK(event_error(R"({"e":"peer_detached","cid":"c","x":{"deeper":1}})") == "nesting_too_deep");
    CHECK(event_error(R"({"e":"account_disabled","username":")" + std::string(257, 'a') + "\"}") ==
          "string_too_long");
    CHECK(node_error("C{\"sid\":\"" + sid_a + "\",\"ev\":{\"e\":\"rota_changed\",\"pad\":\"" +
                     std::string(200, 'p') + "\"}" + std::string(4 * 1024, ' ') + "}") == "frame_too_large");
    auto big = pc::decode_broadcast(R"({"b":"queue","x":")" + std::string(5000, 'x') + "\"}", lim);
    REQUIRE_FALSE(big);
    CHECK(big.err->code == error_code::frame_too_large);
}

TEST_CASE("malformed broadcasts are refused", "[node-messages]") {
    auto code = [](std::string_view text) {
        auto b = pc::decode_broadcast(text, lim);
        REQUIRE_FALSE(b);
        return std::string(to_string(b.err->code));
    };
    CHECK(code("") == "malformed_json");
    CHECK(code("[]") == "not_an_object");
    CHECK(code(R"({"e":"queue"})") == "missing_field");
    CHECK(code(R"({"b":"weather"})") == "unknown_type");
    CHECK(code(R"({"b":"escalation","listener":"alice"})") == "missing_field");
    CHECK(code(R"({"b":1})") == "wrong_field_type");
}

TEST_CASE("a detached session record survives a round trip", "[node-messages]") {
    pc::detached_session s{"request1",
                           {{"conv1", sid_b, "node-1", 0, "alice"}, {"conv2", sid_a, "node-2", 9, ""}}};
    auto text = pc::encode(s);
    // session_resume.lua reads these names.
    CHECK(text.find("\"rid\":\"request1\"") != std::string::npos);
    CHECK(text.find("\"convs\":[{\"cid\":\"conv1\"") != std::string::npos);
    auto decoded = pc::decode_detached_session(text, lim);
    REQUIRE(decoded);
    CHECK(*decoded.value == s);

    auto none = pc::decode_detached_session(pc::encode(pc::detached_session{}), lim);
    REQUIRE(none);
    CHECK(none.value->request_id.empty());
    CHECK(none.value->conversations.empty());
}

TEST_CASE("a malformed or oversized detached record is refused", "[node-messages]") {
    auto code = [](std::string_view text) {
        auto d = pc::decode_detached_session(text, lim);
        REQUIRE_FALSE(d);
        return std::string(to_string(d.err->code));
    };
    CHECK(code(R"({"convs":[]})") == "missing_field");
    CHECK(code(R"({"rid":"","convs":{}})") == "wrong_field_type");
    CHECK(code(R"({"rid":"","convs":[1]})") == "wrong_field_type");
    CHECK(code(R"({"rid":"","convs":[{"cid":"c","peer_sid":"s","peer_node":"n","peer_channel":-1,"listener":""}]})") ==
          "invalid_field_value");
    std::string many = R"({"rid":"","convs":[)";
    for (int i = 0; i < 17; ++i) many += std::string(i ? "," : "") + "{}";
    many += "]}";
    CHECK(code(many) == "invalid_field_value");
}
