#include "net/http_api.hpp"

#include "net/cpu_work.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "domain/accounts.hpp"
#include "domain/services.hpp"
#include "domain/sessions/login_throttle.hpp"
#include "domain/session_auth.hpp"
#include "domain/trust.hpp"
#include "net/http_security_headers.hpp"
#include "net/static_files.hpp"
#include "peerline/crypto/crypto.hpp"
#include "redis/client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <algorithm>
#include <chrono>

namespace peerline {

namespace {

using json = nlohmann::json;

constexpr std::size_t max_username_bytes = 64;

// 429 rate_limited, retry after `after` (at least one second).
http_response rate_limited(const http_request& req, std::chrono::seconds after) {
    auto res = json_error(req, http::status::too_many_requests, "rate_limited",
                          "Too many failed attempts. Try again later.");
    res.set(http::field::retry_after, std::to_string(std::max<long long>(1, after.count())));
    return res;
}

} // namespace

std::string bearer_token(const http_request& req) {
    auto it = req.find(http::field::authorization);
    if (it == req.end()) return {};
    std::string_view v = it->value();
    constexpr std::string_view prefix = "Bearer ";
    if (v.substr(0, prefix.size()) != prefix) return {};
    auto token = std::string(v.substr(prefix.size()));
    return crypto::is_well_formed_token(token) ? token : std::string();
}

http_response unavailable_response(const http_request& req) {
    auto res = json_error(req, http::status::service_unavailable, "service_unavailable",
                          "A service Peerline depends on is unavailable; nothing was changed. "
                          "Please try again shortly.");
    res.set(http::field::retry_after, "5");
    return res;
}

http_response json_response(const http_request& req, http::status status, const std::string& body) {
    http_response res{status, req.version()};
    set_security_headers(res);
    res.set(http::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    res.body() = body;
    res.prepare_payload();
    return res;
}

http_response json_error(const http_request& req, http::status status, std::string_view code,
                         std::string_view message) {
    json body{{"error", {{"code", code}, {"message", message}}}};
    return json_response(req, status, body.dump());
}

http_response no_content_response(const http_request& req) {
    http_response res{http::status::no_content, req.version()};
    set_security_headers(res);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
}

std::optional<std::string> string_member(const nlohmann::json& body, const char* name, std::size_t max) {
    if (!body.is_object()) return std::nullopt;
    auto it = body.find(name);
    if (it == body.end() || !it->is_string()) return std::nullopt;
    const auto& v = it->get_ref<const std::string&>();
    if (v.empty() || v.size() > max) return std::nullopt;
    return v;
}

http_response method_not_allowed(const http_request& req) {
    return json_error(req, http::status::method_not_allowed, "method_not_allowed",
                      "This method is not allowed here.");
}

http_api::http_api(services& svc)
    : svc_(svc), sessions_(*svc.redis), trust_(*svc.redis), rota_(*svc.redis), stats_(*svc.redis),
      signposting_(*svc.redis, svc.alternatives), site_(svc.cfg.web_root, svc.org ? svc.org->root : std::nullopt) {
    dummy_hash_ = crypto::hash_password("peerline-dummy-password", svc_.pwhash);
}

net::awaitable<http_response> http_api::handle(http_request req, std::string client_address) {
    auto target = std::string_view(req.target());
    auto method = req.method();
    if (target == "/healthz" && method == http::verb::get)
        co_return json_response(req, http::status::ok, R"({"status":"ok"})");
    if (target == "/readyz" && method == http::verb::get) {
        // Both connections: a node whose subscriber is down hears nothing
        // meant for it (other nodes' events and relay frames, broadcasts).
        if (svc_.redis->ready() && svc_.subscriber->ready())
            co_return json_response(req, http::status::ok, R"({"status":"ready","redis":true})");
        co_return json_response(req, http::status::service_unavailable,
                                R"({"status":"unavailable","redis":false})");
    }
    if (target.substr(0, 5) == "/api/") {
        if (target == "/api/login" && method == http::verb::post)
            co_return co_await login(req, client_address);
        if (target == "/api/logout" && method == http::verb::post) co_return co_await logout(req);
        if (target == "/api/gp/session" && method == http::verb::post)
            co_return co_await gp_session(req);
        if (target == "/api/me" && method == http::verb::get) co_return co_await me(req);
        if (target == "/api/config" && method == http::verb::get) co_return co_await config(req);
        if (target == "/api/revocation-list" && method == http::verb::get)
            co_return co_await revocation_list_get(req);
        if (is_mentoring_target(target)) co_return co_await mentoring_endpoint(req, client_address);
        // A public endpoint asked with another method: 405, as for the rest.
        if (target == "/api/login" || target == "/api/logout" || target == "/api/gp/session" ||
            target == "/api/me" || target == "/api/config" || target == "/api/revocation-list")
            co_return method_not_allowed(req);
        co_return co_await staff_endpoint(req);
    }
    if (target == "/metrics" && method == http::verb::get) co_return co_await metrics(req);
    co_return site_.serve(req);
}

net::awaitable<std::optional<http_api::identity>> http_api::authenticate(const http_request& req,
                                                                         bool& unavailable) {
    unavailable = false;
    auto token = bearer_token(req);
    if (token.empty()) co_return std::nullopt;
    auto a = co_await async_authenticate(*svc_.redis, std::move(token), net::use_awaitable);
    if (a.result == authentication::status::unavailable) {
        unavailable = true;
        co_return std::nullopt;
    }
    if (!a.ok()) co_return std::nullopt;
    co_return identity{std::string(protocol::to_string(a.role)), std::move(a.username), std::move(a.sid)};
}

// Endpoints that need a session token: the rota, statistics, accounts,
// listener trust material and signposting (staff), feedback (GPs).
net::awaitable<http_response> http_api::staff_endpoint(const http_request& req) {
    std::string target(req.target());
    target = target.substr(0, target.find('?')); // the query is the endpoint's to read
    auto method = req.method();
    auto starts = [&](std::string_view prefix) { return target.rfind(prefix, 0) == 0; };
    const std::string shifts_prefix = "/api/rota/shifts/";
    const std::string accounts_prefix = "/api/admin/accounts/";
    bool known = target == "/api/rota" || target == "/api/rota/shifts" || target == "/api/rota/hours" ||
                 target == "/api/admin/stats" || starts(shifts_prefix) || target == "/api/feedback" ||
                 target == "/api/listener/certificate" || target == "/api/listener/enrolment" ||
                 target == "/api/admin/accounts" || starts(accounts_prefix) ||
                 target == "/api/admin/enrolments" || target == "/api/admin/revocation-list" ||
                 target == "/api/admin/signposting";
    if (!known)
        co_return json_error(req, http::status::not_found, "not_found", "No such API endpoint.");
    bool unavailable = false;
    auto who = co_await authenticate(req, unavailable);
    if (unavailable) co_return unavailable_response(req);
    if (!who)
        co_return json_error(req, http::status::unauthorized, "invalid_token",
                             "Send a valid session token as Authorization: Bearer <token>.");
    auto wrong_role = [&](std::string_view who_may) {
        return json_error(req, http::status::forbidden, "wrong_role",
                          "Only " + std::string(who_may) + " may do this.");
    };
    if (target == "/api/feedback") {
        if (method != http::verb::post) co_return method_not_allowed(req);
        co_return co_await feedback(req, *who);
    }
    if (target == "/api/rota" && method == http::verb::get && who->role != "gp")
        co_return co_await rota_get(req, *who);
    if (starts("/api/listener/")) {
        if (who->role != "listener") co_return wrong_role("a listener");
        if (target == "/api/listener/certificate" && method == http::verb::get)
            co_return co_await listener_certificate_get(req, *who);
        if (target == "/api/listener/enrolment" && method == http::verb::put)
            co_return co_await listener_enrolment_put(req, *who);
        co_return method_not_allowed(req);
    }
    if (who->role != "admin") co_return wrong_role("an administrator");
    if (target == "/api/rota/shifts" && method == http::verb::post) co_return co_await rota_add_shift(req);
    if (target == "/api/rota/hours" && method == http::verb::put) co_return co_await rota_put_hours(req);
    if (starts(shifts_prefix) && method == http::verb::delete_)
        co_return co_await rota_delete_shift(req, target.substr(shifts_prefix.size()));
    if (target == "/api/admin/stats" && method == http::verb::get) co_return co_await admin_stats(req);
    if (target == "/api/admin/accounts" && method == http::verb::get) co_return co_await admin_accounts_get(req);
    if (target == "/api/admin/accounts" && method == http::verb::post) co_return co_await admin_accounts_post(req);
    if (starts(accounts_prefix)) {
        // /api/admin/accounts/<username>/(disable|enable|capacity|certificate)
        auto rest = target.substr(accounts_prefix.size());
        auto slash = rest.find('/');
        auto username = rest.substr(0, slash);
        auto action = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
        if (!accounts::valid_username(username))
            co_return json_error(req, http::status::not_found, "not_found", "No such account.");
        if (action == "disable" && method == http::verb::post) {
            if (auto refused = disable_refusal(req, *who, username)) co_return std::move(*refused);
        }
        if ((action == "disable" || action == "enable") && method == http::verb::post)
            co_return co_await admin_account_set_disabled(req, username, action == "disable");
        if (action == "capacity" && method == http::verb::put)
            co_return co_await admin_account_capacity_put(req, username);
        if (action == "certificate" && method == http::verb::put)
            co_return co_await admin_certificate_put(req, username);
        co_return method_not_allowed(req);
    }
    if (target == "/api/admin/enrolments" && method == http::verb::get) co_return co_await admin_enrolments(req);
    if (target == "/api/admin/revocation-list" && method == http::verb::put)
        co_return co_await admin_revocation_list_put(req);
    if (target == "/api/admin/signposting" && method == http::verb::get)
        co_return co_await signposting_list(req, true);
    if (target == "/api/admin/signposting" && method == http::verb::put)
        co_return co_await admin_signposting_put(req);
    co_return method_not_allowed(req);
}

net::awaitable<http_response> http_api::login(const http_request& req,
                                              const std::string& client_address) {
    auto body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("username") ||
        !body.contains("password") || !body["username"].is_string() ||
        !body["password"].is_string())
        co_return json_error(req, http::status::bad_request, "invalid_request",
                             "Send a JSON object with string fields username and password.");
    auto username = body["username"].get<std::string>();
    auto password = body["password"].get<std::string>();
    // Optional: replaces the password once this one is verified (required
    // while the account has a one-time password; http_api_account_guards.cpp).
    std::optional<std::string> new_password;
    if (body.contains("new_password")) {
        if (!body["new_password"].is_string())
            co_return json_error(req, http::status::bad_request, "invalid_request", "new_password must be a string.");
        new_password = body["new_password"].get<std::string>();
        if (auto problem = new_password_problem(req, password, *new_password)) co_return std::move(*problem);
    }
    // Optional: the device token this browser was given at an earlier
    // sign-in to this account (exempts it from the account's delays).
    std::string device_token;
    if (body.contains("device_token")) {
        if (!body["device_token"].is_string() || body["device_token"].get_ref<const std::string&>().size() > 64)
            co_return json_error(req, http::status::bad_request, "invalid_request",
                                 "device_token must be a string of at most 64 characters.");
        device_token = body["device_token"].get<std::string>();
    }
    if (username.empty() || username.size() > max_username_bytes ||
        password.size() > crypto::max_password_bytes)
        co_return json_error(req, http::status::unauthorized, "invalid_credentials",
                             "Wrong username or password.");
    if (!svc_.redis->ready()) co_return unavailable_response(req);

    // Sign-in throttling (docs/CRYPTO.md, "Sign-in throttling"): the address
    // is refused for the rest of its window after too many failures; the
    // account slows down attempts from browsers without its device token,
    // and each device token is slowed down on its own, so no one can lock a
    // listener out of the browser they already use.
    auto address_hash = crypto::keyed_hash_hex(client_address, address_key_);
    auto state = co_await sessions_.sign_in_state(username, address_hash, device_token);
    if (!state) co_return unavailable_response(req);
    if (state->address_failures >= svc_.cfg.login_attempts_per_address) {
        log::warn("login_rate_limited", {{"by", "address"}});
        co_return rate_limited(req, svc_.cfg.login_window);
    }
    const auto now_ms = clock::now_ms();
    const auto wait = login_throttle::wait_before_next(
        state->failures, state->last_failure_ms, now_ms, svc_.cfg.login_attempts_per_account,
        svc_.cfg.login_delay, std::chrono::duration_cast<std::chrono::milliseconds>(svc_.cfg.login_window));
    if (wait.count() > 0) {
        log::warn("login_rate_limited", {{"by", state->trusted_device ? "device" : "account"}});
        co_return rate_limited(req, std::chrono::ceil<std::chrono::seconds>(wait));
    }
    if (!state->trusted_device) device_token.clear(); // not this account's: as if none came

    auto account = co_await sessions_.account_for_login(username);
    if (!account) co_return unavailable_response(req);
    bool exists = account->exists;
    std::string hash = exists ? account->password_hash : dummy_hash_;
    // Argon2id takes tens of milliseconds: never on an I/O thread.
    // (The work is a named local: GCC 12 mishandles lambda temporaries inside co_await.)
    auto verify = [hash = std::move(hash), password]() mutable {
        bool ok = crypto::verify_password(hash, password);
        sodium_memzero(password.data(), password.size());
        return ok;
    };
    auto checked = co_await async_on_pool<bool>(*svc_.cpu_pool, std::move(verify), net::use_awaitable);
    if (!checked) co_return unavailable_response(req);
    bool verified = *checked;
    bool ok = exists && verified && !account->disabled;
    if (!ok) {
        const bool counted = co_await sessions_.record_failed_login(username, address_hash, device_token,
                                                                     svc_.cfg.login_window, now_ms);
        if (!counted) co_return unavailable_response(req);
        log::info("login_failed");
        co_return json_error(req, http::status::unauthorized, "invalid_credentials",
                             "Wrong username or password.");
    }
    if (new_password)
        co_return co_await change_password_and_issue(req, account->role, username, std::move(*new_password),
                                                     std::move(device_token));
    if (account->must_change_password)
        co_return json_error(req, http::status::forbidden, "password_change_required",
                             "This is a one-time password: choose a new one (send it as new_password).");
    log::info("login_succeeded", {{"role", account->role}});
    co_return co_await issue_staff_session(req, account->role, username, std::move(device_token));
}

net::awaitable<http_response> http_api::issue_staff_session(const http_request& req, std::string role,
                                                            std::string username, std::string device_token) {
    if (device_token.empty()) device_token = crypto::generate_token();
    const bool kept = co_await sessions_.remember_device(device_token, username, svc_.cfg.login_device_ttl);
    if (!kept) co_return unavailable_response(req);
    co_return co_await issue_session(req, std::move(role), std::move(username), svc_.cfg.staff_session_ttl,
                                     std::move(device_token));
}

net::awaitable<http_response> http_api::issue_session(const http_request& req, std::string role,
                                                      std::string username, std::chrono::seconds ttl,
                                                      std::string device_token) {
    auto token = crypto::generate_token();
    auto sid = crypto::random_hex(16);
    const bool stored = co_await sessions_.create_session(token, ttl, role, username, sid);
    if (!stored) co_return unavailable_response(req);
    json body{{"token", token}, {"role", role}, {"expires_in_s", ttl.count()}};
    if (!device_token.empty()) body["device_token"] = device_token;
    co_return json_response(req, http::status::ok, body.dump());
}

net::awaitable<http_response> http_api::logout(const http_request& req) {
    auto token = bearer_token(req);
    if (token.empty())
        co_return json_error(req, http::status::unauthorized, "invalid_token",
                             "Send the session token as Authorization: Bearer <token>.");
    const bool deleted = co_await sessions_.delete_session(token);
    if (!deleted) co_return unavailable_response(req);
    co_return no_content_response(req);
}

net::awaitable<http_response> http_api::gp_session(const http_request& req) {
    if (!svc_.redis->ready()) co_return unavailable_response(req);
    // An anonymous GP session: no name, no address, nothing about the GP.
    co_return co_await issue_session(req, "gp", "", svc_.cfg.gp_session_ttl);
}

net::awaitable<http_response> http_api::me(const http_request& req) {
    // The same check as every other endpoint: a disabled account's token is refused.
    bool unavailable = false;
    auto who = co_await authenticate(req, unavailable);
    if (unavailable) co_return unavailable_response(req);
    if (!who)
        co_return json_error(req, http::status::unauthorized, "invalid_token",
                             "The session token is unknown, expired or its account disabled.");
    json body{{"role", who->role}};
    if (!who->username.empty()) body["username"] = who->username;
    co_return json_response(req, http::status::ok, body.dump());
}

} // namespace peerline
