// Listener and administrator accounts (durable in Redis, password stored only
// as an Argon2id hash). The blocking functions here are for the admin CLI and
// start-up; the asynchronous login path lives in net/http_api.cpp and uses
// the same key layout and checks.
#pragma once

#include "peerline/crypto/crypto.hpp"
#include "redis/sync_client.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerline::accounts {

enum class staff_role { listener, admin };
std::string_view to_string(staff_role r) noexcept;
std::optional<staff_role> staff_role_from_string(std::string_view s) noexcept;

// A listener's capacity: how many conversations at once (account field
// "capacity"; absent = 1). Read when the listener connects.
constexpr unsigned max_capacity = 4;
unsigned capacity_from_text(std::string_view text) noexcept; // 1..max_capacity; 1 if absent or invalid

// 3..32 characters of [a-z0-9._-], starting with a letter or digit.
bool valid_username(std::string_view name) noexcept;

enum class create_result { created, already_exists, invalid_username, weak_password };

// Creates an account. Blocking; CLI and start-up only.
create_result create(redis::sync_client& redis, std::string_view username, staff_role role,
                     std::string_view password, const crypto::pwhash_params& params);

// Disables or re-enables an account; a disabled account cannot log in and
// its sessions are refused at the next check. Returns false if no such account.
bool set_disabled(redis::sync_client& redis, std::string_view username, bool disabled);

// True if at least one enabled administrator account exists.
bool any_admin(redis::sync_client& redis);

struct account_summary {
    std::string username;
    std::string role;
    bool disabled = false;
};
std::vector<account_summary> list(redis::sync_client& redis);

} // namespace peerline::accounts
