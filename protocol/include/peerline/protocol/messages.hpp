// Typed control messages of protocol v1 (JSON text frames) and their strict
// encoders/decoders. Pure: no I/O, no globals. docs/PROTOCOL.md is the spec.
//
// Every control frame is one JSON object with "v": 1 and a "type". Decoding is
// strict: unknown types and unknown members are rejected, limits are checked
// before and during parsing, and every failure is a typed protocol::error.
#pragma once

#include "peerline/protocol/errors.hpp"
#include "peerline/protocol/limits.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace peerline::protocol {

inline constexpr int version = 1;

enum class role : std::uint8_t { gp, listener, admin };
std::string_view to_string(role r) noexcept;
std::optional<role> role_from_string(std::string_view s) noexcept;

// What a GP may say the conversation is about (optional).
enum class topic : std::uint8_t { workload, clinical_case, complaint, career, personal, other };
std::string_view to_string(topic t) noexcept;
std::optional<topic> topic_from_string(std::string_view s) noexcept;

enum class availability : std::uint8_t { available, away };
std::string_view to_string(availability a) noexcept;
std::optional<availability> availability_from_string(std::string_view s) noexcept;

// A listener's state as the server sees it (server -> client only).
//   available: may receive offers; busy: at capacity; wrapup: the pause after
//   a conversation; away: not taking offers (chosen, missed offer, shift over).
enum class listener_state : std::uint8_t { available, busy, wrapup, away };
std::string_view to_string(listener_state s) noexcept;
std::optional<listener_state> listener_state_from_string(std::string_view s) noexcept;

// Why a GP is shown signposting instead of (or after) the queue.
enum class signpost_reason : std::uint8_t { closed, no_one_on_shift, max_wait };
std::string_view to_string(signpost_reason r) noexcept;
std::optional<signpost_reason> signpost_reason_from_string(std::string_view s) noexcept;

// Why a conversation ended; counted in statistics, never free text.
enum class end_reason : std::uint8_t {
    completed,
    gp_left,
    safeguarding_referral,
    technical,
    partner_disconnected,
    shutdown,
    other
};
std::string_view to_string(end_reason r) noexcept;
std::optional<end_reason> end_reason_from_string(std::string_view s) noexcept;

// Who ended a conversation, as told to the other side.
enum class ended_by : std::uint8_t { gp, listener, server };
std::string_view to_string(ended_by b) noexcept;
std::optional<ended_by> ended_by_from_string(std::string_view s) noexcept;

// ---------------------------------------------------------------------------
// Client -> server
// ---------------------------------------------------------------------------
// Every message struct has a defaulted == so that decode(encode(m)) == m can
// be checked directly.

// First frame on every WebSocket: authenticates with a session token obtained
// over HTTPS (tokens never travel in URLs).
struct hello {
    std::string token;
    bool operator==(const hello&) const = default;
};
// GP: ask to talk.
struct request_chat {
    std::optional<topic> about;
    bool urgent = false;
    // A continuity code kept from an earlier conversation: asks for the same
    // listener again. Same format as ids: 1..64 of [A-Za-z0-9_-].
    std::optional<std::string> continuity_code;
    bool operator==(const request_chat&) const = default;
};
// GP: leave the queue (or withdraw a pending request).
struct leave_queue {
    bool operator==(const leave_queue&) const = default;
};
// Listener: go available or away.
struct set_availability {
    availability state = availability::away;
    bool operator==(const set_availability&) const = default;
};
// Listener: accept / decline an offer.
struct accept_offer {
    std::string offer_id;
    bool operator==(const accept_offer&) const = default;
};
struct decline_offer {
    std::string offer_id;
    bool operator==(const decline_offer&) const = default;
};
// GP or listener: end the conversation on a channel.
struct end_conversation {
    std::uint16_t channel = 0;
    std::optional<end_reason> reason;
    bool operator==(const end_conversation&) const = default;
};
// Listener: ask for the duty supervisor about the conversation on a channel.
struct escalate {
    std::uint16_t channel = 0;
    bool operator==(const escalate&) const = default;
};
// Any role: application-level liveness probe, answered by pong.
struct ping {
    bool operator==(const ping&) const = default;
};

using client_message = std::variant<hello, request_chat, leave_queue, set_availability,
                                    accept_offer, decline_offer, end_conversation, ping,
                                    escalate>;

// The wire "type" of a client message, e.g. "request_chat".
std::string_view type_name(const client_message& m) noexcept;

// True if a session of role r may send m. hello and ping: any role;
// request_chat/leave_queue: gp; set_availability/accept_offer/decline_offer/
// escalate: listener; end_conversation: gp and listener.
bool role_allowed(const client_message& m, role r) noexcept;

// ---------------------------------------------------------------------------
// Server -> client
// ---------------------------------------------------------------------------

