// Malformed and hostile control frames: each must be refused with the specific
// error code from docs/PROTOCOL.md, without crashing, deep recursion or large
// allocations, and without echoing the client's bytes in the message.
#include "peerline/protocol/messages.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

using namespace peerline::protocol;

namespace {

const limits default_limits{};

// The error code of a frame the decoder must refuse, as its wire name so that
// Catch prints something readable on failure.
std::string client_error(std::string_view frame, const limits& lim = default_limits) {
    auto r = decode_client_message(frame, lim);
    INFO("frame: " << std::string(frame.substr(0, 200)));
    REQUIRE(r.err);
    REQUIRE_FALSE(r.value);
    return std::string(to_string(r.err->code));
}

std::string hello_with_token(const std::string& token) {
    return R"({"v":1,"type":"hello","token":")" + token + R"("})";
}

} // namespace

// --- Framing and syntax ----------------------------------------------------

TEST_CASE("an empty frame is malformed JSON", "[protocol][hostile]") {
    CHECK(client_error("") == "malformed_json");
}

TEST_CASE("text that is not JSON is malformed JSON", "[protocol][hostile]") {
    CHECK(client_error("hello there") == "malformed_json");
    CHECK(client_error("{v:1,type:ping}") == "malformed_json");
    CHECK(client_error("{'v':1,'type':'ping'}") == "malformed_json");
}

TEST_CASE("truncated JSON is malformed JSON", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1,"type":"ping")") == "malformed_json");
    CHECK(client_error(R"({"v":1,"type":"pi)") == "malformed_json");
    CHECK(client_error("{") == "malformed_json");
}

TEST_CASE("trailing bytes after the object are malformed JSON", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1,"type":"ping"} x)") == "malformed_json");
    CHECK(client_error(R"({"v":1,"type":"ping"}{"v":1,"type":"ping"})") == "malformed_json");
}

TEST_CASE("JSON comments are malformed JSON", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1,/* hi */"type":"ping"})") == "malformed_json");
}

TEST_CASE("invalid UTF-8 bytes in a string are malformed JSON", "[protocol][hostile]") {
    CHECK(client_error("{\"v\":1,\"type\":\"hello\",\"token\":\"\xff\xfe\"}") == "malformed_json");
    // An overlong encoding of '/' and a truncated multi-byte sequence.
    CHECK(client_error("{\"v\":1,\"type\":\"hello\",\"token\":\"\xc0\xaf\"}") == "malformed_json");
    CHECK(client_error("{\"v\":1,\"type\":\"hello\",\"token\":\"\xe2\x82\"}") == "malformed_json");
}

TEST_CASE("a lone UTF-16 surrogate escape is malformed JSON", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1,"type":"hello","token":"\ud800"})") == "malformed_json");
}

TEST_CASE("a raw control byte inside a string is malformed JSON", "[protocol][hostile]") {
    const std::string frame = std::string(R"({"v":1,"type":"hello","token":"a)") + '\0' + "b\"}";
    CHECK(client_error(frame) == "malformed_json");
    CHECK(client_error("{\"v\":1,\"type\":\"hello\",\"token\":\"a\nb\"}") == "malformed_json");
}

TEST_CASE("numbers JSON cannot represent are malformed JSON", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1,"type":"end_conversation","channel":1e999})") == "malformed_json");
    CHECK(client_error(R"({"v":1,"type":"end_conversation","channel":NaN})") == "malformed_json");
    CHECK(client_error(R"({"v":1,"type":"end_conversation","channel":01})") == "malformed_json");
}

TEST_CASE("a top-level value that is not an object is refused", "[protocol][hostile]") {
    CHECK(client_error(R"([{"v":1,"type":"ping"}])") == "not_an_object");
    CHECK(client_error(R"("ping")") == "not_an_object");
    CHECK(client_error("42") == "not_an_object");
    CHECK(client_error("null") == "not_an_object");
    CHECK(client_error("true") == "not_an_object");
}

// --- Limits ----------------------------------------------------------------

