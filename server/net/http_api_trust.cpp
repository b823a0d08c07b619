// Listener trust material over the JSON API. Listeners enrol a device key
// (an enrolment request made in their browser) and read their certificate;
// administrators list pending enrolments and upload certificates and
// revocation lists made offline with the organisation's root key; anyone may
// fetch the latest revocation list (GPs' browsers check it). The server only
// stores and hands these out, except in demo mode (domain/trust.hpp).
#include "net/http_api.hpp"

#include "core/log.hpp"
#include "domain/keys.hpp"
#include "domain/scripts.hpp"
#include "domain/services.hpp"
#include "domain/trust.hpp"
#include "redis/client.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>

namespace peerline {

namespace {

using json = nlohmann::json;

std::uint64_t now_s() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}


} // namespace

nlohmann::json certificate_state(const redis::value& enrolment, const redis::value& certificate) {
    auto field = [](const redis::value& h, std::string_view name) -> std::string {
        for (std::size_t i = 0; i + 1 < h.elements.size(); i += 2)
            if (h.elements[i].str == name) return h.elements[i + 1].str;
        return {};
    };
    json out{{"state", "none"}};
    auto request = field(enrolment, "data");
    auto cert = field(certificate, "data");
    if (!request.empty()) {
        out["state"] = "pending";
        out["enrolment_request"] = request;
    }
    // A certificate counts only for the enrolment it was made for.
    if (!cert.empty() && field(certificate, "enrolment") == request) {
        out["state"] = "certified";
        out["certificate"] = cert;
        out["serial"] = field(certificate, "serial");
        out["not_after_ms"] = std::atoll(field(certificate, "not_after").c_str()) * 1000;
    }
    return out;
}

net::awaitable<http_response> http_api::listener_certificate_get(const http_request& req,
                                                                 const identity& who) {
    std::vector<std::string> get_enrolment{"HGETALL", keys::enrolment(who.username)};
    auto enrolment = co_await svc_.redis->async_exec(std::move(get_enrolment), net::use_awaitable);
    std::vector<std::string> get_cert{"HGETALL", keys::certificate(who.username)};
    auto cert = co_await svc_.redis->async_exec(std::move(get_cert), net::use_awaitable);
    if (enrolment.failed() || cert.failed()) co_return unavailable_response(req);
    co_return json_response(req, http::status::ok, certificate_state(enrolment, cert).dump());
}

net::awaitable<http_response> http_api::listener_enrolment_put(const http_request& req,
                                                               const identity& who) {
    auto text = string_member(json::parse(req.body(), nullptr, false), "enrolment_request", 1024);
    if (!text)
        co_return json_error(req, http::status::bad_request, "invalid_enrolment",
                             "Send {\"enrolment_request\": \"<base64url>\"}.");
    std::string error;
    auto checked = trust::check_enrolment(*text, who.username, error);
    if (!checked) co_return json_error(req, http::status::bad_request, "invalid_enrolment", error);
    std::vector<std::string> put{"HSET", keys::enrolment(who.username), "data", *text, "submitted_s",
                                 std::to_string(now_s())};
    auto stored = co_await svc_.redis->async_exec(std::move(put), net::use_awaitable);
    if (stored.failed()) co_return unavailable_response(req);
    log::info("enrolment_submitted", {{"listener", who.username}});
    if (svc_.org && svc_.org->demo_root) {
        // Demo mode only: certified at once with the demo root key.
        if (auto cert = trust::demo_certify(*svc_.org, *checked, now_s())) {
            std::vector<std::string> put_cert{"HSET", keys::certificate(who.username), "data", cert->text,
                                              "enrolment", *text, "serial", std::to_string(cert->serial),
                                              "not_after", std::to_string(cert->not_after)};
            auto ok = co_await svc_.redis->async_exec(std::move(put_cert), net::use_awaitable);
            if (ok.failed()) co_return unavailable_response(req);
            log::warn("demo_certificate_issued", {{"listener", who.username}});
        }
    }
    co_return co_await listener_certificate_get(req, who);
}