struct welcome {
    role as = role::gp;
    std::uint64_t max_control_frame_bytes = 0;
    std::uint64_t max_relay_frame_bytes = 0;
    bool operator==(const welcome&) const = default;
};
struct queued {
    std::uint32_t position = 0;                  // 1 = next
    std::optional<std::uint32_t> estimated_wait_s; // absent when there is no data
    bool operator==(const queued&) const = default;
};
struct left_queue {
    bool operator==(const left_queue&) const = default;
};
struct availability_changed {
    listener_state state = listener_state::away;
    // Why the server changed it: "offer_missed", "shift_ended",
    // "shift_limit", "wrapup" (absent when the listener chose it).
    std::optional<std::string> reason;
    // End of the wrap-up pause, Unix milliseconds (wrapup only).
    std::optional<std::uint64_t> until_ms;
    bool operator==(const availability_changed&) const = default;
};
struct offer {
    std::string offer_id;
    std::optional<topic> about;
    bool urgent = false;
    std::uint32_t expires_in_ms = 0;
    bool operator==(const offer&) const = default;
};
struct offer_withdrawn {
    std::string offer_id;
    std::string reason; // "taken", "expired", "gp_left", "declined"
    bool operator==(const offer_withdrawn&) const = default;
};
struct conversation_started {
    std::uint16_t channel = 0;     // the receiver's channel number for relay frames
    std::string conversation_id;   // opaque random id
    role peer = role::listener;
    bool operator==(const conversation_started&) const = default;
};
struct conversation_ended {
    std::uint16_t channel = 0;
    end_reason reason = end_reason::completed;
    ended_by by = ended_by::server;
    // GP only: a code the GP may choose to keep (in their browser) to ask for
    // the same listener next time. Same format as ids.
    std::optional<std::string> continuity_code;
    bool operator==(const conversation_ended&) const = default;
};
struct error_message {
    error err;
    std::string in_reply_to; // the type that failed, or empty
    bool operator==(const error_message&) const = default;
};
struct shutdown_notice {
    std::string message;
    std::uint32_t retry_after_ms = 0;
    bool operator==(const shutdown_notice&) const = default;
};
// A 24/7 service shown to a GP (configurable list).
struct alternative {
    std::string name;
    std::string contact;
    std::string hours;
    bool operator==(const alternative&) const = default;
};
// Instead of (closed, no_one_on_shift) or after (max_wait) the queue.
struct signposting {
    signpost_reason reason = signpost_reason::closed;
    std::optional<std::uint64_t> next_shift_start_ms; // Unix ms; absent if none is planned
    std::vector<alternative> alternatives;            // at most 16
    bool operator==(const signposting&) const = default;
};
// To the listener: the duty supervisors were notified (0 = none online).
struct escalation_sent {
    std::uint16_t channel = 0;
    std::uint32_t supervisors = 0;
    bool operator==(const escalation_sent&) const = default;
};
// To administrators (duty supervisors): a listener asks for help.
struct escalation {
    std::string listener;        // the listener's username
    std::string conversation_id; // opaque id
    bool operator==(const escalation&) const = default;
};
// To one side: the partner's connection dropped and may come back.
struct partner_status {
    std::uint16_t channel = 0;
    std::string state; // "reconnecting" | "back"
    bool operator==(const partner_status&) const = default;
};
struct pong {
    bool operator==(const pong&) const = default;
};
// To administrators: queue load now (counts only), pushed when it changes.
struct live_stats {
    std::uint32_t waiting = 0;
    std::uint32_t longest_wait_s = 0;
    std::uint32_t offers_pending = 0;
    std::uint32_t conversations_active = 0;
    struct listener_counts {
        std::uint32_t rostered = 0, online = 0, available = 0, busy = 0, wrapup = 0, away = 0;
        bool operator==(const listener_counts&) const = default;
    } listeners;
    bool operator==(const live_stats&) const = default;
};

using server_message =
    std::variant<welcome, queued, left_queue, availability_changed, offer, offer_withdrawn,
                 conversation_started, conversation_ended, error_message, shutdown_notice, pong,
                 signposting, escalation_sent, escalation, partner_status, live_stats>;

std::string_view type_name(const server_message& m) noexcept;

// ---------------------------------------------------------------------------
// Encoding and decoding
// ---------------------------------------------------------------------------

// A decoded value or a typed error; never both.
template <class T> struct decoded {
    std::optional<T> value;
    std::optional<error> err;
    explicit operator bool() const noexcept { return value.has_value(); }
};

// Strictly decodes a client control frame (the server side).
// On error, `err` is set and, when the type could be read, `type` holds it
// so the reply can say which request failed.
struct client_decode_result : decoded<client_message> {
    std::string type;
};
client_decode_result decode_client_message(std::string_view frame, const limits& lim);

// Decodes a server frame (the native client and tests). As strict as the
// server side; unknown members are rejected too.
decoded<server_message> decode_server_message(std::string_view frame, const limits& lim);

// Compact JSON, always with "v":1 and "type" first.
std::string encode(const client_message& m);
std::string encode(const server_message& m);

} // namespace peerline::protocol
