// Server -> client control messages: names, encoding, and a decoder as strict
// as the server's own (used by the native test client, so a server frame that
// drifts from docs/PROTOCOL.md fails loudly in the tests).
#include "json_reader.hpp"

#include "peerline/protocol/messages.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace peerline::protocol {
namespace {

using detail::field_reader;
using ojson = nlohmann::ordered_json;

constexpr auto u16_max = std::numeric_limits<std::uint16_t>::max();
constexpr auto u32_max = std::numeric_limits<std::uint32_t>::max();
constexpr auto u64_max = std::numeric_limits<std::uint64_t>::max();

// signposting carries an array of objects (depth 3: frame, array, element)
// and welcome a nested "limits" object, so server frames need depth 3 even if
// a caller configured a stricter depth for client frames.
constexpr std::size_t min_server_depth = 3;

// signposting lists at most this many alternatives.
constexpr std::size_t max_alternatives = 16;

// Indexed like server_message's alternatives.
constexpr std::array<std::string_view, std::variant_size_v<server_message>> server_type_names{
    "welcome",
    "queued",
    "left_queue",
    "availability",
    "offer",
    "offer_withdrawn",
    "conversation_started",
    "conversation_ended",
    "error",
    "shutdown",
    "pong",
    "signposting",
    "escalation_sent",
    "escalation",
    "partner_status",
    "live_stats"};

constexpr std::array<std::string_view, 4> withdrawn_reasons{"taken", "expired", "gp_left",
                                                            "declined"};
constexpr std::array<std::string_view, 4> availability_reasons{"offer_missed", "shift_ended",
                                                               "shift_limit", "wrapup"};
constexpr std::array<std::string_view, 2> partner_states{"reconnecting", "back"};

template <std::size_t N>
bool is_one_of(const std::array<std::string_view, N>& names, std::string_view s) noexcept {
    return std::find(names.begin(), names.end(), s) != names.end();
}

// Staff usernames: 3..32 characters of [a-z0-9._-].
bool is_valid_username(std::string_view s) noexcept {
    if (s.size() < 3 || s.size() > 32) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    });
}

// The inverse of to_string(error_code); the codes are contiguous from 0.
std::optional<error_code> error_code_from_string(std::string_view s) noexcept {
    for (auto i = 0; i <= static_cast<int>(error_code::internal_error); ++i) {
        const auto code = static_cast<error_code>(i);
        if (to_string(code) == s) {
            return code;
        }
    }
    return std::nullopt;
}

server_message read_welcome(field_reader& f) {
    f.allow_only({"role", "limits"});
    welcome m;
    m.as = f.enumeration("role", role_from_string);
    field_reader lim = f.nested("limits");
    lim.allow_only({"max_control_frame_bytes", "max_relay_frame_bytes"});
    m.max_control_frame_bytes = lim.integer("max_control_frame_bytes", 1, u64_max);
    m.max_relay_frame_bytes = lim.integer("max_relay_frame_bytes", 1, u64_max);
    return m;
}

server_message read_queued(field_reader& f) {
    f.allow_only({"position", "estimated_wait_s"});
    queued m;
    m.position = static_cast<std::uint32_t>(f.integer("position", 1, u32_max));
    if (auto wait = f.optional_integer("estimated_wait_s", 0, u32_max)) {
        m.estimated_wait_s = static_cast<std::uint32_t>(*wait);
    }
    return m;
}

server_message read_left_queue(field_reader& f) {
    f.allow_only({});
    return left_queue{};
}

server_message read_availability(field_reader& f) {
    f.allow_only({"state", "reason", "until_ms"});
    availability_changed m;
    m.state = f.enumeration("state", listener_state_from_string);
    m.reason = f.optional_string("reason");
    if (m.reason) {
        f.require(is_one_of(availability_reasons, *m.reason), "reason");
    }
    m.until_ms = f.optional_integer("until_ms", 0, u64_max);
    return m;
}

server_message read_offer(field_reader& f) {
    f.allow_only({"offer_id", "topic", "urgent", "expires_in_ms"});
    offer m;
    m.offer_id = f.string("offer_id");
    f.require(detail::is_valid_id(m.offer_id), "offer_id");
    m.about = f.optional_enumeration("topic", topic_from_string);
    m.urgent = f.boolean("urgent");
    m.expires_in_ms = static_cast<std::uint32_t>(f.integer("expires_in_ms", 0, u32_max));
    return m;
}

server_message read_offer_withdrawn(field_reader& f) {
    f.allow_only({"offer_id", "reason"});
    offer_withdrawn m;
    m.offer_id = f.string("offer_id");
    f.require(detail::is_valid_id(m.offer_id), "offer_id");
    m.reason = f.string("reason");
    f.require(is_one_of(withdrawn_reasons, m.reason), "reason");
    return m;
}

server_message read_conversation_started(field_reader& f) {
    f.allow_only({"channel", "conversation_id", "peer"});
    conversation_started m;
    m.channel = static_cast<std::uint16_t>(f.integer("channel", 1, u16_max));
    m.conversation_id = f.string("conversation_id");
    f.require(detail::is_valid_id(m.conversation_id), "conversation_id");
    m.peer = f.enumeration("peer", role_from_string);
    return m;
}