TEST_CASE("10,000 opening brackets are refused as too deep without recursion",
          "[protocol][hostile]") {
    limits roomy;
    roomy.max_control_frame_bytes = 1 << 20;
    CHECK(client_error(std::string(10'000, '['), roomy) == "nesting_too_deep");
}

TEST_CASE("a megabyte of nested objects is refused as too deep", "[protocol][hostile]") {
    limits roomy;
    roomy.max_control_frame_bytes = 2 << 20;
    std::string frame;
    for (int i = 0; i < 200'000; ++i) {
        frame += R"({"a":)";
    }
    CHECK(client_error(frame, roomy) == "nesting_too_deep");
}

TEST_CASE("nesting up to the depth limit parses and one more level does not",
          "[protocol][hostile]") {
    // The top-level object is depth 1, so [[[1]]] inside it reaches depth 4.
    CHECK(client_error(R"({"v":1,"type":"ping","x":[[[1]]]})") == "unknown_field");
    CHECK(client_error(R"({"v":1,"type":"ping","x":[[[[1]]]]})") == "nesting_too_deep");
}

TEST_CASE("a frame over the control limit is refused before parsing", "[protocol][hostile]") {
    limits lim;
    const std::string pad(lim.max_control_frame_bytes, ' ');
    // Valid JSON padded one byte over the limit, and garbage of the same size.
    CHECK(client_error(R"({"v":1,"type":"ping"})" + pad) == "frame_too_large");
    CHECK(client_error(std::string(lim.max_control_frame_bytes + 1, '[')) == "frame_too_large");
}

TEST_CASE("a frame of exactly the control limit is parsed", "[protocol][hostile]") {
    limits lim;
    std::string frame = R"({"v":1,"type":"ping"})";
    frame.append(lim.max_control_frame_bytes - frame.size(), ' ');
    CHECK(decode_client_message(frame, lim).value.has_value());
}

TEST_CASE("a string value over the string limit is refused", "[protocol][hostile]") {
    const std::string big(default_limits.max_string_bytes + 1, 'a');
    CHECK(client_error(hello_with_token(big)) == "string_too_long");
    CHECK(client_error(R"({"v":1,"type":"ping","x":")" + big + R"("})") == "string_too_long");
}

TEST_CASE("the string limit counts bytes after unescaping", "[protocol][hostile]") {
    // 86 escapes of a 3-byte character: 516 bytes of JSON, 258 bytes of text.
    std::string s;
    for (int i = 0; i < 86; ++i) {
        s += "\\u20ac";
    }
    CHECK(client_error(hello_with_token(s)) == "string_too_long");
}

TEST_CASE("a member name over the string limit is refused", "[protocol][hostile]") {
    const std::string name(default_limits.max_string_bytes + 1, 'k');
    CHECK(client_error(R"({"v":1,"type":"ping",")" + name + R"(":1})") == "string_too_long");
}

TEST_CASE("an object with too many members is refused", "[protocol][hostile]") {
    std::string frame = R"({"v":1,"type":"ping")";
    for (std::size_t i = 0; i < default_limits.max_object_members; ++i) {
        frame += ",\"m" + std::to_string(i) + "\":0";
    }
    frame += "}";
    CHECK(client_error(frame) == "too_many_fields");
}

TEST_CASE("a nested object with too many members is refused", "[protocol][hostile]") {
    std::string frame = R"({"v":1,"type":"ping","x":{)";
    for (std::size_t i = 0; i <= default_limits.max_object_members; ++i) {
        frame += (i ? ",\"m" : "\"m") + std::to_string(i) + "\":0";
    }
    frame += "}}";
    CHECK(client_error(frame) == "too_many_fields");
}

TEST_CASE("a duplicate member name is refused", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1,"type":"hello","token":"a","token":"b"})") == "duplicate_field");
    CHECK(client_error(R"({"v":1,"type":"ping","type":"hello"})") == "duplicate_field");
    CHECK(client_error(R"({"v":1,"v":1,"type":"ping"})") == "duplicate_field");
}

// --- Envelope --------------------------------------------------------------

TEST_CASE("a frame without v is refused as missing_version", "[protocol][hostile]") {
    CHECK(client_error(R"({"type":"ping"})") == "missing_version");
    CHECK(client_error("{}") == "missing_version");
}

TEST_CASE("a missing version still reports the type it was sent with", "[protocol][hostile]") {
    auto r = decode_client_message(R"({"type":"leave_queue"})", default_limits);
    REQUIRE(r.err);
    CHECK(r.type == "leave_queue");
}

TEST_CASE("any v other than the integer 1 is unsupported", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":2,"type":"ping"})") == "unsupported_version");
    CHECK(client_error(R"({"v":0,"type":"ping"})") == "unsupported_version");
    CHECK(client_error(R"({"v":-1,"type":"ping"})") == "unsupported_version");
    CHECK(client_error(R"({"v":"1","type":"ping"})") == "unsupported_version");
    CHECK(client_error(R"({"v":1.0,"type":"ping"})") == "unsupported_version");
    CHECK(client_error(R"({"v":true,"type":"ping"})") == "unsupported_version");
    CHECK(client_error(R"({"v":null,"type":"ping"})") == "unsupported_version");
}

