#include "domain/accounts.hpp"

#include "domain/keys.hpp"
#include "domain/scripts.hpp"
#include "peerline/crypto/crypto.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace peerline::accounts {

std::string_view to_string(staff_role r) noexcept {
    return r == staff_role::admin ? "admin" : "listener";
}

std::optional<staff_role> staff_role_from_string(std::string_view s) noexcept {
    if (s == "admin") return staff_role::admin;
    if (s == "listener") return staff_role::listener;
    return std::nullopt;
}

unsigned capacity_from_text(std::string_view text) noexcept {
    if (text.size() != 1 || text[0] < '1' || text[0] > static_cast<char>('0' + max_capacity)) return 1;
    return static_cast<unsigned>(text[0] - '0');
}

bool valid_username(std::string_view name) noexcept {
    if (name.size() < 3 || name.size() > 32) return false;
    auto ok = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    };
    if (!std::all_of(name.begin(), name.end(), ok)) return false;
    char first = name.front();
    return (first >= 'a' && first <= 'z') || (first >= '0' && first <= '9');
}

create_result create(redis::sync_client& redis, std::string_view username, staff_role role,
                     std::string_view password, const crypto::pwhash_params& params, password_kind kind) {
    if (!valid_username(username)) return create_result::invalid_username;
    if (password.size() < crypto::min_password_bytes || password.size() > crypto::max_password_bytes)
        return create_result::weak_password;
    auto hash = crypto::hash_password(password, params);
    auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    auto v = redis.eval(scripts::account_create(), {keys::account(username), keys::usernames},
                        {std::string(username), std::string(to_string(role)), hash,
                         std::to_string(now_s), kind == password_kind::one_time ? "1" : "0"});
    if (v.failed()) throw std::runtime_error("Redis error creating account: " + v.str);
    return v.integer == 1 ? create_result::created : create_result::already_exists;
}

std::vector<std::string> set_disabled_keys(std::string_view username,
                                           const std::vector<std::string>& all_usernames) {
    std::vector<std::string> out{keys::account(username)};
    out.reserve(all_usernames.size() + 1);
    for (auto& name : all_usernames) out.push_back(keys::account(name));
    return out;
}

std::vector<std::string> set_disabled_args(bool disabled) { return {disabled ? "1" : "0"}; }

set_disabled_result set_disabled_result_from(long long answer) noexcept {
    if (answer == 1) return set_disabled_result::done;
    if (answer == -1) return set_disabled_result::last_admin;
    return set_disabled_result::no_such_account;
}

set_disabled_result set_disabled(redis::sync_client& redis, std::string_view username, bool disabled) {
    auto names = redis.exec({"SMEMBERS", keys::usernames});
    if (names.failed()) throw std::runtime_error("Redis error: " + names.str);
    std::vector<std::string> all;
    for (auto& n : names.elements) all.push_back(n.str);
    auto v = redis.eval(scripts::account_set_disabled(), set_disabled_keys(username, all),
                        set_disabled_args(disabled));
    if (v.failed()) throw std::runtime_error("Redis error: " + v.str);
    return set_disabled_result_from(v.integer);
}

std::vector<account_summary> list(redis::sync_client& redis) {
    std::vector<account_summary> out;
    auto names = redis.exec({"SMEMBERS", keys::usernames});
    if (names.failed()) throw std::runtime_error("Redis error: " + names.str);
    for (auto& n : names.elements) {
        auto fields = redis.exec({"HMGET", keys::account(n.str), "role", "disabled"});
        if (fields.failed() || fields.elements.size() != 2 || fields.elements[0].is_nil()) continue;
        out.push_back({n.str, fields.elements[0].str, fields.elements[1].str == "1"});
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.username < b.username; });
    return out;
}

bool any_admin(redis::sync_client& redis) {
    for (auto& a : list(redis))
        if (a.role == "admin" && !a.disabled) return true;
    return false;
}

} // namespace peerline::accounts
