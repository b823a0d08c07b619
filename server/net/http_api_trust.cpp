// Listener trust material over the JSON API. Listeners enrol a device key
// (an enrolment request made in their browser) and read their certificate;
// administrators list pending enrolments, upload certificates with the
// directory made offline with the organisation's root key, and upload
// revocation lists signed with the delegated revocation key (with the root's
// delegation); anyone may fetch the trust state — delegation, latest list and
// directory — that GPs' browsers and listeners' consoles check. The server
// only stores and hands these out, except in demo mode (domain/trust.hpp).
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
        // Demo mode only: certified at once with the demo root key, the
        // directory updated, and the list re-signed (revoking any replaced
        // certificate of this listener).
        std::vector<std::string> get_dir{"HGET", keys::directory, "data"};
        auto dir = co_await svc_.redis->async_exec(std::move(get_dir), net::use_awaitable);
        if (dir.failed()) co_return unavailable_response(req);
        if (auto cert = trust::demo_certify(*svc_.org, *checked, dir.str, now_s())) {
            std::vector<std::string> keys_arg{keys::directory};
            std::vector<std::string> args{cert->directory, std::to_string(cert->directory_number), "0"};
            auto stored_dir = co_await svc_.redis->async_eval(scripts::revocation_list_replace(), std::move(keys_arg),
                                                              std::move(args), net::use_awaitable);
            if (stored_dir.failed()) co_return unavailable_response(req);
            std::vector<std::string> put_cert{"HSET", keys::certificate(who.username), "data", cert->text,
                                              "enrolment", *text, "serial", std::to_string(cert->serial),
                                              "not_after", std::to_string(cert->not_after)};
            auto ok = co_await svc_.redis->async_exec(std::move(put_cert), net::use_awaitable);
            if (ok.failed()) co_return unavailable_response(req);
            const bool resigned = co_await demo_resign_list(true);
            if (!resigned) co_return unavailable_response(req);
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
                        {"identity_fingerprint", crypto::org::key_fingerprint(checked->request.identity_key)}});
    }
    co_return json_response(req, http::status::ok, json{{"enrolments", list}}.dump());
}

net::awaitable<http_response> http_api::admin_certificate_put(const http_request& req, std::string username) {
    auto body = json::parse(req.body(), nullptr, false);
    auto text = string_member(body, "certificate", 1024);
    auto directory = string_member(body, "directory", svc_.cfg.max_http_body_bytes);
    if (!text || !directory)
        co_return json_error(req, http::status::bad_request, "invalid_certificate",
                             "Send {\"certificate\": \"<base64url>\", \"directory\": \"<base64url>\"} made by "
                             "`peerline org certify`.");
    std::vector<std::string> get_enrolment{"HGET", keys::enrolment(username), "data"};
    auto enrolment = co_await svc_.redis->async_exec(std::move(get_enrolment), net::use_awaitable);
    std::vector<std::string> get_dir{"HMGET", keys::directory, "data", "number"};
    auto dir = co_await svc_.redis->async_exec(std::move(get_dir), net::use_awaitable);
    if (enrolment.failed() || dir.failed() || dir.elements.size() != 2) co_return unavailable_response(req);
    const std::string stored_dir = dir.elements[0].str;
    const auto stored_number = std::strtoull(dir.elements[1].str.c_str(), nullptr, 10);
    std::string error;
    auto checked = trust::check_certificate(*text, *directory, enrolment.str, username, *svc_.org, stored_number,
                                            error);
    if (!checked) co_return json_error(req, http::status::bad_request, "invalid_certificate", error);
    if (*directory != stored_dir) {
        // Only a newer directory replaces the stored one, checked again atomically.
        std::vector<std::string> keys_arg{keys::directory};
        std::vector<std::string> args{*directory, std::to_string(checked->directory.number), "0"};
        auto v = co_await svc_.redis->async_eval(scripts::revocation_list_replace(), std::move(keys_arg),
                                                 std::move(args), net::use_awaitable);
        if (v.failed()) co_return unavailable_response(req);
        if (v.integer != 1)
            co_return json_error(req, http::status::conflict, "stale_directory",
                                 "A directory with this number or higher is already stored; certify again from it.");
    }
    std::vector<std::string> put{"HSET", keys::certificate(username), "data", *text, "enrolment", enrolment.str,
                                 "serial", std::to_string(checked->certificate.serial), "not_after",
                                 std::to_string(checked->certificate.not_after)};
    auto stored = co_await svc_.redis->async_exec(std::move(put), net::use_awaitable);
    if (stored.failed()) co_return unavailable_response(req);
    log::info("certificate_stored", {{"listener", username}, {"directory", checked->directory.number}});
    co_return no_content_response(req);
}