TEST_CASE("a frame without a string type is refused as missing_type", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1})") == "missing_type");
    CHECK(client_error(R"({"v":1,"type":42})") == "missing_type");
    CHECK(client_error(R"({"v":1,"type":["ping"]})") == "missing_type");
    CHECK(client_error(R"({"v":1,"type":null})") == "missing_type");
}

TEST_CASE("an unknown type is refused and reported for in_reply_to", "[protocol][hostile]") {
    auto r = decode_client_message(R"({"v":1,"type":"shout"})", default_limits);
    REQUIRE(r.err);
    CHECK(r.err->code == error_code::unknown_type);
    CHECK(r.type == "shout");
    CHECK(r.err->message.find("shout") == std::string::npos);
}

TEST_CASE("types are case-sensitive and server types are not client types", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1,"type":"PING"})") == "unknown_type");
    CHECK(client_error(R"({"v":1,"type":"welcome"})") == "unknown_type");
    CHECK(client_error(R"({"v":1,"type":""})") == "unknown_type");
}

// --- Message bodies --------------------------------------------------------

TEST_CASE("a missing required member is refused and named", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1,"type":"hello"})") == "missing_field");
    CHECK(client_error(R"({"v":1,"type":"set_availability"})") == "missing_field");
    CHECK(client_error(R"({"v":1,"type":"accept_offer"})") == "missing_field");
    CHECK(client_error(R"({"v":1,"type":"end_conversation","reason":"completed"})") ==
          "missing_field");
    auto r = decode_client_message(R"({"v":1,"type":"decline_offer"})", default_limits);
    REQUIRE(r.err);
    CHECK(r.err->message.find("offer_id") != std::string::npos);
}

TEST_CASE("members of the wrong JSON type are refused", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1,"type":"hello","token":123})") == "wrong_field_type");
    CHECK(client_error(R"({"v":1,"type":"request_chat","urgent":"true"})") == "wrong_field_type");
    CHECK(client_error(R"({"v":1,"type":"request_chat","urgent":1})") == "wrong_field_type");
    CHECK(client_error(R"({"v":1,"type":"request_chat","topic":3})") == "wrong_field_type");
    CHECK(client_error(R"({"v":1,"type":"set_availability","state":null})") == "wrong_field_type");
    CHECK(client_error(R"({"v":1,"type":"accept_offer","offer_id":["a"]})") == "wrong_field_type");
    CHECK(client_error(R"({"v":1,"type":"accept_offer","offer_id":{"id":"a"}})") ==
          "wrong_field_type");
}