server_message read_conversation_ended(field_reader& f) {
    f.allow_only({"channel", "reason", "by", "continuity_code"});
    conversation_ended m;
    m.channel = static_cast<std::uint16_t>(f.integer("channel", 1, u16_max));
    m.reason = f.enumeration("reason", end_reason_from_string);
    m.by = f.enumeration("by", ended_by_from_string);
    m.continuity_code = f.optional_string("continuity_code");
    if (m.continuity_code) {
        f.require(detail::is_valid_id(*m.continuity_code), "continuity_code");
    }
    return m;
}

server_message read_error(field_reader& f) {
    f.allow_only({"code", "message", "in_reply_to"});
    error_message m;
    m.err.code = f.enumeration("code", error_code_from_string);
    m.err.message = f.string("message");
    m.in_reply_to = f.optional_string("in_reply_to").value_or(std::string{});
    return m;
}

server_message read_shutdown(field_reader& f) {
    f.allow_only({"message", "retry_after_ms"});
    shutdown_notice m;
    m.message = f.string("message");
    m.retry_after_ms = static_cast<std::uint32_t>(f.integer("retry_after_ms", 0, u32_max));
    return m;
}

server_message read_pong(field_reader& f) {
    f.allow_only({});
    return pong{};
}

server_message read_signposting(field_reader& f) {
    f.allow_only({"reason", "next_shift_start_ms", "alternatives"});
    signposting m;
    m.reason = f.enumeration("reason", signpost_reason_from_string);
    m.next_shift_start_ms = f.optional_integer("next_shift_start_ms", 0, u64_max);
    for (field_reader& a : f.objects("alternatives", max_alternatives)) {
        a.allow_only({"name", "contact", "hours"});
        alternative alt;
        alt.name = a.string("name");
        alt.contact = a.string("contact");
        alt.hours = a.string("hours");
        m.alternatives.push_back(std::move(alt));
    }
    return m;
}

server_message read_escalation_sent(field_reader& f) {
    f.allow_only({"channel", "supervisors"});
    escalation_sent m;
    m.channel = static_cast<std::uint16_t>(f.integer("channel", 1, u16_max));
    m.supervisors = static_cast<std::uint32_t>(f.integer("supervisors", 0, u32_max));
    return m;
}

server_message read_escalation(field_reader& f) {
    f.allow_only({"listener", "conversation_id"});
    escalation m;
    m.listener = f.string("listener");
    f.require(is_valid_username(m.listener), "listener");
    m.conversation_id = f.string("conversation_id");
    f.require(detail::is_valid_id(m.conversation_id), "conversation_id");
    return m;
}

server_message read_partner_status(field_reader& f) {
    f.allow_only({"channel", "state"});
    partner_status m;
    m.channel = static_cast<std::uint16_t>(f.integer("channel", 1, u16_max));
    m.state = f.string("state");
    f.require(is_one_of(partner_states, m.state), "state");
    return m;
}

server_message read_live_stats(field_reader& f) {
    f.allow_only({"live"});
    live_stats m;
    field_reader live = f.nested("live");
    live.allow_only({"waiting", "longest_wait_s", "offers_pending", "conversations_active", "listeners"});
    m.waiting = static_cast<std::uint32_t>(live.integer("waiting", 0, u32_max));
    m.longest_wait_s = static_cast<std::uint32_t>(live.integer("longest_wait_s", 0, u32_max));
    m.offers_pending = static_cast<std::uint32_t>(live.integer("offers_pending", 0, u32_max));
    m.conversations_active = static_cast<std::uint32_t>(live.integer("conversations_active", 0, u32_max));
    field_reader l = live.nested("listeners");
    l.allow_only({"rostered", "online", "available", "busy", "wrapup", "away"});
    auto& n = m.listeners;
    n.rostered = static_cast<std::uint32_t>(l.integer("rostered", 0, u32_max));
    n.online = static_cast<std::uint32_t>(l.integer("online", 0, u32_max));
    n.available = static_cast<std::uint32_t>(l.integer("available", 0, u32_max));
    n.busy = static_cast<std::uint32_t>(l.integer("busy", 0, u32_max));
    n.wrapup = static_cast<std::uint32_t>(l.integer("wrapup", 0, u32_max));
    n.away = static_cast<std::uint32_t>(l.integer("away", 0, u32_max));
    return m;
}

using reader = server_message (*)(field_reader&);
constexpr std::array<reader, std::variant_size_v<server_message>> server_readers{
    read_welcome,
    read_queued,
    read_left_queue,
    read_availability,
    read_offer,
    read_offer_withdrawn,
    read_conversation_started,
    read_conversation_ended,
    read_error,
    read_shutdown,
    read_pong,
    read_signposting,
    read_escalation_sent,
    read_escalation,
    read_partner_status,
    read_live_stats};

