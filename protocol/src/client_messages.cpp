// Client -> server control messages: names, role rules, strict decoding and
// encoding. The decoder is the server's first line of defence, so every rule
// in docs/PROTOCOL.md for client frames is enforced here.
#include "json_reader.hpp"

#include "peerline/protocol/messages.hpp"

#include <array>
#include <limits>

namespace peerline::protocol {
namespace {

using detail::field_reader;

// Session tokens are 43 base64url characters today; 128 leaves room to change
// the format without letting hello carry arbitrary data.
constexpr std::size_t max_token_bytes = 128;

// Printable ASCII without spaces: no token format needs more, and it keeps
// NUL and control bytes away from logs and Redis commands.
bool is_valid_token(std::string_view t) noexcept {
    if (t.empty() || t.size() > max_token_bytes) {
        return false;
    }
    for (char c : t) {
        if (c < '!' || c > '~') {
            return false;
        }
    }
    return true;
}

// Indexed like client_message's alternatives.
constexpr std::array<std::string_view, std::variant_size_v<client_message>> client_type_names{
    "hello",         "request_chat",     "leave_queue", "set_availability", "accept_offer",
    "decline_offer", "end_conversation", "ping",        "escalate"};

client_message read_hello(field_reader& f) {
    f.allow_only({"token"});
    hello m{f.string("token")};
    f.require(is_valid_token(m.token), "token");
    return m;
}

client_message read_request_chat(field_reader& f) {
    f.allow_only({"topic", "urgent", "continuity_code"});
    request_chat m;
    m.about = f.optional_enumeration("topic", topic_from_string);
    m.urgent = f.optional_boolean("urgent").value_or(false);
    m.continuity_code = f.optional_string("continuity_code");
    if (m.continuity_code) {
        f.require(detail::is_valid_id(*m.continuity_code), "continuity_code");
    }
    return m;
}

client_message read_leave_queue(field_reader& f) {
    f.allow_only({});
    return leave_queue{};
}

client_message read_set_availability(field_reader& f) {
    f.allow_only({"state"});
    return set_availability{f.enumeration("state", availability_from_string)};
}

client_message read_accept_offer(field_reader& f) {
    f.allow_only({"offer_id"});
    accept_offer m{f.string("offer_id")};
    f.require(detail::is_valid_id(m.offer_id), "offer_id");
    return m;
}

client_message read_decline_offer(field_reader& f) {
    f.allow_only({"offer_id"});
    decline_offer m{f.string("offer_id")};
    f.require(detail::is_valid_id(m.offer_id), "offer_id");
    return m;
}

client_message read_end_conversation(field_reader& f) {
    f.allow_only({"channel", "reason"});
    end_conversation m;
    m.channel = static_cast<std::uint16_t>(
        f.integer("channel", 1, std::numeric_limits<std::uint16_t>::max()));
    m.reason = f.optional_enumeration("reason", end_reason_from_string);
    return m;
}

client_message read_ping(field_reader& f) {
    f.allow_only({});
    return ping{};
}

client_message read_escalate(field_reader& f) {
    f.allow_only({"channel"});
    escalate m;
    m.channel = static_cast<std::uint16_t>(
        f.integer("channel", 1, std::numeric_limits<std::uint16_t>::max()));
    return m;
}

using reader = client_message (*)(field_reader&);
constexpr std::array<reader, std::variant_size_v<client_message>> client_readers{
    read_hello,        read_request_chat,  read_leave_queue,      read_set_availability,
    read_accept_offer, read_decline_offer, read_end_conversation, read_ping,
    read_escalate};

// Members after "v" and "type", in a stable order.
using ojson = nlohmann::ordered_json;
void put_members(ojson& j, const hello& m) {
    j["token"] = m.token;
}
void put_members(ojson& j, const request_chat& m) {
    if (m.about) {
        j["topic"] = std::string(to_string(*m.about));
    }
    j["urgent"] = m.urgent;
    if (m.continuity_code) {
        j["continuity_code"] = *m.continuity_code;
    }
}
void put_members(ojson& /*j*/, const leave_queue& /*m*/) {}
void put_members(ojson& j, const set_availability& m) {
    j["state"] = std::string(to_string(m.state));
}
void put_members(ojson& j, const accept_offer& m) {
    j["offer_id"] = m.offer_id;
}
void put_members(ojson& j, const decline_offer& m) {
    j["offer_id"] = m.offer_id;
}
void put_members(ojson& j, const end_conversation& m) {
    j["channel"] = m.channel;
    if (m.reason) {
        j["reason"] = std::string(to_string(*m.reason));
    }
}
void put_members(ojson& /*j*/, const ping& /*m*/) {}
void put_members(ojson& j, const escalate& m) {
    j["channel"] = m.channel;
}

} // namespace

std::string_view type_name(const client_message& m) noexcept {
    return client_type_names[m.index()];
}

bool role_allowed(const client_message& m, role r) noexcept {
    if (std::holds_alternative<hello>(m) || std::holds_alternative<ping>(m)) {
        return true;
    }
    if (std::holds_alternative<request_chat>(m) || std::holds_alternative<leave_queue>(m)) {
        return r == role::gp;
    }
    if (std::holds_alternative<end_conversation>(m)) {
        return r == role::gp || r == role::listener;
    }
    // set_availability, accept_offer, decline_offer, escalate
    return r == role::listener;
}

client_decode_result decode_client_message(std::string_view frame, const limits& lim) {
    client_decode_result result;
    auto parsed = detail::parse_bounded(frame, lim, lim.max_json_depth);
    if (parsed.err) {
        result.err = std::move(parsed.err);
        return result;
    }
    auto env = detail::read_envelope(parsed.doc);
    result.type = std::move(env.type);
    if (env.err) {
        result.err = std::move(env.err);
        return result;
    }
    for (std::size_t i = 0; i < client_type_names.size(); ++i) {
        if (client_type_names[i] != result.type) {
            continue;
        }
        std::optional<error> err;
        field_reader fields(parsed.doc, err);
        client_message m = client_readers[i](fields);
        if (err) {
            result.err = std::move(err);
        } else {
            result.value = std::move(m);
        }
        return result;
    }
    result.err = make_error(error_code::unknown_type);
    return result;
}

std::string encode(const client_message& m) {
    ojson j;
    j["v"] = version;
    j["type"] = std::string(type_name(m));
    std::visit([&j](const auto& msg) { put_members(j, msg); }, m);
    return detail::to_compact_text(j);
}

} // namespace peerline::protocol