TEST_CASE("a channel must be a JSON integer", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1,"type":"end_conversation","channel":"3"})") == "wrong_field_type");
    CHECK(client_error(R"({"v":1,"type":"end_conversation","channel":1.5})") == "wrong_field_type");
    CHECK(client_error(R"({"v":1,"type":"end_conversation","channel":3.0})") == "wrong_field_type");
    CHECK(client_error(R"({"v":1,"type":"end_conversation","channel":1e2})") == "wrong_field_type");
    // Beyond 64 bits nlohmann can only hold it as a float.
    CHECK(client_error(R"({"v":1,"type":"end_conversation","channel":99999999999999999999999})") ==
          "wrong_field_type");
}

TEST_CASE("a channel outside 1..65535 is an invalid value", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1,"type":"end_conversation","channel":0})") ==
          "invalid_field_value");
    CHECK(client_error(R"({"v":1,"type":"end_conversation","channel":65536})") ==
          "invalid_field_value");
    CHECK(client_error(R"({"v":1,"type":"end_conversation","channel":70000})") ==
          "invalid_field_value");
    CHECK(client_error(R"({"v":1,"type":"end_conversation","channel":-1})") ==
          "invalid_field_value");
    CHECK(client_error(R"({"v":1,"type":"end_conversation","channel":-0})") ==
          "invalid_field_value");
}

TEST_CASE("enum members outside their set are invalid values", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1,"type":"request_chat","topic":"gossip"})") ==
          "invalid_field_value");
    CHECK(client_error(R"({"v":1,"type":"request_chat","topic":"Workload"})") ==
          "invalid_field_value");
    CHECK(client_error(R"({"v":1,"type":"set_availability","state":"busy"})") ==
          "invalid_field_value");
    CHECK(client_error(R"({"v":1,"type":"end_conversation","channel":1,"reason":"bored"})") ==
          "invalid_field_value");
}

TEST_CASE("a member the type does not define is refused without naming it", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1,"type":"ping","extra":1})") == "unknown_field");
    CHECK(client_error(R"({"v":1,"type":"leave_queue","position":1})") == "unknown_field");
    auto r = decode_client_message(R"({"v":1,"type":"hello","token":"t","my_secret_name":true})",
                                   default_limits);
    REQUIRE(r.err);
    CHECK(r.err->code == error_code::unknown_field);
    CHECK(r.err->message.find("my_secret_name") == std::string::npos);
}

TEST_CASE("offer ids with characters outside [A-Za-z0-9_-] are invalid", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1,"type":"accept_offer","offer_id":"abc def"})") ==
          "invalid_field_value");
    CHECK(client_error(R"({"v":1,"type":"accept_offer","offer_id":"../etc"})") ==
          "invalid_field_value");
    CHECK(client_error(R"({"v":1,"type":"decline_offer","offer_id":"a*"})") ==
          "invalid_field_value");
    CHECK(client_error(R"({"v":1,"type":"decline_offer","offer_id":"caf\u00e9"})") ==
          "invalid_field_value");
    CHECK(client_error(R"({"v":1,"type":"accept_offer","offer_id":"a\u0000b"})") ==
          "invalid_field_value");
}

TEST_CASE("an empty or over-long offer id is invalid", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1,"type":"accept_offer","offer_id":""})") == "invalid_field_value");
    CHECK(client_error(R"({"v":1,"type":"accept_offer","offer_id":")" + std::string(65, 'a') +
                       R"("})") == "invalid_field_value");
}

