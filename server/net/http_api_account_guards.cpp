// Guards on staff accounts that keep an organisation from locking itself out
// or leaving a handed-over password in use:
//  - an account an administrator creates over the API starts with a one-time
//    password (account field must_change_password = "1"): signing in with it
//    is refused (403 password_change_required) until the same POST
//    /api/login also carries new_password, which replaces it;
//  - an administrator cannot disable their own account (and so never the
//    last enabled administrator).
// Separate from the endpoints they guard (http_api.cpp, http_api_admin.cpp),
// which call these at one point each.
#include "net/http_api.hpp"

#include "core/log.hpp"
#include "domain/accounts.hpp"
#include "domain/services.hpp"
#include "net/cpu_work.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>
#include <sodium.h>

namespace peerline {

std::optional<http_response> http_api::new_password_problem(const http_request& req,
                                                            const std::string& old_password,
                                                            const std::string& new_password) {
    if (new_password.size() < crypto::min_password_bytes || new_password.size() > crypto::max_password_bytes)
        return json_error(req, http::status::bad_request, "invalid_request",
                          "The new password must be " + std::to_string(crypto::min_password_bytes) + " to " +
                              std::to_string(crypto::max_password_bytes) + " bytes long.");
    if (new_password == old_password)
        return json_error(req, http::status::bad_request, "invalid_request",
                          "The new password must differ from the one-time password.");
    return std::nullopt;
}

net::awaitable<http_response> http_api::change_password_and_issue(const http_request& req, std::string role,
                                                                  std::string username,
                                                                  std::string new_password,
                                                                  std::string device_token) {
    // (Named local: GCC 12 mishandles lambda temporaries inside co_await.)
    auto hash_work = [new_password, params = svc_.pwhash]() mutable {
        auto hash = crypto::hash_password(new_password, params);
        sodium_memzero(new_password.data(), new_password.size());
        return hash;
    };
    sodium_memzero(new_password.data(), new_password.size());
    auto hashed = co_await async_on_pool<std::string>(*svc_.cpu_pool, std::move(hash_work), net::use_awaitable);
    if (!hashed) co_return unavailable_response(req);
    // One command: the new hash and the end of the one-time password together.
    const bool replaced = co_await sessions_.replace_password(username, std::move(*hashed));
    if (!replaced) co_return unavailable_response(req);
    log::info("password_changed", {{"role", role}});
    co_return co_await issue_staff_session(req, std::move(role), std::move(username), std::move(device_token));
}

std::optional<http_response> http_api::disable_refusal(const http_request& req, const identity& who,
                                                       const std::string& username) {
    // Nobody disables their own account. The last enabled administrator is
    // also refused, atomically, by account_set_disabled.lua (409 last_admin):
    // over the API that is reached only when two administrators disable each
    // other at the same instant, and from `peerline admin disable` directly.
    if (username == who.username)
        return json_error(req, http::status::conflict, "cannot_disable_self",
                             "You cannot disable your own account: that could leave nobody able to run the "
                             "service. Ask another administrator.");
    return std::nullopt;
}

} // namespace peerline
