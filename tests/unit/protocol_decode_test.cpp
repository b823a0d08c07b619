// Decoding, encoding and round trips of every control message, and the role
// rules. Hostile input lives in protocol_hostile_input_test.cpp.
#include "peerline/protocol/messages.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace peerline::protocol;

namespace {

const limits default_limits{};

client_message decode_client_ok(std::string_view frame) {
    auto r = decode_client_message(frame, default_limits);
    INFO(frame);
    INFO((r.err ? r.err->message : std::string{}));
    REQUIRE(r.value);
    REQUIRE_FALSE(r.err);
    return *r.value;
}

server_message decode_server_ok(std::string_view frame, const limits& lim = default_limits) {
    auto r = decode_server_message(frame, lim);
    INFO(frame);
    INFO((r.err ? r.err->message : std::string{}));
    REQUIRE(r.value);
    REQUIRE_FALSE(r.err);
    return *r.value;
}

const std::vector<client_message> sample_client_messages{
    hello{"Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg"},
    request_chat{},
    request_chat{topic::clinical_case, true},
    request_chat{topic::other, false},
    leave_queue{},
    set_availability{availability::available},
    set_availability{availability::away},
    accept_offer{"off_3f9a-B"},
    decline_offer{"0123456789abcdef0123456789abcdef"},
    end_conversation{1, std::nullopt},
    end_conversation{65535, end_reason::safeguarding_referral},
    ping{},
};

const std::vector<server_message> sample_server_messages{
    welcome{role::listener, 8192, 65540},
    queued{3, std::nullopt},
    queued{1, 240u},
    left_queue{},
    availability_changed{availability::available},
    offer{"a1b2c3", topic::career, true, 30000},
    offer{"a1b2c3", std::nullopt, false, 0},
    offer_withdrawn{"a1b2c3", "taken"},
    conversation_started{7, "4f2a9c0de1b3", role::gp},
    conversation_ended{7, end_reason::partner_disconnected, ended_by::server},
    error_message{make_error(error_code::wrong_role, "request_chat"), "request_chat"},
    error_message{make_error(error_code::internal_error), ""},
    shutdown_notice{"The server is restarting for maintenance.", 5000},
    pong{},
};

} // namespace

TEST_CASE("a hello decodes with its token", "[protocol]") {
    auto m = decode_client_ok(R"({"v":1,"type":"hello","token":"abc-DEF_123"})");
    REQUIRE(std::get<hello>(m).token == "abc-DEF_123");
}

TEST_CASE("a request_chat without a topic decodes with no topic and not urgent", "[protocol]") {
    auto m = std::get<request_chat>(decode_client_ok(R"({"v":1,"type":"request_chat"})"));
    CHECK_FALSE(m.about.has_value());
    CHECK_FALSE(m.urgent);
}

TEST_CASE("a request_chat with a topic and urgent flag decodes both", "[protocol]") {
    auto m = std::get<request_chat>(
        decode_client_ok(R"({"v":1,"type":"request_chat","topic":"complaint","urgent":true})"));
    CHECK(m.about == topic::complaint);
    CHECK(m.urgent);
}

TEST_CASE("every topic name decodes in a request_chat", "[protocol]") {
    for (auto t : {topic::workload, topic::clinical_case, topic::complaint, topic::career,
                   topic::personal, topic::other}) {
        const std::string frame =
            R"({"v":1,"type":"request_chat","topic":")" + std::string(to_string(t)) + R"("})";
        CHECK(std::get<request_chat>(decode_client_ok(frame)).about == t);
    }
}

TEST_CASE("leave_queue and ping decode with no members", "[protocol]") {
    CHECK(std::holds_alternative<leave_queue>(decode_client_ok(R"({"v":1,"type":"leave_queue"})")));
    CHECK(std::holds_alternative<ping>(decode_client_ok(R"({"type":"ping","v":1})")));
}

TEST_CASE("set_availability decodes both states", "[protocol]") {
    CHECK(std::get<set_availability>(
              decode_client_ok(R"({"v":1,"type":"set_availability","state":"available"})"))
              .state == availability::available);
    CHECK(std::get<set_availability>(
              decode_client_ok(R"({"v":1,"type":"set_availability","state":"away"})"))
              .state == availability::away);
}

TEST_CASE("accept_offer and decline_offer decode their offer id", "[protocol]") {
    CHECK(std::get<accept_offer>(
              decode_client_ok(R"({"v":1,"type":"accept_offer","offer_id":"o-1_A"})"))
              .offer_id == "o-1_A");
    CHECK(std::get<decline_offer>(
              decode_client_ok(R"({"v":1,"type":"decline_offer","offer_id":"o-2"})"))
              .offer_id == "o-2");
}