net::awaitable<http_response> http_api::admin_enrolments(const http_request& req) {
    std::vector<std::string> names{"SMEMBERS", keys::usernames};
    auto users = co_await svc_.redis->async_exec(std::move(names), net::use_awaitable);
    if (users.failed()) co_return unavailable_response(req);
    json list = json::array();
    for (auto& u : users.elements) {
        std::vector<std::string> get_enrolment{"HGETALL", keys::enrolment(u.str)};
        auto enrolment = co_await svc_.redis->async_exec(std::move(get_enrolment), net::use_awaitable);
        std::vector<std::string> get_cert{"HGETALL", keys::certificate(u.str)};
        auto cert = co_await svc_.redis->async_exec(std::move(get_cert), net::use_awaitable);
        if (enrolment.failed() || cert.failed()) co_return unavailable_response(req);
        auto state = certificate_state(enrolment, cert);
        if (state["state"] != "pending") continue;
        std::string error;
        auto checked = trust::check_enrolment(state["enrolment_request"].get<std::string>(), u.str, error);
        if (!checked) continue;
        list.push_back({{"username", u.str},
                        {"enrolment_request", state["enrolment_request"]},
                        {"identity_fingerprint", crypto::org::fingerprint(checked->request.identity_key)}});
    }
    co_return json_response(req, http::status::ok, json{{"enrolments", list}}.dump());
}

net::awaitable<http_response> http_api::admin_certificate_put(const http_request& req, std::string username) {
    auto text = string_member(json::parse(req.body(), nullptr, false), "certificate", 1024);
    if (!text)
        co_return json_error(req, http::status::bad_request, "invalid_certificate",
                             "Send {\"certificate\": \"<base64url>\"} made by `peerline org certify`.");
    std::vector<std::string> get_enrolment{"HGET", keys::enrolment(username), "data"};
    auto enrolment = co_await svc_.redis->async_exec(std::move(get_enrolment), net::use_awaitable);
    if (enrolment.failed()) co_return unavailable_response(req);
    std::string error;
    auto cert = trust::check_certificate(*text, enrolment.str, username, *svc_.org, error);
    if (!cert) co_return json_error(req, http::status::bad_request, "invalid_certificate", error);
    std::vector<std::string> put{"HSET", keys::certificate(username), "data", *text, "enrolment", enrolment.str,
                                 "serial", std::to_string(cert->serial), "not_after",
                                 std::to_string(cert->not_after)};
    auto stored = co_await svc_.redis->async_exec(std::move(put), net::use_awaitable);
    if (stored.failed()) co_return unavailable_response(req);
    log::info("certificate_stored", {{"listener", username}});
    co_return no_content_response(req);
}

net::awaitable<http_response> http_api::revocation_list_get(const http_request& req) {
    std::vector<std::string> get{"HGET", keys::revocation_list, "data"};
    auto v = co_await svc_.redis->async_exec(std::move(get), net::use_awaitable);
    if (v.failed()) co_return unavailable_response(req);
    if (v.is_nil() || v.str.empty())
        co_return json_error(req, http::status::not_found, "not_found",
                             "The organisation has not published a revocation list yet.");
    co_return json_response(req, http::status::ok, json{{"revocation_list", v.str}}.dump());
}

net::awaitable<http_response> http_api::admin_revocation_list_put(const http_request& req) {
    auto text = string_member(json::parse(req.body(), nullptr, false), "revocation_list", svc_.cfg.max_http_body_bytes);
    if (!text)
        co_return json_error(req, http::status::bad_request, "invalid_revocation_list",
                             "Send {\"revocation_list\": \"<base64url>\"} made by `peerline org revoke`.");
    std::vector<std::string> get{"HGET", keys::revocation_list, "number"};
    auto stored = co_await svc_.redis->async_exec(std::move(get), net::use_awaitable);
    if (stored.failed()) co_return unavailable_response(req);
    auto stored_number = static_cast<std::uint64_t>(std::strtoull(stored.str.c_str(), nullptr, 10));
    std::string error;
    auto list = trust::check_revocation_list(*text, *svc_.org, stored_number, error);
    if (!list) {
        bool stale_number = error.find("higher number") != std::string::npos;
        co_return json_error(req, stale_number ? http::status::conflict : http::status::bad_request,
                             stale_number ? "stale_number" : "invalid_revocation_list", error);
    }
    // Only a higher number replaces the stored list, checked again atomically.
    std::vector<std::string> keys_arg{keys::revocation_list};
    std::vector<std::string> args{*text, std::to_string(list->number), std::to_string(list->next_update)};
    auto v = co_await svc_.redis->async_eval(scripts::revocation_list_replace(), std::move(keys_arg),
                                             std::move(args), net::use_awaitable);
    if (v.failed()) co_return unavailable_response(req);
    if (v.integer != 1)
        co_return json_error(req, http::status::conflict, "stale_number",
                             "A list with this number or higher is already stored.");
    log::info("revocation_list_stored", {{"number", list->number}, {"revoked", list->serials.size()}});
    co_return no_content_response(req);
}

} // namespace peerline
