// Administrators manage staff accounts and the 24/7 signposting list over
// the JSON API. Accounts are durable in Redis; passwords are stored only as
// Argon2id hashes, made on the CPU pool.
#include "net/http_api.hpp"

#include "core/log.hpp"
#include "domain/accounts.hpp"
#include "domain/client_session.hpp"
#include "domain/keys.hpp"
#include "domain/router.hpp"
#include "domain/scripts.hpp"
#include "domain/services.hpp"
#include "domain/signposting.hpp"
#include "net/cpu_work.hpp"
#include "redis/client.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>
#include <sodium.h>

namespace peerline {

namespace {

using json = nlohmann::json;

} // namespace

net::awaitable<http_response> http_api::admin_accounts_get(const http_request& req) {
    std::vector<std::string> names{"SMEMBERS", keys::usernames};
    auto users = co_await svc_.redis->async_exec(std::move(names), net::use_awaitable);
    if (users.failed()) co_return unavailable_response(req);
    std::vector<std::string> sorted;
    for (auto& u : users.elements) sorted.push_back(u.str);
    std::sort(sorted.begin(), sorted.end());
    json list = json::array();
    for (auto& name : sorted) {
        std::vector<std::string> get{"HMGET", keys::account(name), "role", "disabled", "capacity"};
        auto account = co_await svc_.redis->async_exec(std::move(get), net::use_awaitable);
        std::vector<std::string> get_enrolment{"HGETALL", keys::enrolment(name)};
        auto enrolment = co_await svc_.redis->async_exec(std::move(get_enrolment), net::use_awaitable);
        std::vector<std::string> get_cert{"HGETALL", keys::certificate(name)};
        auto cert = co_await svc_.redis->async_exec(std::move(get_cert), net::use_awaitable);
        if (account.failed() || enrolment.failed() || cert.failed()) co_return unavailable_response(req);
        if (account.elements.size() != 3 || account.elements[0].is_nil()) continue;
        auto certificate = certificate_state(enrolment, cert);
        certificate.erase("enrolment_request"); // the list shows the state, not the material
        certificate.erase("certificate");
        json entry{{"username", name},
                   {"role", account.elements[0].str},
                   {"disabled", account.elements[1].str == "1"},
                   {"certificate", certificate}};
        if (account.elements[0].str == "listener")
            entry["capacity"] = accounts::capacity_from_text(account.elements[2].str);
        list.push_back(std::move(entry));
    }
    co_return json_response(req, http::status::ok, json{{"accounts", list}}.dump());
}

net::awaitable<http_response> http_api::admin_accounts_post(const http_request& req) {
    auto body = json::parse(req.body(), nullptr, false);
    auto username = string_member(body, "username", 64).value_or("");
    auto password = string_member(body, "password", crypto::max_password_bytes + 1).value_or("");
    auto role = accounts::staff_role_from_string(string_member(body, "role", 16).value_or(""));
    if (!accounts::valid_username(username) || !role)
        co_return json_error(req, http::status::bad_request, "invalid_request",
                             "username: 3 to 32 of a-z 0-9 . _ - (starting with a letter or digit); "
                             "role: listener or admin.");
    if (password.size() < crypto::min_password_bytes || password.size() > crypto::max_password_bytes)
        co_return json_error(req, http::status::bad_request, "invalid_request",
                             "The password must be " + std::to_string(crypto::min_password_bytes) + " to " +
                                 std::to_string(crypto::max_password_bytes) + " bytes long.");
    // (Named local: GCC 12 mishandles lambda temporaries inside co_await.)
    auto hash_work = [password, params = svc_.pwhash]() mutable {
        auto hash = crypto::hash_password(password, params);
        sodium_memzero(password.data(), password.size());
        return hash;
    };
    sodium_memzero(password.data(), password.size());
    auto hashed = co_await async_on_pool<std::string>(*svc_.cpu_pool, std::move(hash_work), net::use_awaitable);
    if (!hashed) co_return unavailable_response(req);
    auto hash = std::move(*hashed);
    auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    std::vector<std::string> keys_arg{keys::account(username), keys::usernames};
    std::vector<std::string> args{username, std::string(accounts::to_string(*role)), hash,
                                  std::to_string(now_s)};
    auto v = co_await svc_.redis->async_eval(scripts::account_create(), std::move(keys_arg), std::move(args),
                                             net::use_awaitable);
    if (v.failed()) co_return unavailable_response(req);
    if (v.integer != 1)
        co_return json_error(req, http::status::conflict, "exists", "An account with this name exists.");
    // The password was chosen by an administrator: the new user replaces it
    // at first sign-in (http_api_account_guards.cpp).
    if (!co_await mark_one_time_password(username)) co_return unavailable_response(req);
    log::info("account_created", {{"username", username}, {"role", accounts::to_string(*role)}});
    co_return json_response(req, http::status::created,
                            json{{"username", username}, {"role", accounts::to_string(*role)}}.dump());
}

net::awaitable<http_response> http_api::admin_account_set_disabled(const http_request& req,
                                                                   std::string username, bool disabled) {
    std::vector<std::string> members{"SMEMBERS", keys::usernames};
    auto names = co_await svc_.redis->async_exec(std::move(members), net::use_awaitable);
    if (names.failed()) co_return unavailable_response(req);
    std::vector<std::string> all;
    for (auto& n : names.elements) all.push_back(n.str);
    auto v = co_await svc_.redis->async_eval(scripts::account_set_disabled(),
                                             accounts::set_disabled_keys(username, all),
                                             accounts::set_disabled_args(disabled), net::use_awaitable);
    if (v.failed()) co_return unavailable_response(req);
    switch (accounts::set_disabled_result_from(v.integer)) {
    case accounts::set_disabled_result::no_such_account:
        co_return json_error(req, http::status::not_found, "not_found", "No such account.");
    case accounts::set_disabled_result::last_admin:
        co_return json_error(req, http::status::conflict, "last_admin",
                             "This is the last enabled administrator account: disabling it would leave "
                             "nobody able to run the service. Enable or create another administrator first.");
    case accounts::set_disabled_result::done: break;
    }
    // A disabled account's tokens are refused from now on (every API call
    // and WebSocket hello re-reads the account); its open connections on
    // this node close now, on other nodes at their next staff heartbeat.
    if (disabled)
        svc_.routes->for_each_local([&username](const std::shared_ptr<client_session>& s) {
            s->post_event({{"e", "account_disabled"}, {"username", username}});
        });
    log::info(disabled ? "account_disabled" : "account_enabled", {{"username", username}});
    co_return no_content_response(req);
}

net::awaitable<http_response> http_api::admin_account_capacity_put(const http_request& req,
                                                                   std::string username) {
    auto body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("capacity") ||
        !body["capacity"].is_number_unsigned() || body["capacity"].get<unsigned>() < 1 ||
        body["capacity"].get<unsigned>() > accounts::max_capacity)
        co_return json_error(req, http::status::bad_request, "invalid_request",
                             "Send {\"capacity\": 1 to " + std::to_string(accounts::max_capacity) + "}.");
    auto capacity = body["capacity"].get<unsigned>();
    std::vector<std::string> role{"HGET", keys::account(username), "role"};
    auto r = co_await svc_.redis->async_exec(std::move(role), net::use_awaitable);
    if (r.failed()) co_return unavailable_response(req);
    if (r.is_nil() || r.str != "listener")
        co_return json_error(req, http::status::not_found, "not_found", "No such listener account.");
    std::vector<std::string> set{"HSET", keys::account(username), "capacity", std::to_string(capacity)};
    auto v = co_await svc_.redis->async_exec(std::move(set), net::use_awaitable);
    if (v.failed()) co_return unavailable_response(req);
    log::info("capacity_changed", {{"username", username}, {"capacity", capacity}});
    co_return no_content_response(req);
}

