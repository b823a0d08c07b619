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
    request_chat{topic::clinical_case, true, std::nullopt},
    request_chat{topic::other, false, std::nullopt},
    request_chat{std::nullopt, false, "c0ntinuity_Code-1"},
    request_chat{topic::personal, true, std::string(64, 'k')},
    leave_queue{},
    set_availability{availability::available},
    set_availability{availability::away},
    accept_offer{"off_3f9a-B"},
    decline_offer{"0123456789abcdef0123456789abcdef"},
    end_conversation{1, std::nullopt},
    end_conversation{65535, end_reason::safeguarding_referral},
    ping{},
    escalate{1},
    escalate{65535},
};

const std::vector<server_message> sample_server_messages{
    welcome{role::listener, 8192, 65540},
    queued{3, std::nullopt},
    queued{1, 240u},
    left_queue{},
    availability_changed{listener_state::available, std::nullopt, std::nullopt},
    availability_changed{listener_state::busy, std::nullopt, std::nullopt},
    availability_changed{listener_state::wrapup, "wrapup", 1767225600000u},
    availability_changed{listener_state::away, "offer_missed", std::nullopt},
    availability_changed{listener_state::away, "shift_ended", std::nullopt},
    availability_changed{listener_state::away, "shift_limit", std::nullopt},
    availability_changed{listener_state::wrapup, std::nullopt, 0u},
    offer{"a1b2c3", topic::career, true, 30000},
    offer{"a1b2c3", std::nullopt, false, 0},
    offer_withdrawn{"a1b2c3", "taken"},
    conversation_started{7, "4f2a9c0de1b3", role::gp},
    conversation_ended{7, end_reason::partner_disconnected, ended_by::server, std::nullopt},
    conversation_ended{1, end_reason::completed, ended_by::listener, "k9_Zq-3"},
    error_message{make_error(error_code::wrong_role, "request_chat"), "request_chat"},
    error_message{make_error(error_code::internal_error), ""},
    shutdown_notice{"The server is restarting for maintenance.", 5000},
    pong{},
    signposting{signpost_reason::closed,
                1767258000000u,
                {{"Samaritans", "116 123", "24/7"},
                 {"NHS Practitioner Health", "0300 0303 300", "Mon-Fri 08:00-20:00"}}},
    signposting{signpost_reason::no_one_on_shift, std::nullopt, {}},
    signposting{signpost_reason::max_wait, 0u, {{"", "", ""}}},
    escalation_sent{3, 0},
    escalation_sent{65535, 4294967295u},
    escalation{"dr.ames", "9b1e4f0a7c2d8e63"},
    escalation{"a_b", std::string(64, 'c')},
    escalation{std::string(32, 'z'), "c"},
    partner_status{1, "reconnecting"},
    partner_status{65535, "back"},
    live_stats{},
    live_stats{3, 250, 1, 4, {6, 5, 1, 4, 0, 0}},
    live_stats{4294967295u, 4294967295u, 0, 0, {0, 0, 0, 0, 0, 4294967295u}},
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

TEST_CASE("the samples cover every message type", "[protocol]") {
    std::vector<bool> client_seen(std::variant_size_v<client_message>, false);
    for (const auto& m : sample_client_messages) {
        client_seen[m.index()] = true;
    }
    std::vector<bool> server_seen(std::variant_size_v<server_message>, false);
    for (const auto& m : sample_server_messages) {
        server_seen[m.index()] = true;
    }
    CHECK(std::find(client_seen.begin(), client_seen.end(), false) == client_seen.end());
    CHECK(std::find(server_seen.begin(), server_seen.end(), false) == server_seen.end());
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
    CHECK(encode(client_message{request_chat{topic::workload, true, std::nullopt}}) ==
          R"({"v":1,"type":"request_chat","topic":"workload","urgent":true})");
    CHECK(encode(client_message{request_chat{std::nullopt, false, "k9_Zq-3"}}) ==
          R"({"v":1,"type":"request_chat","urgent":false,"continuity_code":"k9_Zq-3"})");
    CHECK(encode(client_message{escalate{4}}) == R"({"v":1,"type":"escalate","channel":4})");
    CHECK(encode(client_message{end_conversation{3, end_reason::completed}}) ==
          R"({"v":1,"type":"end_conversation","channel":3,"reason":"completed"})");
    CHECK(encode(client_message{ping{}}) == R"({"v":1,"type":"ping"})");
}

TEST_CASE("server messages encode to the documented JSON", "[protocol]") {
    CHECK(
        encode(server_message{welcome{role::gp, 8192, 65540}}) ==
        R"({"v":1,"type":"welcome","role":"gp","limits":{"max_control_frame_bytes":8192,"max_relay_frame_bytes":65540}})");
    CHECK(encode(server_message{
              availability_changed{listener_state::away, std::nullopt, std::nullopt}}) ==
          R"({"v":1,"type":"availability","state":"away"})");
    CHECK(
        encode(server_message{
            availability_changed{listener_state::wrapup, "wrapup", 1767225600000u}}) ==
        R"({"v":1,"type":"availability","state":"wrapup","reason":"wrapup","until_ms":1767225600000})");
    CHECK(encode(server_message{
              conversation_ended{2, end_reason::shutdown, ended_by::gp, std::nullopt}}) ==
          R"({"v":1,"type":"conversation_ended","channel":2,"reason":"shutdown","by":"gp"})");
    CHECK(
        encode(server_message{
            conversation_ended{1, end_reason::completed, ended_by::listener, "k9_Zq-3"}}) ==
        R"({"v":1,"type":"conversation_ended","channel":1,"reason":"completed","by":"listener","continuity_code":"k9_Zq-3"})");
    CHECK(
        encode(server_message{signposting{
            signpost_reason::closed, 1767258000000u, {{"Samaritans", "116 123", "24/7"}}}}) ==
        R"({"v":1,"type":"signposting","reason":"closed","next_shift_start_ms":1767258000000,"alternatives":[{"name":"Samaritans","contact":"116 123","hours":"24/7"}]})");
    CHECK(encode(server_message{escalation_sent{1, 2}}) ==
          R"({"v":1,"type":"escalation_sent","channel":1,"supervisors":2})");
    CHECK(encode(server_message{escalation{"dr.ames", "9b1e4f0a"}}) ==
          R"({"v":1,"type":"escalation","listener":"dr.ames","conversation_id":"9b1e4f0a"})");
    CHECK(encode(server_message{partner_status{3, "back"}}) ==
          R"({"v":1,"type":"partner_status","channel":3,"state":"back"})");
}

TEST_CASE("signposting without alternatives or a next shift still sends an empty list",
          "[protocol]") {
    CHECK(encode(server_message{signposting{signpost_reason::no_one_on_shift, std::nullopt, {}}}) ==
          R"({"v":1,"type":"signposting","reason":"no_one_on_shift","alternatives":[]})");
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
    for (auto s : {listener_state::available, listener_state::busy, listener_state::wrapup,
                   listener_state::away}) {
        CHECK(listener_state_from_string(to_string(s)) == s);
    }
    for (auto r :
         {signpost_reason::closed, signpost_reason::no_one_on_shift, signpost_reason::max_wait}) {
        CHECK(signpost_reason_from_string(to_string(r)) == r);
    }
    CHECK(to_string(listener_state::wrapup) == "wrapup");
    CHECK(to_string(signpost_reason::no_one_on_shift) == "no_one_on_shift");
    CHECK(availability_from_string("busy") == std::nullopt);
    CHECK(listener_state_from_string("offline") == std::nullopt);
    CHECK(listener_state_from_string("Busy") == std::nullopt);
    CHECK(signpost_reason_from_string("open") == std::nullopt);
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

TEST_CASE("signposting decodes its alternatives even with a depth limit of 1", "[protocol]") {
    limits strict;
    strict.max_json_depth = 1;
    auto m = decode_server_ok(
        R"({"v":1,"type":"signposting","reason":"max_wait","alternatives":[{"name":"n","contact":"c","hours":"h"}]})",
        strict);
    CHECK(std::get<signposting>(m) ==
          signposting{signpost_reason::max_wait, std::nullopt, {{"n", "c", "h"}}});
}

TEST_CASE("signposting accepts exactly 16 alternatives", "[protocol]") {
    std::string frame = R"({"v":1,"type":"signposting","reason":"closed","alternatives":[)";
    for (int i = 0; i < 16; ++i) {
        frame += (i ? "," : "") + std::string(R"({"name":"n","contact":"c","hours":"h"})");
    }
    frame += "]}";
    CHECK(std::get<signposting>(decode_server_ok(frame)).alternatives.size() == 16);
}

TEST_CASE("request_chat decodes a continuity code", "[protocol]") {
    auto m = std::get<request_chat>(decode_client_ok(
        R"({"v":1,"type":"request_chat","topic":"career","continuity_code":"Ab-9_z"})"));
    CHECK(m.continuity_code == "Ab-9_z");
    CHECK(m.about == topic::career);
    CHECK_FALSE(m.urgent);
}

TEST_CASE("escalate decodes its channel", "[protocol]") {
    CHECK(
        std::get<escalate>(decode_client_ok(R"({"v":1,"type":"escalate","channel":12})")).channel ==
        12);
}

TEST_CASE("the new server messages decode from their documented JSON", "[protocol]") {
    CHECK(std::get<availability_changed>(decode_server_ok(
              R"({"v":1,"type":"availability","state":"away","reason":"shift_ended"})")) ==
          availability_changed{listener_state::away, "shift_ended", std::nullopt});
    CHECK(std::get<availability_changed>(
              decode_server_ok(R"({"v":1,"type":"availability","state":"busy"})")) ==
          availability_changed{listener_state::busy, std::nullopt, std::nullopt});
    CHECK(
        std::get<conversation_ended>(decode_server_ok(
            R"({"v":1,"type":"conversation_ended","channel":1,"reason":"completed","by":"listener","continuity_code":"x"})")) ==
        conversation_ended{1, end_reason::completed, ended_by::listener, "x"});
    CHECK(std::get<escalation_sent>(decode_server_ok(
              R"({"v":1,"type":"escalation_sent","channel":2,"supervisors":0})")) ==
          escalation_sent{2, 0});
    CHECK(std::get<escalation>(decode_server_ok(
              R"({"v":1,"type":"escalation","listener":"sam-1","conversation_id":"c1"})")) ==
          escalation{"sam-1", "c1"});
    CHECK(std::get<partner_status>(decode_server_ok(
              R"({"v":1,"type":"partner_status","channel":9,"state":"reconnecting"})")) ==
          partner_status{9, "reconnecting"});
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
    // availability
    CHECK(code_of(R"({"v":1,"type":"availability","state":"offline"})") == "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"availability","state":"Away"})") == "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"availability","state":1})") == "wrong_field_type");
    CHECK(code_of(R"({"v":1,"type":"availability"})") == "missing_field");
    CHECK(code_of(R"({"v":1,"type":"availability","state":"away","reason":"tired"})") ==
          "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"availability","state":"away","reason":"available"})") ==
          "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"availability","state":"away","reason":null})") ==
          "wrong_field_type");
    CHECK(code_of(R"({"v":1,"type":"availability","state":"wrapup","until_ms":-1})") ==
          "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"availability","state":"wrapup","until_ms":1.5})") ==
          "wrong_field_type");
    CHECK(code_of(R"({"v":1,"type":"availability","state":"wrapup","until_ms":"1"})") ==
          "wrong_field_type");
    CHECK(code_of(R"({"v":1,"type":"availability","state":"away","why":"x"})") == "unknown_field");
    // conversation_ended
    CHECK(
        code_of(
            R"({"v":1,"type":"conversation_ended","channel":1,"reason":"completed","by":"gp","continuity_code":"a b"})") ==
        "invalid_field_value");
    CHECK(
        code_of(
            R"({"v":1,"type":"conversation_ended","channel":1,"reason":"completed","by":"gp","continuity_code":""})") ==
        "invalid_field_value");
    CHECK(
        code_of(
            R"({"v":1,"type":"conversation_ended","channel":1,"reason":"completed","by":"gp","continuity_code":7})") ==
        "wrong_field_type");
    // escalation_sent
    CHECK(code_of(R"({"v":1,"type":"escalation_sent","channel":0,"supervisors":1})") ==
          "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"escalation_sent","channel":1,"supervisors":-1})") ==
          "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"escalation_sent","channel":1,"supervisors":4294967296})") ==
          "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"escalation_sent","channel":1})") == "missing_field");
    // escalation
    CHECK(code_of(R"({"v":1,"type":"escalation","listener":"ab","conversation_id":"c"})") ==
          "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"escalation","listener":")" + std::string(33, 'a') +
                  R"(","conversation_id":"c"})") == "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"escalation","listener":"Dr.Ames","conversation_id":"c"})") ==
          "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"escalation","listener":"dr ames","conversation_id":"c"})") ==
          "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"escalation","listener":"dr.ames","conversation_id":"c.1"})") ==
          "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"escalation","listener":"dr.ames"})") == "missing_field");
    // partner_status
    CHECK(code_of(R"({"v":1,"type":"partner_status","channel":1,"state":"gone"})") ==
          "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"partner_status","channel":1,"state":"Back"})") ==
          "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"partner_status","channel":0,"state":"back"})") ==
          "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"partner_status","channel":1})") == "missing_field");
    // live_stats: every count present, non-negative, no extras, nothing else nested
    const std::string listeners = R"("listeners":{"rostered":1,"online":1,"available":1,"busy":0,"wrapup":0,"away":0})";
    const std::string counts = R"("waiting":2,"longest_wait_s":30,"offers_pending":1,"conversations_active":0,)";
    CHECK(std::get<live_stats>(decode_server_ok(R"({"v":1,"type":"live_stats","live":{)" + counts +
                                                listeners + "}}"))
              .waiting == 2);
    CHECK(code_of(R"({"v":1,"type":"live_stats","live":{"waiting":-1,"longest_wait_s":30,"offers_pending":1,"conversations_active":0,)" +
                  listeners + "}}") == "invalid_field_value");
    CHECK(code_of(R"({"v":1,"type":"live_stats","live":{)" + counts + listeners + R"(,"gp":"x"}})") ==
          "unknown_field");
    CHECK(code_of(R"({"v":1,"type":"live_stats","live":{)" + counts.substr(0, counts.size() - 1) + "}}") ==
          "missing_field");
    CHECK(code_of(R"({"v":1,"type":"live_stats"})") == "missing_field");
}

