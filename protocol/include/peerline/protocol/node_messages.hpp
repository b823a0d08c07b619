// Every message that crosses from one Peerline node to another, as types.
//
// Nodes share one Redis and talk over its pub/sub (server/domain/router):
//   - pl:node:<id>   one node's channel: events for one of its sessions and
//                    relay frames for its sessions;
//   - pl:broadcast   every node: the queue or the rota changed, a listener
//                    asked for a supervisor.
// The same event types are posted to sessions on the sending node itself, so
// a session handles one `session_event` whether its partner is local or not.
// The detached-session record (kept in Redis while a dropped client may still
// resume, read by whichever node it resumes on or sweeps it) is here too.
//
// Pure: no I/O, no Redis. Decoders take explicit limits (node_limits) and
// return the first error, like the client protocol's; they are fuzzed by
// tests/fuzz/node_messages_fuzz.cpp. Unknown members are ignored (a newer
// node may add some); unknown event kinds are an error the router logs.
//
// Wire formats (what docs/ARCHITECTURE.md describes):
//   node channel, one event:  'C' + {"sid": <session id>, "ev": <event>}
//   node channel, relay:      'B' + { sid (32) + length (4, big-endian) + frame }...
//                             (one format whether the batch holds one frame or
//                             many; the short 'R' form of earlier versions is
//                             gone, and an 'R' message is refused as unknown)
//   broadcast channel:        {"b": "queue" | "rota" | "escalation", ...}
//   an event:                 {"e": <kind>, ...members of that kind}
//   detached record:          {"rid": ..., "convs": [{"cid", "peer_sid",
//                              "peer_node", "peer_channel", "listener"}]}
// (session_resume.lua reads "rid" and each conversation's "cid".)
#pragma once

#include "peerline/protocol/messages.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace peerline::protocol::cluster {

// ---------------------------------------------------------------------------
// Events for one session
// ---------------------------------------------------------------------------

// A listener is offered a waiting GP's request (matcher -> listener).
struct offer_made {
    std::string offer_id;
    std::optional<topic> about; // none: the GP gave no topic
    bool urgent = false;
    std::uint32_t expires_in_ms = 0;
    bool operator==(const offer_made&) const = default;
};

enum class withdrawal : std::uint8_t { expired, gp_left };

// An offer the listener holds is gone (matcher or a leaving GP -> listener).
struct offer_withdrawn {
    std::string offer_id;
    withdrawal reason = withdrawal::expired;
    bool sets_away = false; // the expiry also set the listener away (--missed-offer-sets-away)
    bool operator==(const offer_withdrawn&) const = default;
};

// The listener accepted: the GP opens a channel and answers conversation_ack
// (listener -> GP).
struct conversation_start {
    std::string conversation_id;
    std::string peer_sid;  // the listener's session
    std::string peer_node; // the listener's node
    std::uint16_t peer_channel = 0;
    std::string listener; // the listener's username (for the GP's continuity code)
    bool operator==(const conversation_start&) const = default;
};

// The GP's channel for the conversation (GP -> listener).
struct conversation_ack {
    std::string conversation_id;
    std::uint16_t channel = 0;
    bool operator==(const conversation_ack&) const = default;
};

// One side or the server ended the conversation (to the other side).
struct conversation_end {
    std::string conversation_id;
    end_reason reason = end_reason::other;
    ended_by by = ended_by::server;
    bool operator==(const conversation_end&) const = default;
};

// The partner's connection dropped; it may resume (to the other side).
struct peer_detached {
    std::string conversation_id;
    bool operator==(const peer_detached&) const = default;
};

// The partner resumed, maybe on another node (to the other side).
struct peer_moved {
    std::string conversation_id;
    std::string peer_node;
    std::uint16_t peer_channel = 0;
    bool operator==(const peer_moved&) const = default;
};

// This node's administrator API disabled a staff account (local only).
struct account_disabled {
    std::string username;
    bool operator==(const account_disabled&) const = default;
};

// The rota changed (a broadcast; then posted to each local listener).
struct rota_changed {
    bool operator==(const rota_changed&) const = default;
};