void put_members(ojson& j, const welcome& m) {
    j["role"] = std::string(to_string(m.as));
    ojson lim;
    lim["max_control_frame_bytes"] = m.max_control_frame_bytes;
    lim["max_relay_frame_bytes"] = m.max_relay_frame_bytes;
    j["limits"] = std::move(lim);
}
void put_members(ojson& j, const queued& m) {
    j["position"] = m.position;
    // Absent, not 0, when there is no data: an honest "we don't know".
    if (m.estimated_wait_s) {
        j["estimated_wait_s"] = *m.estimated_wait_s;
    }
}
void put_members(ojson& /*j*/, const left_queue& /*m*/) {}
void put_members(ojson& j, const availability_changed& m) {
    j["state"] = std::string(to_string(m.state));
    if (m.reason) {
        j["reason"] = *m.reason;
    }
    if (m.until_ms) {
        j["until_ms"] = *m.until_ms;
    }
}
void put_members(ojson& j, const offer& m) {
    j["offer_id"] = m.offer_id;
    if (m.about) {
        j["topic"] = std::string(to_string(*m.about));
    }
    j["urgent"] = m.urgent;
    j["expires_in_ms"] = m.expires_in_ms;
}
void put_members(ojson& j, const offer_withdrawn& m) {
    j["offer_id"] = m.offer_id;
    j["reason"] = m.reason;
}
void put_members(ojson& j, const conversation_started& m) {
    j["channel"] = m.channel;
    j["conversation_id"] = m.conversation_id;
    j["peer"] = std::string(to_string(m.peer));
}
void put_members(ojson& j, const conversation_ended& m) {
    j["channel"] = m.channel;
    j["reason"] = std::string(to_string(m.reason));
    j["by"] = std::string(to_string(m.by));
    if (m.continuity_code) {
        j["continuity_code"] = *m.continuity_code;
    }
}
void put_members(ojson& j, const error_message& m) {
    j["code"] = std::string(to_string(m.err.code));
    j["message"] = m.err.message;
    if (!m.in_reply_to.empty()) {
        j["in_reply_to"] = m.in_reply_to;
    }
}
void put_members(ojson& j, const shutdown_notice& m) {
    j["message"] = m.message;
    j["retry_after_ms"] = m.retry_after_ms;
}
void put_members(ojson& /*j*/, const pong& /*m*/) {}
void put_members(ojson& j, const signposting& m) {
    j["reason"] = std::string(to_string(m.reason));
    if (m.next_shift_start_ms) {
        j["next_shift_start_ms"] = *m.next_shift_start_ms;
    }
    // Always present, even when empty: the GP is told there is no list.
    ojson alternatives = ojson::array();
    for (const auto& a : m.alternatives) {
        ojson item;
        item["name"] = a.name;
        item["contact"] = a.contact;
        item["hours"] = a.hours;
        alternatives.push_back(std::move(item));
    }
    j["alternatives"] = std::move(alternatives);
}
void put_members(ojson& j, const escalation_sent& m) {
    j["channel"] = m.channel;
    j["supervisors"] = m.supervisors;
}
void put_members(ojson& j, const escalation& m) {
    j["listener"] = m.listener;
    j["conversation_id"] = m.conversation_id;
}
void put_members(ojson& j, const live_stats& m) {
    ojson listeners;
    listeners["rostered"] = m.listeners.rostered;
    listeners["online"] = m.listeners.online;
    listeners["available"] = m.listeners.available;
    listeners["busy"] = m.listeners.busy;
    listeners["wrapup"] = m.listeners.wrapup;
    listeners["away"] = m.listeners.away;
    ojson live;
    live["waiting"] = m.waiting;
    live["longest_wait_s"] = m.longest_wait_s;
    live["offers_pending"] = m.offers_pending;
    live["conversations_active"] = m.conversations_active;
    live["listeners"] = std::move(listeners);
    j["live"] = std::move(live);
}
void put_members(ojson& j, const partner_status& m) {
    j["channel"] = m.channel;
    j["state"] = m.state;
}

} // namespace

std::string_view type_name(const server_message& m) noexcept {
    return server_type_names[m.index()];
}

decoded<server_message> decode_server_message(std::string_view frame, const limits& lim) {
    decoded<server_message> result;
    auto parsed = detail::parse_bounded(frame, lim, std::max(lim.max_json_depth, min_server_depth));
    if (parsed.err) {
        result.err = std::move(parsed.err);
        return result;
    }
    auto env = detail::read_envelope(parsed.doc);
    if (env.err) {
        result.err = std::move(env.err);
        return result;
    }
    for (std::size_t i = 0; i < server_type_names.size(); ++i) {
        if (server_type_names[i] != env.type) {
            continue;
        }
        std::optional<error> err;
        field_reader fields(parsed.doc, err);
        server_message m = server_readers[i](fields);
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

std::string encode(const server_message& m) {
    ojson j;
    j["v"] = version;
    j["type"] = std::string(type_name(m));
    std::visit([&j](const auto& msg) { put_members(j, msg); }, m);
    return detail::to_compact_text(j);
}

} // namespace peerline::protocol