net::awaitable<bool> http_api::demo_resign_list(bool always) {
    std::vector<std::string> get{"HMGET", keys::revocation_list, "data", "next_update"};
    auto v = co_await svc_.redis->async_exec(std::move(get), net::use_awaitable);
    std::vector<std::string> get_dir{"HGET", keys::directory, "data"};
    auto dir = co_await svc_.redis->async_exec(std::move(get_dir), net::use_awaitable);
    if (v.failed() || dir.failed() || v.elements.size() != 2) co_return false;
    const auto next_update = std::strtoull(v.elements[1].str.c_str(), nullptr, 10);
    // Re-signed a day before it is stale, as an administrator's daily job would.
    if (!always && next_update > now_s() + 24 * 3600) co_return true;
    auto list = trust::demo_revocation_list(*svc_.org, v.elements[0].str, dir.str, now_s());
    if (!list) co_return false;
    std::vector<std::string> keys_arg{keys::revocation_list};
    std::vector<std::string> args{list->text, std::to_string(list->number), std::to_string(list->next_update)};
    auto stored = co_await svc_.redis->async_eval(scripts::revocation_list_replace(), std::move(keys_arg),
                                                  std::move(args), net::use_awaitable);
    co_return !stored.failed();  // 0: another node re-signed first
}

net::awaitable<http_response> http_api::revocation_list_get(const http_request& req) {
    if (svc_.org && svc_.org->demo_revocation) {
        const bool fresh = co_await demo_resign_list(false);
        if (!fresh) co_return unavailable_response(req);
    }
    std::vector<std::string> get{"HGET", keys::revocation_list, "data"};
    auto v = co_await svc_.redis->async_exec(std::move(get), net::use_awaitable);
    std::vector<std::string> get_delegation{"HGET", keys::revocation_delegation, "data"};
    auto delegation = co_await svc_.redis->async_exec(std::move(get_delegation), net::use_awaitable);
    std::vector<std::string> get_dir{"HGET", keys::directory, "data"};
    auto dir = co_await svc_.redis->async_exec(std::move(get_dir), net::use_awaitable);
    if (v.failed() || delegation.failed() || dir.failed()) co_return unavailable_response(req);
    // The parts there are (an administrator signing the first list needs the
    // directory); 404 only when the organisation has published nothing.
    if (v.str.empty() && dir.str.empty() && delegation.str.empty())
        co_return json_error(req, http::status::not_found, "not_found",
                             "The organisation has not published a revocation list yet.");
    json out{{"revocation_list", v.str}, {"revocation_delegation", delegation.str}, {"directory", dir.str}};
    co_return json_response(req, http::status::ok, out.dump());
}

net::awaitable<http_response> http_api::admin_revocation_list_put(const http_request& req) {
    auto body = json::parse(req.body(), nullptr, false);
    auto text = string_member(body, "revocation_list", svc_.cfg.max_http_body_bytes);
    if (!text)
        co_return json_error(req, http::status::bad_request, "invalid_revocation_list",
                             "Send {\"revocation_list\": \"<base64url>\"} signed with the revocation key, and "
                             "\"revocation_delegation\" when the key is new.");
    auto new_delegation = body.is_object() && body.contains("revocation_delegation")
                              ? string_member(body, "revocation_delegation", 1024)
                              : std::optional<std::string>();
    std::vector<std::string> get{"HGET", keys::revocation_list, "number"};
    auto stored = co_await svc_.redis->async_exec(std::move(get), net::use_awaitable);
    std::vector<std::string> get_delegation{"HGET", keys::revocation_delegation, "data"};
    auto delegation = co_await svc_.redis->async_exec(std::move(get_delegation), net::use_awaitable);
    if (stored.failed() || delegation.failed()) co_return unavailable_response(req);
    auto stored_number = static_cast<std::uint64_t>(std::strtoull(stored.str.c_str(), nullptr, 10));
    std::string error;
    const std::string delegation_text = new_delegation ? *new_delegation : delegation.str;
    auto list = trust::check_revocation_list(*text, delegation_text, *svc_.org, stored_number, now_s(), error);
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
    if (new_delegation && *new_delegation != delegation.str) {
        std::vector<std::string> put{"HSET", keys::revocation_delegation, "data", *new_delegation};
        auto ok = co_await svc_.redis->async_exec(std::move(put), net::use_awaitable);
        if (ok.failed()) co_return unavailable_response(req);
        log::info("revocation_delegation_stored", {});
    }
    log::info("revocation_list_stored", {{"number", list->number}, {"revoked", list->serials.size()}});
    co_return no_content_response(req);
}

} // namespace peerline
