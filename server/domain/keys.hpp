// Every Redis key Peerline uses, in one place. What is stored where, and for
// how long, is listed in docs/ARCHITECTURE.md; no key ever holds message
// contents. Queue keys share the hash tag {pl:q} so they live in one Redis
// Cluster slot and Lua scripts may touch them together.
#pragma once

#include <string>
#include <string_view>

namespace peerline::keys {

// Durable (AOF): accounts.
inline std::string account(std::string_view username) { return "pl:account:" + std::string(username); }
inline const std::string usernames = "pl:accounts";

// With expiry: sessions, stored under the hash of their token.
inline std::string session(std::string_view token_hash) { return "pl:session:" + std::string(token_hash); }

// With expiry: failed-login counters (address pseudonymised). The address
// counter is a number in a fixed window; the other two are hashes {n,
// last_ms} whose window slides with each failure (login_failure.lua).
inline std::string login_failures_address(std::string_view address_hash) {
    return "pl:rl:login:addr:" + std::string(address_hash);
}
// Failures for an account from clients without a device token for it.
inline std::string login_failures_untrusted(std::string_view username) {
    return "pl:rl:login:untrusted:" + std::string(username);
}
// Failures made with one device token.
inline std::string login_failures_device(std::string_view device_token_hash) {
    return "pl:rl:login:device:" + std::string(device_token_hash);
}
// With expiry: a device token (stored hashed) -> the username it was issued to.
inline std::string login_device(std::string_view device_token_hash) {
    return "pl:login:device:" + std::string(device_token_hash);
}

// The queue: prefix passed to every queue script as KEYS[1].
inline const std::string queue_prefix = "{pl:q}";

// Durable (AOF): the rota, in one hash slot: shifts, opening hours, closed days.
inline const std::string rota_prefix = "{pl:rota}";
inline std::string rota_shift(std::string_view id) { return rota_prefix + ":shift:" + std::string(id); }
inline const std::string rota_shifts = rota_prefix + ":shifts";
inline const std::string rota_hours = rota_prefix + ":hours";
inline const std::string rota_closed = rota_prefix + ":closed";

// With expiry: continuity codes, stored under the hash of the code, naming a
// listener (never the GP).
inline std::string continuity(std::string_view code_hash) { return "pl:continuity:" + std::string(code_hash); }

// With expiry: administrators connected now (duty supervisors), by session.
inline const std::string supervisors_online = "pl:supervisors";

// Live nodes and their last heartbeat (ms); in the queue slot so scripts
// that clean up after a dead node can use it.
inline const std::string nodes = queue_prefix + ":nodes";

// Per-hour statistics buckets (counts and sums only).
inline std::string stats_hour(long long hour_index) {
    return queue_prefix + ":stats:" + std::to_string(hour_index);
}

// Durable: listener trust material, public by nature (the server only stores
// and hands it out; it cannot make or alter either). A listener's pending
// enrolment request and their current certificate (hashes: "data" base64url,
// plus bookkeeping), and the organisation's latest signed revocation list.
inline std::string enrolment(std::string_view username) { return "pl:enrolment:" + std::string(username); }
inline std::string certificate(std::string_view username) { return "pl:certificate:" + std::string(username); }
inline const std::string revocation_list = "pl:revocation-list";
// The root-signed directory (hash: "data", "number") and the root's
// delegation of list signing to the revocation key (hash: "data").
inline const std::string directory = "pl:directory";
inline const std::string revocation_delegation = "pl:revocation-delegation";

// Durable: the 24/7 services administrators chose (JSON list); absent = the
// node's configured default.
inline const std::string signposting = "pl:signposting";


// With expiry (a day): a GP session whose conversation just ended and may
// send one feedback for it (conversation_end.lua sets it, feedback_record.lua
// consumes it). Only the session id; feedback itself is only hourly counts.
inline std::string feedback_due(std::string_view gp_session_id) {
    return queue_prefix + ":feedback_due:" + std::string(gp_session_id);
}

// Broadcast channel every node subscribes to (rota changes, escalations,
// queue changes).
inline const std::string broadcast_channel = "pl:broadcast";

// Pub/sub channel of one server node (control events and relay frames for
// the sessions it holds). Traffic only; nothing is stored.
inline std::string node_channel(std::string_view node_id) { return "pl:node:" + std::string(node_id); }

} // namespace peerline::keys
