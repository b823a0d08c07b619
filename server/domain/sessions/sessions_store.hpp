// Staff accounts, sign-in and session records in Redis: the one owner of
// pl:account:*, pl:accounts, pl:session:*, the failed-login counters
// pl:rl:login:* and the device tokens pl:login:device:*, and the caller of
// domain/sessions/scripts/ for them (account_create, account_set_disabled,
// session_create, login_state, login_failure).
// Callers get structs and enums; no reply is read by position outside this
// file. (The detach/resume scripts beside them are still called by
// client_session; docs/ARCHITECTURE.md, "Not yet reshaped".)
//
// Every method is a coroutine that runs on the caller's executor (Redis
// replies come back to it). An empty optional, or false, means Redis did not
// answer (disconnected, or it answered an error): the caller answers
// `service_unavailable`, and nothing was changed or decided.
#pragma once

#include "domain/accounts.hpp"
#include "peerline/protocol/node_messages.hpp"
#include "redis/client.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace peerline {

class sessions_store {
public:
    template <class T>
    using awaitable = boost::asio::awaitable<T>;

    explicit sessions_store(redis::client& redis) : redis_(redis) {}

    // ---- Sign-in -------------------------------------------------------
    // What a sign-in attempt must know before the password is checked
    // (login_state.lua): the failures from this (pseudonymised) client
    // address in the current window, whether `device_token` (may be empty)
    // is one issued to `username`, and the throttle counter that applies:
    // that device token's own when it is, else the account's "untrusted"
    // one (domain/sessions/login_throttle.hpp).
    struct login_state {
        long long address_failures = 0;
        bool trusted_device = false;
        long long failures = 0;       // on the counter that applies
        long long last_failure_ms = 0; // 0 if none
    };
    awaitable<std::optional<login_state>> sign_in_state(std::string username, std::string address_hash,
                                                        std::string device_token);
    // Counts one failure against the address and the counter that applied
    // (login_failure.lua: the address counter expires `window` after its
    // first failure; the other slides to `window` after this one). False only
    // if Redis was unreachable; an error answer is not retried and counts
    // as done.
    awaitable<bool> record_failed_login(std::string username, std::string address_hash,
                                        std::string trusted_device_token, std::chrono::seconds window,
                                        long long now_ms);
    // Keeps `device_token` (stored as its hash) as a device known to
    // `username` for `ttl`: a new token, or one just presented, whose life
    // starts again. False if Redis did not answer.
    awaitable<bool> remember_device(std::string device_token, std::string username, std::chrono::seconds ttl);

    // What sign-in needs of an account; `exists` false for an unknown name.
    struct login_account {
        bool exists = false;
        std::string role;
        std::string password_hash;
        bool disabled = false;
        bool must_change_password = false; // a one-time password to replace
    };
    awaitable<std::optional<login_account>> account_for_login(std::string username);

    // ---- Sessions ------------------------------------------------------
    // Stores a session under the hash of its token (session_create.lua),
    // expiring after `ttl`. `username` is empty for a GP.
    awaitable<bool> create_session(std::string token, std::chrono::seconds ttl, std::string role,
                                   std::string username, std::string sid);
    awaitable<bool> delete_session(std::string token);

    // ---- Accounts ------------------------------------------------------
    struct account {
        std::string role; // "listener" or "admin"
        bool disabled = false;
        unsigned capacity = 1; // listeners' conversations at once
    };
    // Every account name, sorted.
    awaitable<std::optional<std::vector<std::string>>> usernames();
    // The inner optional is empty when there is no such account.
    awaitable<std::optional<std::optional<account>>> find_account(std::string username);
    // account_create.lua: created, or already_exists (the name is taken).
    awaitable<std::optional<accounts::create_result>> create_account(std::string username,
                                                                     accounts::staff_role role,
                                                                     std::string password_hash,
                                                                     accounts::password_kind kind);
    // account_set_disabled.lua (never the last enabled administrator).
    awaitable<std::optional<accounts::set_disabled_result>> set_disabled(std::string username, bool disabled);
    awaitable<bool> set_capacity(std::string username, unsigned capacity);
    // The new hash and the end of a one-time password, in one command.
    awaitable<bool> replace_password(std::string username, std::string password_hash);

    // ---- Detached sessions (detached_sweep.lua) ------------------------
    // A session nobody resumed within the grace period, taken out of Redis:
    // what it still held (its request, its conversations), or why its
    // record could not be read (`malformed`, the decoder's error code).
    struct swept_session {
        std::string sid;
        std::optional<protocol::cluster::detached_session> held;
        std::string malformed;
    };
    // Callback form (the janitor's); runs on the Redis client's executor.
    // Empty also when Redis did not answer (the next sweep tries again).
    void sweep_detached(long long now_ms, std::function<void(std::vector<swept_session>)> done);

private:
    redis::client& redis_;
};

} // namespace peerline