net::awaitable<http_response> http_api::signposting_list(const http_request& req, bool admin) {
    std::vector<std::string> get{"GET", keys::signposting};
    auto v = co_await svc_.redis->async_exec(std::move(get), net::use_awaitable);
    std::vector<protocol::alternative> list = svc_.alternatives;
    std::string error;
    if (!v.failed() && !v.is_nil()) {
        auto doc = json::parse(v.str, nullptr, false);
        if (auto chosen = doc.is_discarded() ? std::nullopt : parse_alternatives(doc, error)) list = *chosen;
    } else if (v.failed() && admin) {
        co_return unavailable_response(req); // an administrator must see what is really stored
    }
    // The public landing page still gets the configured list while Redis is down.
    co_return json_response(req, http::status::ok, json{{"alternatives", alternatives_json(list)}}.dump());
}

net::awaitable<http_response> http_api::admin_signposting_put(const http_request& req) {
    auto body = json::parse(req.body(), nullptr, false);
    std::string error = "Send {\"alternatives\": [{\"name\", \"contact\", \"hours\"}, ...]}.";
    std::optional<std::vector<protocol::alternative>> list;
    if (!body.is_discarded() && body.is_object() && body.contains("alternatives"))
        list = parse_alternatives(body["alternatives"], error);
    if (!list) co_return json_error(req, http::status::bad_request, "invalid_request", error);
    std::vector<std::string> set{"SET", keys::signposting, alternatives_json(*list).dump()};
    auto v = co_await svc_.redis->async_exec(std::move(set), net::use_awaitable);
    if (v.failed()) co_return unavailable_response(req);
    log::info("signposting_changed", {{"services", list->size()}});
    co_return no_content_response(req);
}

} // namespace peerline
