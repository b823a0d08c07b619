#include "domain/sessions/sessions_store.hpp"

#include "domain/keys.hpp"
#include "domain/scripts.hpp"
#include "peerline/crypto/crypto.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdlib>

namespace peerline {

namespace {
constexpr auto use_awaitable = boost::asio::use_awaitable;

long long now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}
} // namespace

// (Commands are built as named locals throughout: GCC 12 miscompiles braced
// lists inside co_await.)

auto sessions_store::sign_in_state(std::string username, std::string address_hash, std::string device_token)
    -> awaitable<std::optional<login_state>> {
    // A device token is looked up only in its issued shape (43 characters of
    // base64url); anything else is as if none came.
    std::string device_hash = crypto::is_well_formed_token(device_token) ? crypto::token_hash(device_token) : "";
    std::vector<std::string> keys{keys::login_failures_address(address_hash), keys::login_failures_untrusted(username),
                                  device_hash.empty() ? "" : keys::login_device(device_hash),
                                  device_hash.empty() ? "" : keys::login_failures_device(device_hash)};
    std::vector<std::string> args{std::move(username)};
    auto v = co_await redis_.async_eval(scripts::login_state(), std::move(keys), std::move(args), use_awaitable);
    if (v.failed() || v.elements.size() != 4) co_return std::nullopt;
    login_state out;
    out.address_failures = v.elements[0].integer;
    out.trusted_device = v.elements[1].integer == 1;
    out.failures = v.elements[2].integer;
    out.last_failure_ms = v.elements[3].integer;
    co_return out;
}

auto sessions_store::record_failed_login(std::string username, std::string address_hash,
                                         std::string trusted_device_token, std::chrono::seconds window,
                                         long long now_ms) -> awaitable<bool> {
    std::vector<std::string> counters{keys::login_failures_address(address_hash),
                                      trusted_device_token.empty()
                                          ? keys::login_failures_untrusted(username)
                                          : keys::login_failures_device(crypto::token_hash(trusted_device_token))};
    std::vector<std::string> args{std::to_string(window.count()), std::to_string(now_ms)};
    auto v = co_await redis_.async_eval(scripts::login_failure(), std::move(counters), std::move(args),
                                        use_awaitable);
    co_return !v.is_unavailable();
}

auto sessions_store::remember_device(std::string device_token, std::string username, std::chrono::seconds ttl)
    -> awaitable<bool> {
    std::vector<std::string> set{"SET", keys::login_device(crypto::token_hash(device_token)), std::move(username),
                                 "EX", std::to_string(ttl.count())};
    auto v = co_await redis_.async_exec(std::move(set), use_awaitable);
    co_return !v.failed();
}

auto sessions_store::account_for_login(std::string username) -> awaitable<std::optional<login_account>> {
    std::vector<std::string> get{"HMGET", keys::account(username), "role", "pwhash", "disabled",
                                 "must_change_password"};
    auto v = co_await redis_.async_exec(std::move(get), use_awaitable);
    if (v.failed() || v.elements.size() != 4) co_return std::nullopt;
    login_account a;
    a.exists = !v.elements[0].is_nil();
    if (a.exists) {
        a.role = v.elements[0].str;
        a.password_hash = v.elements[1].str;
        a.disabled = v.elements[2].str == "1";
        a.must_change_password = v.elements[3].str == "1";
    }
    co_return a;
}

auto sessions_store::create_session(std::string token, std::chrono::seconds ttl, std::string role,
                                    std::string username, std::string sid) -> awaitable<bool> {
    std::vector<std::string> session_key{keys::session(crypto::token_hash(token))};
    if (!username.empty()) session_key.push_back(keys::account(username)); // its session epoch
    std::vector<std::string> fields{std::to_string(ttl.count()), std::move(role), std::move(username),
                                    std::move(sid)};
    auto v = co_await redis_.async_eval(scripts::session_create(), std::move(session_key), std::move(fields),
                                        use_awaitable);
    co_return !v.failed();
}

auto sessions_store::delete_session(std::string token) -> awaitable<bool> {
    std::vector<std::string> del{"DEL", keys::session(crypto::token_hash(token))};
    auto v = co_await redis_.async_exec(std::move(del), use_awaitable);
    co_return !v.failed();
}