TEST_CASE("a server decode rejects signposting that breaks the spec", "[protocol]") {
    auto code_of = [](const std::string& frame) {
        auto r = decode_server_message(frame, default_limits);
        INFO(frame);
        REQUIRE(r.err);
        REQUIRE_FALSE(r.value);
        return std::string(to_string(r.err->code));
    };
    const std::string alt = R"({"name":"n","contact":"c","hours":"h"})";
    auto with = [](const std::string& members) {
        return R"({"v":1,"type":"signposting",)" + members + "}";
    };
    std::string seventeen;
    for (int i = 0; i < 17; ++i) {
        seventeen += (i ? "," : "") + alt;
    }
    CHECK(code_of(with(R"("reason":"closed","alternatives":[)" + seventeen + "]")) ==
          "invalid_field_value");
    CHECK(code_of(with(R"("reason":"closed")")) == "missing_field");
    CHECK(code_of(with(R"("alternatives":[])")) == "missing_field");
    CHECK(code_of(with(R"("reason":"open","alternatives":[])")) == "invalid_field_value");
    CHECK(code_of(with(R"("reason":"Closed","alternatives":[])")) == "invalid_field_value");
    CHECK(code_of(with(R"("reason":2,"alternatives":[])")) == "wrong_field_type");
    CHECK(code_of(with(R"("reason":"closed","alternatives":{})")) == "wrong_field_type");
    CHECK(code_of(with(R"("reason":"closed","alternatives":null)")) == "wrong_field_type");
    CHECK(code_of(with(R"("reason":"closed","alternatives":"none")")) == "wrong_field_type");
    CHECK(code_of(with(R"("reason":"closed","alternatives":["Samaritans"])")) ==
          "wrong_field_type");
    CHECK(code_of(with(R"("reason":"closed","alternatives":[[]])")) == "wrong_field_type");
    CHECK(code_of(with(R"("reason":"closed","alternatives":[)" + alt + ",null]")) ==
          "wrong_field_type");
    CHECK(
        code_of(with(
            R"("reason":"closed","alternatives":[{"name":"n","contact":"c","hours":"h","url":"u"}])")) ==
        "unknown_field");
    CHECK(code_of(with(R"("reason":"closed","alternatives":[{"name":"n","contact":"c"}])")) ==
          "missing_field");
    CHECK(code_of(with(
              R"("reason":"closed","alternatives":[{"name":"n","contact":"c","hours":24}])")) ==
          "wrong_field_type");
    CHECK(code_of(with(R"("reason":"closed","next_shift_start_ms":-5,"alternatives":[])")) ==
          "invalid_field_value");
    CHECK(code_of(with(R"("reason":"closed","next_shift_start_ms":1e12,"alternatives":[])")) ==
          "wrong_field_type");
    CHECK(code_of(with(R"("reason":"closed","next_shift_start_ms":null,"alternatives":[])")) ==
          "wrong_field_type");
    CHECK(code_of(with(R"("reason":"closed","alternatives":[],"extra":1)")) == "unknown_field");
    CHECK(code_of(with(R"("reason":"closed","alternatives":[{"name":{"x":1}}])")) ==
          "wrong_field_type");
}

