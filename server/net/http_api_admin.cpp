// Administrators manage staff accounts and the 24/7 signposting list over
// the JSON API. Accounts are durable in Redis; passwords are stored only as
// Argon2id hashes, made on the CPU pool.
#include "net/http_api.hpp"

#include "core/log.hpp"
#include "domain/accounts.hpp"
#include "domain/client_session.hpp"
#include "domain/router.hpp"
#include "domain/services.hpp"
#include "domain/signposting.hpp"
#include "net/cpu_work.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>
#include <sodium.h>

namespace peerline {

namespace {

using json = nlohmann::json;

} // namespace

net::awaitable<http_response> http_api::admin_accounts_get(const http_request& req) {
    auto names = co_await sessions_.usernames(); // sorted
    if (!names) co_return unavailable_response(req);
    json list = json::array();
    for (auto& name : *names) {
        auto account = co_await sessions_.find_account(name);
        auto material = co_await trust_.listener(name);
        if (!account || !material) co_return unavailable_response(req);
        if (!*account) continue; // removed since the list was read
        auto& a = **account;
        auto certificate = certificate_state(*material);
        certificate.erase("enrolment_request"); // the list shows the state, not the material
        certificate.erase("certificate");
        json entry{{"username", name}, {"role", a.role}, {"disabled", a.disabled}, {"certificate", certificate}};
        if (a.role == "listener") entry["capacity"] = a.capacity;
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
    // The password was chosen by an administrator: the new user replaces it
    // at first sign-in (http_api_account_guards.cpp). The account is created
    // with its one-time mark in one script call.
    auto created = co_await sessions_.create_account(username, *role, std::move(*hashed),
                                                     accounts::password_kind::one_time);
    if (!created) co_return unavailable_response(req);
    if (*created != accounts::create_result::created)
        co_return json_error(req, http::status::conflict, "exists", "An account with this name exists.");
    log::info("account_created", {{"username", username}, {"role", accounts::to_string(*role)}});
    co_return json_response(req, http::status::created,
                            json{{"username", username}, {"role", accounts::to_string(*role)}}.dump());
}

net::awaitable<http_response> http_api::admin_account_set_disabled(const http_request& req,
                                                                   std::string username, bool disabled) {
    auto result = co_await sessions_.set_disabled(username, disabled);
    if (!result) co_return unavailable_response(req);
    switch (*result) {
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
            s->post_event(protocol::cluster::account_disabled{username});
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
    auto account = co_await sessions_.find_account(username);
    if (!account) co_return unavailable_response(req);
    if (!*account || (*account)->role != "listener")
        co_return json_error(req, http::status::not_found, "not_found", "No such listener account.");
    const bool stored = co_await sessions_.set_capacity(username, capacity);
    if (!stored) co_return unavailable_response(req);
    log::info("capacity_changed", {{"username", username}, {"capacity", capacity}});
    co_return no_content_response(req);
}

net::awaitable<http_response> http_api::signposting_list(const http_request& req, bool admin) {
    auto current = co_await signposting_.current();
    // An administrator must see what is really stored; the public landing
    // page still gets the configured list while Redis is down.
    if (!current.redis_answered && admin) co_return unavailable_response(req);
    co_return json_response(req, http::status::ok,
                            json{{"alternatives", alternatives_json(current.alternatives)}}.dump());
}

net::awaitable<http_response> http_api::admin_signposting_put(const http_request& req) {
    auto body = json::parse(req.body(), nullptr, false);
    std::string error = "Send {\"alternatives\": [{\"name\", \"contact\", \"hours\"}, ...]}.";
    std::optional<std::vector<protocol::alternative>> list;
    if (!body.is_discarded() && body.is_object() && body.contains("alternatives"))
        list = parse_alternatives(body["alternatives"], error);
    if (!list) co_return json_error(req, http::status::bad_request, "invalid_request", error);
    const auto count = list->size();
    const bool stored = co_await signposting_.replace(std::move(*list));
    if (!stored) co_return unavailable_response(req);
    log::info("signposting_changed", {{"services", count}});
    co_return no_content_response(req);
}

} // namespace peerline