// A listener asked for a supervisor (a broadcast; then posted to each local
// administrator).
struct escalation_raised {
    std::string listener;
    std::string conversation_id;
    bool operator==(const escalation_raised&) const = default;
};

using session_event =
    std::variant<offer_made, offer_withdrawn, conversation_start, conversation_ack,
                 conversation_end, peer_detached, peer_moved, account_disabled, rota_changed,
                 escalation_raised>;

// The wire name ("e") of an event kind, e.g. "conv_end".
std::string_view kind_name(const session_event& e) noexcept;

// ---------------------------------------------------------------------------
// Broadcasts to every node
// ---------------------------------------------------------------------------

// The queue changed: every node refreshes its waiting GPs' places (debounced).
struct queue_changed {
    bool operator==(const queue_changed&) const = default;
};

using broadcast = std::variant<queue_changed, rota_changed, escalation_raised>;

// ---------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------

struct node_limits {
    // Largest event, broadcast or detached record (bytes of JSON). Ours are
    // a few hundred bytes.
    std::size_t max_json_bytes = 4 * 1024;
    // Longest string member (node ids, usernames, ids).
    std::size_t max_string_bytes = 256;
    // Most conversations in one detached record (a listener has at most 4).
    std::size_t max_detached_conversations = 16;
    // Largest relay frame inside a relay message (the client limit; a sender
    // never forwards a bigger one).
    std::size_t max_relay_frame_bytes = limits{}.max_relay_frame_bytes;
};

// Session ids on the node channel are exactly this long (random hex).
inline constexpr std::size_t session_id_bytes = 32;

// ---------------------------------------------------------------------------
// Node channel
// ---------------------------------------------------------------------------

// An event for session `sid` on the receiving node.
struct addressed_event {
    std::string sid;
    session_event event;
};

// Relay frames for sessions on the receiving node: views into the decoded
// payload, valid while it is.
struct relay_part {
    std::string_view sid;
    std::string_view frame;
};
struct relay_batch {
    std::vector<relay_part> parts;
};

using node_message = std::variant<addressed_event, relay_batch>;

// 'C' + JSON envelope.
std::string encode_addressed_event(std::string_view sid, const session_event& e);

// Appends one frame to a relay batch being built ('B' first when `batch` is
// empty): the one copy of the frame on the sending node (the router builds
// the batch straight from the connection's read buffer). `sid` must be
// session_id_bytes long. The batch starts at `batch_start` in `batch` (the
// bytes before it are the caller's: room for a transport header, so the
// batch need not be copied to put one in front). Returns the offset of the
// frame's first byte in `batch`, so the caller can rewrite the frame's
// channel in place.
std::size_t append_relay_frame(std::string& batch, std::string_view sid, std::string_view frame,
                               std::size_t batch_start = 0);

// Strict decoding of one node-channel message. A relay batch that breaks
// off mid-frame is an error (the frames before it are not delivered).
decoded<node_message> decode_node_message(std::string_view payload, const node_limits& lim);

// ---------------------------------------------------------------------------
// Broadcast channel
// ---------------------------------------------------------------------------

std::string encode(const broadcast& b);
decoded<broadcast> decode_broadcast(std::string_view payload, const node_limits& lim);

// ---------------------------------------------------------------------------
// Detached-session record (Redis {pl:q}:detached:<sid>)
// ---------------------------------------------------------------------------

struct detached_conversation {
    std::string conversation_id;
    std::string peer_sid;
    std::string peer_node;
    std::uint16_t peer_channel = 0; // 0: the partner had not confirmed yet
    std::string listener;           // the listener's username on the GP's side, else empty
    bool operator==(const detached_conversation&) const = default;
};

struct detached_session {
    std::string request_id; // empty: no waiting request
    std::vector<detached_conversation> conversations;
    bool operator==(const detached_session&) const = default;
};

std::string encode(const detached_session& s);
decoded<detached_session> decode_detached_session(std::string_view text, const node_limits& lim);

} // namespace peerline::protocol::cluster
