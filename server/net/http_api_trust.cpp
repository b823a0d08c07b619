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
#include "domain/services.hpp"
#include "domain/trust.hpp"

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

nlohmann::json certificate_state(const trust_store::listener_material& m) {
    json out{{"state", "none"}};
    if (!m.enrolment_request.empty()) {
        out["state"] = "pending";
        out["enrolment_request"] = m.enrolment_request;
    }
    // A certificate counts only for the enrolment it was made for.
    if (!m.certificate.empty() && m.certificate_enrolment == m.enrolment_request) {
        out["state"] = "certified";
        out["certificate"] = m.certificate;
        out["serial"] = m.serial;
        out["not_after_ms"] = m.not_after_s * 1000;
    }
    return out;
}

net::awaitable<http_response> http_api::listener_certificate_get(const http_request& req,
                                                                 const identity& who) {
    auto material = co_await trust_.listener(who.username);
    if (!material) co_return unavailable_response(req);
    co_return json_response(req, http::status::ok, certificate_state(*material).dump());
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
    const bool stored = co_await trust_.submit_enrolment(who.username, *text, now_s());
    if (!stored) co_return unavailable_response(req);
    log::info("enrolment_submitted", {{"listener", who.username}});
    if (svc_.org && svc_.org->demo_root) {
        // Demo mode only: certified at once with the demo root key, the
        // directory updated, and the list re-signed (revoking any replaced
        // certificate of this listener).
        auto published = co_await trust_.published();
        if (!published) co_return unavailable_response(req);
        if (auto cert = trust::demo_certify(*svc_.org, *checked, published->directory, now_s())) {
            auto stored_dir = co_await trust_.replace_directory(cert->directory, cert->directory_number);
            if (!stored_dir) co_return unavailable_response(req);
            const bool ok = co_await trust_.store_certificate(who.username, cert->text, *text, cert->serial,
                                                              cert->not_after);
            if (!ok) co_return unavailable_response(req);
            const bool resigned = co_await demo_resign_list(true);
            if (!resigned) co_return unavailable_response(req);
            log::warn("demo_certificate_issued", {{"listener", who.username}});
        }
    }
    co_return co_await listener_certificate_get(req, who);
}

net::awaitable<http_response> http_api::admin_enrolments(const http_request& req) {
    auto names = co_await sessions_.usernames();
    if (!names) co_return unavailable_response(req);
    json list = json::array();
    for (auto& name : *names) {
        auto material = co_await trust_.listener(name);
        if (!material) co_return unavailable_response(req);
        auto state = certificate_state(*material);
        if (state["state"] != "pending") continue;
        std::string error;
        auto checked = trust::check_enrolment(state["enrolment_request"].get<std::string>(), name, error);
        if (!checked) continue;
        list.push_back({{"username", name},
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
    auto material = co_await trust_.listener(username);
    auto published = co_await trust_.published();
    if (!material || !published) co_return unavailable_response(req);
    const std::string enrolment = material->enrolment_request;
    const std::string stored_dir = published->directory;
    const auto stored_number = published->directory_number;
    std::string error;
    auto checked = trust::check_certificate(*text, *directory, enrolment, username, *svc_.org, stored_number,
                                            error);
    if (!checked) co_return json_error(req, http::status::bad_request, "invalid_certificate", error);
    if (*directory != stored_dir) {
        // Only a newer directory replaces the stored one, checked again atomically.
        auto replaced = co_await trust_.replace_directory(*directory, checked->directory.number);
        if (!replaced) co_return unavailable_response(req);
        if (!*replaced)
            co_return json_error(req, http::status::conflict, "stale_directory",
                                 "A directory with this number or higher is already stored; certify again from it.");
    }
    const bool stored = co_await trust_.store_certificate(username, *text, enrolment, checked->certificate.serial,
                                                          checked->certificate.not_after);
    if (!stored) co_return unavailable_response(req);
    log::info("certificate_stored", {{"listener", username}, {"directory", checked->directory.number}});
    co_return no_content_response(req);
}

net::awaitable<bool> http_api::demo_resign_list(bool always) {
    auto published = co_await trust_.published();
    if (!published) co_return false;
    // Re-signed a day before it is stale, as an administrator's daily job would.
    if (!always && published->list_next_update_s > now_s() + 24 * 3600) co_return true;
    auto list = trust::demo_revocation_list(*svc_.org, published->revocation_list, published->directory, now_s());
    if (!list) co_return false;
    auto stored = co_await trust_.replace_revocation_list(list->text, list->number, list->next_update);
    co_return stored.has_value(); // false inside: another node re-signed first
}

net::awaitable<http_response> http_api::revocation_list_get(const http_request& req) {
    if (svc_.org && svc_.org->demo_revocation) {
        const bool fresh = co_await demo_resign_list(false);
        if (!fresh) co_return unavailable_response(req);
    }
    auto published = co_await trust_.published();
    if (!published) co_return unavailable_response(req);
    // The parts there are (an administrator signing the first list needs the
    // directory); 404 only when the organisation has published nothing.
    if (published->revocation_list.empty() && published->directory.empty() && published->delegation.empty())
        co_return json_error(req, http::status::not_found, "not_found",
                             "The organisation has not published a revocation list yet.");
    json out{{"revocation_list", published->revocation_list},
             {"revocation_delegation", published->delegation},
             {"directory", published->directory}};
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
    auto published = co_await trust_.published();
    if (!published) co_return unavailable_response(req);
    const auto stored_number = published->list_number;
    std::string error;
    const std::string delegation_text = new_delegation ? *new_delegation : published->delegation;
    auto list = trust::check_revocation_list(*text, delegation_text, *svc_.org, stored_number, now_s(), error);
    if (!list) {
        bool stale_number = error.find("higher number") != std::string::npos;
        co_return json_error(req, stale_number ? http::status::conflict : http::status::bad_request,
                             stale_number ? "stale_number" : "invalid_revocation_list", error);
    }
    // Only a higher number replaces the stored list, checked again atomically.
    auto replaced = co_await trust_.replace_revocation_list(*text, list->number, list->next_update);
    if (!replaced) co_return unavailable_response(req);
    if (!*replaced)
        co_return json_error(req, http::status::conflict, "stale_number",
                             "A list with this number or higher is already stored.");
    if (new_delegation && *new_delegation != published->delegation) {
        const bool ok = co_await trust_.store_delegation(*new_delegation);
        if (!ok) co_return unavailable_response(req);
        log::info("revocation_delegation_stored", {});
    }
    log::info("revocation_list_stored", {{"number", list->number}, {"revoked", list->serials.size()}});
    co_return no_content_response(req);
}

} // namespace peerline
