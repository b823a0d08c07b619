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

// With expiry: failed-login counters (address pseudonymised).
inline std::string login_failures_account(std::string_view username) {
    return "pl:rl:login:acct:" + std::string(username);
}
inline std::string login_failures_address(std::string_view address_hash) {
    return "pl:rl:login:addr:" + std::string(address_hash);
}

// The queue: prefix passed to every queue script as KEYS[1].
inline const std::string queue_prefix = "{pl:q}";

// Pub/sub channel of one server node (control events and relay frames for
// the sessions it holds). Traffic only; nothing is stored.
inline std::string node_channel(std::string_view node_id) { return "pl:node:" + std::string(node_id); }

} // namespace peerline::keys