auto sessions_store::usernames() -> awaitable<std::optional<std::vector<std::string>>> {
    std::vector<std::string> members{"SMEMBERS", keys::usernames};
    auto v = co_await redis_.async_exec(std::move(members), use_awaitable);
    if (v.failed()) co_return std::nullopt;
    std::vector<std::string> out;
    out.reserve(v.elements.size());
    for (auto& n : v.elements) out.push_back(std::move(n.str));
    std::sort(out.begin(), out.end());
    co_return out;
}

auto sessions_store::find_account(std::string username) -> awaitable<std::optional<std::optional<account>>> {
    std::vector<std::string> get{"HMGET", keys::account(username), "role", "disabled", "capacity"};
    auto v = co_await redis_.async_exec(std::move(get), use_awaitable);
    if (v.failed()) co_return std::nullopt;
    if (v.elements.size() != 3 || v.elements[0].is_nil()) co_return std::optional<account>();
    co_return account{v.elements[0].str, v.elements[1].str == "1",
                      accounts::capacity_from_text(v.elements[2].str)};
}

auto sessions_store::create_account(std::string username, accounts::staff_role role, std::string password_hash,
                                    accounts::password_kind kind)
    -> awaitable<std::optional<accounts::create_result>> {
    std::vector<std::string> keys_arg{keys::account(username), keys::usernames};
    std::vector<std::string> args{username, std::string(accounts::to_string(role)), std::move(password_hash),
                                  std::to_string(now_s()),
                                  kind == accounts::password_kind::one_time ? "1" : "0"};
    auto v = co_await redis_.async_eval(scripts::account_create(), std::move(keys_arg), std::move(args),
                                        use_awaitable);
    if (v.failed()) co_return std::nullopt;
    co_return v.integer == 1 ? accounts::create_result::created : accounts::create_result::already_exists;
}

auto sessions_store::set_disabled(std::string username, bool disabled)
    -> awaitable<std::optional<accounts::set_disabled_result>> {
    // Every account key the script reads is named in KEYS: the usernames as
    // read just before (accounts::set_disabled_keys).
    auto names = co_await usernames();
    if (!names) co_return std::nullopt;
    auto keys_arg = accounts::set_disabled_keys(username, *names);
    auto args = accounts::set_disabled_args(disabled);
    auto v = co_await redis_.async_eval(scripts::account_set_disabled(), std::move(keys_arg), std::move(args),
                                        use_awaitable);
    if (v.failed()) co_return std::nullopt;
    co_return accounts::set_disabled_result_from(v.integer);
}

void sessions_store::sweep_detached(long long now_ms, std::function<void(std::vector<swept_session>)> done) {
    redis_.eval(scripts::detached_sweep(), {keys::queue_prefix}, {std::to_string(now_ms)},
                [done = std::move(done)](redis::value v) {
                    std::vector<swept_session> out;
                    // Pairs: session id, detached record.
                    for (std::size_t i = 0; !v.failed() && i + 1 < v.elements.size(); i += 2) {
                        swept_session s{v.elements[i].str, std::nullopt, {}};
                        auto state = protocol::cluster::decode_detached_session(v.elements[i + 1].str,
                                                                                protocol::cluster::node_limits{});
                        if (state)
                            s.held = std::move(*state.value);
                        else
                            s.malformed = std::string(protocol::to_string(state.err->code));
                        out.push_back(std::move(s));
                    }
                    done(std::move(out));
                });
}

auto sessions_store::set_capacity(std::string username, unsigned capacity) -> awaitable<bool> {
    std::vector<std::string> set{"HSET", keys::account(username), "capacity", std::to_string(capacity)};
    auto v = co_await redis_.async_exec(std::move(set), use_awaitable);
    co_return !v.failed();
}

auto sessions_store::replace_password(std::string username, std::string password_hash) -> awaitable<bool> {
    std::vector<std::string> set{"HSET", keys::account(username), "pwhash", std::move(password_hash),
                                 "must_change_password", "0"};
    auto v = co_await redis_.async_exec(std::move(set), use_awaitable);
    co_return !v.failed();
}

} // namespace peerline