TEST_CASE("an offer id of exactly 64 characters is accepted", "[protocol]") {
    const std::string id(64, 'x');
    auto m = decode_client_ok(R"({"v":1,"type":"accept_offer","offer_id":")" + id + R"("})");
    CHECK(std::get<accept_offer>(m).offer_id == id);
}

TEST_CASE("end_conversation decodes the channel range ends and an optional reason", "[protocol]") {
    auto a = std::get<end_conversation>(
        decode_client_ok(R"({"v":1,"type":"end_conversation","channel":1})"));
    CHECK(a.channel == 1);
    CHECK_FALSE(a.reason.has_value());
    auto b = std::get<end_conversation>(decode_client_ok(
        R"({"v":1,"type":"end_conversation","channel":65535,"reason":"gp_left"})"));
    CHECK(b.channel == 65535);
    CHECK(b.reason == end_reason::gp_left);
}

TEST_CASE("a successful decode reports the message type", "[protocol]") {
    auto r = decode_client_message(R"({"v":1,"type":"ping"})", default_limits);
    REQUIRE(r);
    CHECK(r.type == "ping");
}

TEST_CASE("a hello token of exactly 128 bytes is accepted", "[protocol]") {
    const std::string token(128, 'T');
    auto m = decode_client_ok(R"({"v":1,"type":"hello","token":")" + token + R"("})");
    CHECK(std::get<hello>(m).token == token);
}

TEST_CASE("every client message survives encode then decode unchanged", "[protocol]") {
    for (const auto& m : sample_client_messages) {
        const std::string text = encode(m);
        INFO(text);
        CHECK(decode_client_ok(text) == m);
    }
}

TEST_CASE("every server message survives encode then decode unchanged", "[protocol]") {
    for (const auto& m : sample_server_messages) {
        const std::string text = encode(m);
        INFO(text);
        CHECK(decode_server_ok(text) == m);
    }
}

TEST_CASE("encoded frames are compact and start with v then type", "[protocol]") {
    for (const auto& m : sample_client_messages) {
        const std::string text = encode(m);
        const std::string prefix = R"({"v":1,"type":")" + std::string(type_name(m)) + "\"";
        CHECK(text.rfind(prefix, 0) == 0);
        CHECK(text.find(' ') == std::string::npos);
    }
    for (const auto& m : sample_server_messages) {
        const std::string text = encode(m);
        const std::string prefix = R"({"v":1,"type":")" + std::string(type_name(m)) + "\"";
        CHECK(text.rfind(prefix, 0) == 0);
    }
}

TEST_CASE("client messages encode to the documented JSON", "[protocol]") {
    CHECK(encode(client_message{request_chat{topic::workload, true}}) ==
          R"({"v":1,"type":"request_chat","topic":"workload","urgent":true})");
    CHECK(encode(client_message{end_conversation{3, end_reason::completed}}) ==
          R"({"v":1,"type":"end_conversation","channel":3,"reason":"completed"})");
    CHECK(encode(client_message{ping{}}) == R"({"v":1,"type":"ping"})");
}

TEST_CASE("server messages encode to the documented JSON", "[protocol]") {
    CHECK(
        encode(server_message{welcome{role::gp, 8192, 65540}}) ==
        R"({"v":1,"type":"welcome","role":"gp","limits":{"max_control_frame_bytes":8192,"max_relay_frame_bytes":65540}})");
    CHECK(encode(server_message{availability_changed{availability::away}}) ==
          R"({"v":1,"type":"availability","state":"away"})");
    CHECK(encode(server_message{conversation_ended{2, end_reason::shutdown, ended_by::gp}}) ==
          R"({"v":1,"type":"conversation_ended","channel":2,"reason":"shutdown","by":"gp"})");
}

TEST_CASE("a queued notice without an estimate omits estimated_wait_s", "[protocol]") {
    CHECK(encode(server_message{queued{2, std::nullopt}}) ==
          R"({"v":1,"type":"queued","position":2})");
    CHECK(encode(server_message{queued{2, 0u}}) ==
          R"({"v":1,"type":"queued","position":2,"estimated_wait_s":0})");
}

TEST_CASE("an error without in_reply_to omits the member", "[protocol]") {
    const auto text =
        encode(server_message{error_message{make_error(error_code::rate_limited), ""}});
    CHECK(text.find("in_reply_to") == std::string::npos);
    CHECK(text.find(R"("code":"rate_limited")") != std::string::npos);
}

TEST_CASE("every error code round-trips through an error frame", "[protocol]") {
    for (int i = 0; i <= static_cast<int>(error_code::internal_error); ++i) {
        const auto code = static_cast<error_code>(i);
        const server_message m{error_message{make_error(code), "hello"}};
        CHECK(decode_server_ok(encode(m)) == m);
    }
}