TEST_CASE("a continuity code breaking the identifier format is invalid", "[protocol][hostile]") {
    auto with_code = [](const std::string& code) {
        return R"({"v":1,"type":"request_chat","continuity_code":")" + code + R"("})";
    };
    CHECK(client_error(with_code("")) == "invalid_field_value");
    CHECK(client_error(with_code(std::string(65, 'a'))) == "invalid_field_value");
    CHECK(client_error(with_code("abc def")) == "invalid_field_value");
    CHECK(client_error(with_code("abc.def")) == "invalid_field_value");
    CHECK(client_error(with_code("../x")) == "invalid_field_value");
    CHECK(client_error(with_code(R"(a\u0000b)")) == "invalid_field_value");
    CHECK(client_error(with_code(R"(caf\u00e9)")) == "invalid_field_value");
    CHECK(client_error(with_code(std::string(257, 'a'))) == "string_too_long");
    CHECK(client_error(R"({"v":1,"type":"request_chat","continuity_code":42})") ==
          "wrong_field_type");
    CHECK(client_error(R"({"v":1,"type":"request_chat","continuity_code":null})") ==
          "wrong_field_type");
    CHECK(client_error(R"({"v":1,"type":"request_chat","continuity_code":["abc"]})") ==
          "wrong_field_type");
    CHECK(client_error(R"({"v":1,"type":"request_chat","continuity":"abc"})") == "unknown_field");
    auto r = decode_client_message(with_code("a b"), default_limits);
    REQUIRE(r.err);
    CHECK(r.err->message.find("continuity_code") != std::string::npos);
}

TEST_CASE("escalate needs a channel that is an integer in 1..65535", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1,"type":"escalate"})") == "missing_field");
    CHECK(client_error(R"({"v":1,"type":"escalate","channel":0})") == "invalid_field_value");
    CHECK(client_error(R"({"v":1,"type":"escalate","channel":-1})") == "invalid_field_value");
    CHECK(client_error(R"({"v":1,"type":"escalate","channel":65536})") == "invalid_field_value");
    CHECK(client_error(R"({"v":1,"type":"escalate","channel":1.5})") == "wrong_field_type");
    CHECK(client_error(R"({"v":1,"type":"escalate","channel":2.0})") == "wrong_field_type");
    CHECK(client_error(R"({"v":1,"type":"escalate","channel":"2"})") == "wrong_field_type");
    CHECK(client_error(R"({"v":1,"type":"escalate","channel":null})") == "wrong_field_type");
    CHECK(client_error(R"({"v":1,"type":"escalate","channel":true})") == "wrong_field_type");
    CHECK(client_error(R"({"v":1,"type":"escalate","channel":1,"reason":"help"})") ==
          "unknown_field");
    auto r = decode_client_message(R"({"v":1,"type":"escalate"})", default_limits);
    REQUIRE(r.err);
    CHECK(r.type == "escalate");
    CHECK(r.err->message.find("channel") != std::string::npos);
}

TEST_CASE("server-only types and states are not client input", "[protocol][hostile]") {
    CHECK(client_error(R"({"v":1,"type":"escalation","listener":"abc","conversation_id":"c"})") ==
          "unknown_type");
    CHECK(client_error(R"({"v":1,"type":"signposting","reason":"closed","alternatives":[]})") ==
          "unknown_type");
    CHECK(client_error(R"({"v":1,"type":"partner_status","channel":1,"state":"back"})") ==
          "unknown_type");
    CHECK(client_error(R"({"v":1,"type":"set_availability","state":"wrapup"})") ==
          "invalid_field_value");
}

TEST_CASE("an empty hello token is invalid", "[protocol][hostile]") {
    CHECK(client_error(hello_with_token("")) == "invalid_field_value");
}

TEST_CASE("a hello token over 128 bytes is invalid but within the string limit",
          "[protocol][hostile]") {
    CHECK(client_error(hello_with_token(std::string(129, 'T'))) == "invalid_field_value");
    CHECK(client_error(hello_with_token(std::string(256, 'T'))) == "invalid_field_value");
    CHECK(client_error(hello_with_token(std::string(257, 'T'))) == "string_too_long");
}

TEST_CASE("a hello token with NUL, space or control characters is invalid", "[protocol][hostile]") {
    CHECK(client_error(hello_with_token(R"(ab\u0000cd)")) == "invalid_field_value");
    CHECK(client_error(hello_with_token("ab cd")) == "invalid_field_value");
    CHECK(client_error(hello_with_token(R"(ab\tcd)")) == "invalid_field_value");
    CHECK(client_error(hello_with_token(R"(\u00e9t\u00e9)")) == "invalid_field_value");
}