TEST_CASE("server frames may nest three levels, not four, under a stricter client limit",
          "[protocol]") {
    limits strict;
    strict.max_json_depth = 1;
    auto r = decode_server_message(
        R"({"v":1,"type":"signposting","reason":"closed","alternatives":[{"name":{"x":1}}]})",
        strict);
    REQUIRE(r.err);
    CHECK(r.err->code == error_code::nesting_too_deep);
    // The client side keeps the configured limit: depth 3 is too deep at 2.
    strict.max_json_depth = 2;
    auto c = decode_client_message(R"({"v":1,"type":"ping","x":[{}]})", strict);
    REQUIRE(c.err);
    CHECK(c.err->code == error_code::nesting_too_deep);
}

TEST_CASE("a bad alternative is named by its index and member", "[protocol]") {
    auto r = decode_server_message(
        R"({"v":1,"type":"signposting","reason":"closed","alternatives":[{"name":"n","contact":"c","hours":"h"},{"name":"n","contact":"c"}]})",
        default_limits);
    REQUIRE(r.err);
    CHECK(r.err->message.find("alternatives[1].hours") != std::string::npos);
    auto s = decode_server_message(
        R"({"v":1,"type":"signposting","reason":"closed","alternatives":[7]})", default_limits);
    REQUIRE(s.err);
    CHECK(s.err->code == error_code::wrong_field_type);
    CHECK(s.err->message.find("alternatives[0]") != std::string::npos);
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
    CHECK(type_name(client_message{escalate{}}) == "escalate");
    CHECK(type_name(server_message{signposting{}}) == "signposting");
    CHECK(type_name(server_message{escalation_sent{}}) == "escalation_sent");
    CHECK(type_name(server_message{escalation{}}) == "escalation");
    CHECK(type_name(server_message{partner_status{}}) == "partner_status");
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
        {escalate{1}, false, true, false},
    };
    for (const auto& r : matrix) {
        INFO(type_name(r.m));
        CHECK(role_allowed(r.m, role::gp) == r.gp);
        CHECK(role_allowed(r.m, role::listener) == r.listener);
        CHECK(role_allowed(r.m, role::admin) == r.admin);
    }
}