TEST_CASE("error codes have distinct names and non-empty default messages", "[protocol]") {
    std::vector<std::string_view> seen;
    for (int i = 0; i <= static_cast<int>(error_code::internal_error); ++i) {
        const auto code = static_cast<error_code>(i);
        CHECK(std::find(seen.begin(), seen.end(), to_string(code)) == seen.end());
        seen.push_back(to_string(code));
        CHECK_FALSE(default_message(code).empty());
    }
}

TEST_CASE("make_error appends a detail after the default message", "[protocol]") {
    CHECK(make_error(error_code::missing_field, "token").message ==
          std::string(default_message(error_code::missing_field)) + ": token");
    CHECK(make_error(error_code::missing_field).message ==
          default_message(error_code::missing_field));
}

TEST_CASE("enum names round-trip through their parsers", "[protocol]") {
    for (auto r : {role::gp, role::listener, role::admin}) {
        CHECK(role_from_string(to_string(r)) == r);
    }
    for (auto e : {end_reason::completed, end_reason::gp_left, end_reason::safeguarding_referral,
                   end_reason::technical, end_reason::partner_disconnected, end_reason::shutdown,
                   end_reason::other}) {
        CHECK(end_reason_from_string(to_string(e)) == e);
    }
    for (auto b : {ended_by::gp, ended_by::listener, ended_by::server}) {
        CHECK(ended_by_from_string(to_string(b)) == b);
    }
    CHECK(availability_from_string("busy") == std::nullopt);
    CHECK(role_from_string("GP") == std::nullopt);
}

TEST_CASE("welcome decodes its nested limits even with a depth limit of 1", "[protocol]") {
    limits strict;
    strict.max_json_depth = 1;
    auto m = decode_server_ok(
        R"({"v":1,"type":"welcome","role":"admin","limits":{"max_control_frame_bytes":100,"max_relay_frame_bytes":200}})",
        strict);
    CHECK(std::get<welcome>(m) == welcome{role::admin, 100, 200});
}

TEST_CASE("a server decode rejects what the spec does not allow", "[protocol]") {
    auto code_of = [](std::string_view frame) {
        auto r = decode_server_message(frame, default_limits);
        REQUIRE(r.err);
        return std::string(to_string(r.err->code));
    };
    CHECK(code_of(R"({"v":1,"type":"hello","token":"x"})") == "unknown_type");
    CHECK(code_of(R"({"v":1,"type":"pong","extra":1})") == "unknown_field");
    CHECK(code_of(R"({"v":1,"type":"error","code":"made_up","message":"m"})") ==
          "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"offer_withdrawn","offer_id":"a","reason":"bored"})") ==
          "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"queued","position":0})") == "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"welcome","role":"gp","limits":7})") == "wrong_field_type");
    CHECK(
        code_of(R"({"v":1,"type":"welcome","role":"gp","limits":{"max_control_frame_bytes":1}})") ==
        "missing_field");
    CHECK(code_of(R"({"v":1,"type":"offer","offer_id":"a","expires_in_ms":5})") == "missing_field");
}

TEST_CASE("a missing field inside welcome's limits is named with its path", "[protocol]") {
    auto r = decode_server_message(
        R"({"v":1,"type":"welcome","role":"gp","limits":{"max_control_frame_bytes":1}})",
        default_limits);
    REQUIRE(r.err);
    CHECK(r.err->message.find("limits.max_relay_frame_bytes") != std::string::npos);
}

TEST_CASE("an error message may carry a NUL character and still round-trips", "[protocol]") {
    const server_message m{
        error_message{error{error_code::internal_error, std::string("a\0b", 3)}, ""}};
    CHECK(decode_server_ok(encode(m)) == m);
}

TEST_CASE("type_name gives the wire type of every message", "[protocol]") {
    CHECK(type_name(client_message{set_availability{}}) == "set_availability");
    CHECK(type_name(client_message{end_conversation{}}) == "end_conversation");
    CHECK(type_name(server_message{availability_changed{}}) == "availability");
    CHECK(type_name(server_message{error_message{}}) == "error");
    CHECK(type_name(server_message{shutdown_notice{}}) == "shutdown");
}

TEST_CASE("role_allowed follows the role matrix", "[protocol]") {
    struct row {
        client_message m;
        bool gp, listener, admin;
    };
    const row matrix[] = {
        {hello{"t"}, true, true, true},
        {ping{}, true, true, true},
        {request_chat{}, true, false, false},
        {leave_queue{}, true, false, false},
        {set_availability{}, false, true, false},
        {accept_offer{"o"}, false, true, false},
        {decline_offer{"o"}, false, true, false},
        {end_conversation{1, std::nullopt}, true, true, false},
    };
    for (const auto& r : matrix) {
        INFO(type_name(r.m));
        CHECK(role_allowed(r.m, role::gp) == r.gp);
        CHECK(role_allowed(r.m, role::listener) == r.listener);
        CHECK(role_allowed(r.m, role::admin) == r.admin);
    }
}