TEST_CASE("a NUL in a string the server ignores does not break parsing", "[protocol][hostile]") {
    // Parsed fine (escaped NUL is legal JSON); refused only as an unknown member.
    CHECK(client_error(R"({"v":1,"type":"ping","x":"\u0000"})") == "unknown_field");
}

TEST_CASE("error messages never quote the client's values", "[protocol][hostile]") {
    const std::string secret = "SECRET-9f8e7d";
    for (const std::string& frame :
         {hello_with_token(secret + " with space"),
          std::string(R"({"v":1,"type":"request_chat","topic":")") + secret + "\"}",
          std::string(R"({"v":1,"type":"accept_offer","offer_id":")") + secret + "!\"}",
          std::string(R"({"v":1,"type":"request_chat","continuity_code":")") + secret + "!\"}",
          std::string(R"({"v":1,"type":")") + secret + "\"}",
          std::string(R"({"v":1,"type":"ping",")") + secret + "\":1}",
          std::string(R"({"v":1,"type":"hello","token":")") + secret}) {
        auto r = decode_client_message(frame, default_limits);
        REQUIRE(r.err);
        CHECK(r.err->message.find(secret) == std::string::npos);
    }
}

TEST_CASE("random mutations of valid frames give a value or an error, never both",
          "[protocol][hostile]") {
    // A fixed seed keeps failures reproducible; the sanitizer build turns any
    // memory error here into a failure.
    std::mt19937 rng(20261122);
    const std::vector<std::string> seeds{
        R"({"v":1,"type":"hello","token":"Zm9vYmFy"})",
        R"({"v":1,"type":"request_chat","topic":"career","urgent":true})",
        R"({"v":1,"type":"end_conversation","channel":65535,"reason":"other"})",
        R"({"v":1,"type":"accept_offer","offer_id":"abc_123"})",
        R"({"v":1,"type":"welcome","role":"gp","limits":{"max_control_frame_bytes":1,"max_relay_frame_bytes":2}})",
        R"({"v":1,"type":"request_chat","urgent":false,"continuity_code":"k9_Zq-3"})",
        R"({"v":1,"type":"escalate","channel":7})",
        R"({"v":1,"type":"availability","state":"wrapup","reason":"wrapup","until_ms":1767225600000})",
        R"({"v":1,"type":"signposting","reason":"closed","next_shift_start_ms":1767258000000,"alternatives":[{"name":"Samaritans","contact":"116 123","hours":"24/7"},{"name":"b","contact":"c","hours":"d"}]})",
        R"({"v":1,"type":"escalation","listener":"dr.ames","conversation_id":"9b1e4f0a"})",
        R"({"v":1,"type":"partner_status","channel":3,"state":"reconnecting"})",
        R"({"v":1,"type":"conversation_ended","channel":1,"reason":"completed","by":"listener","continuity_code":"k9"})",
    };
    constexpr std::string_view noise = R"({}[]\",:0e-u)";
    for (int i = 0; i < 20000; ++i) {
        std::string frame = seeds[rng() % seeds.size()];
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits && !frame.empty(); ++e) {
            const std::size_t at = rng() % frame.size();
            switch (rng() % 3) {
            case 0:
                frame[at] = static_cast<char>(rng() % 256);
                break;
            case 1:
                frame.erase(at, 1);
                break;
            default:
                frame.insert(at, 1, noise[rng() % noise.size()]);
                break;
            }
        }
        auto c = decode_client_message(frame, default_limits);
        REQUIRE(c.value.has_value() != c.err.has_value());
        if (c.value) {
            // Whatever survives decoding re-encodes to an equal message.
            REQUIRE(decode_client_message(encode(*c.value), default_limits).value == c.value);
        }
        auto s = decode_server_message(frame, default_limits);
        REQUIRE(s.value.has_value() != s.err.has_value());
        if (s.value) {
            REQUIRE(decode_server_message(encode(*s.value), default_limits).value == s.value);
        }
    }
}
