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

// Whether the password is one to replace at first sign-in: a password
// printed by Peerline (first-run administrator, `peerline admin create-*`
// without --password-stdin) is; one the operator chose is not.
enum class password_kind { chosen, one_time };

// Creates an account. Blocking; CLI and start-up only.
create_result create(redis::sync_client& redis, std::string_view username, staff_role role,
                     std::string_view password, const crypto::pwhash_params& params,
                     password_kind kind = password_kind::chosen);

// Disables or re-enables an account; a disabled account cannot log in and
// its sessions are refused at the next check. The last enabled administrator
// is never disabled (account_set_disabled.lua decides, atomically).
enum class set_disabled_result { done, no_such_account, last_admin };
set_disabled_result set_disabled(redis::sync_client& redis, std::string_view username, bool disabled);

// What account_set_disabled.lua is called with: the account's key first, then
// the key of every username in `all_usernames` (the set of usernames as read
// just before), so every key the script reads is named in KEYS.
std::vector<std::string> set_disabled_keys(std::string_view username,
                                           const std::vector<std::string>& all_usernames);
std::vector<std::string> set_disabled_args(bool disabled);
// The script's answer as a result (1 done, 0 no such account, -1 last admin).
set_disabled_result set_disabled_result_from(long long answer) noexcept;

// True if at least one enabled administrator account exists.
bool any_admin(redis::sync_client& redis);

struct account_summary {
    std::string username;
    std::string role;
    bool disabled = false;
};
std::vector<account_summary> list(redis::sync_client& redis);

} // namespace peerline::accounts
