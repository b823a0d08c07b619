// The JSON API and the operational endpoints served over HTTP(S):
//   GET  /healthz            process up
//   GET  /readyz             Redis reachable (503 otherwise)
//   POST /api/login          staff login -> bearer token
//   POST /api/logout         revoke the bearer token
//   POST /api/gp/session     anonymous GP session -> bearer token
//   GET  /api/me             who the bearer token belongs to
//   GET  /api/config         the landing page's 24/7 services, topics, timings
//   GET  /api/revocation-list  the trust state: delegation, latest list, directory
//   POST /api/feedback       a GP's anonymous feedback (counts only)
//   /api/rota*, /api/admin/*, /api/listener/*  staff endpoints by role
// Everything else goes to the static file handler. docs/PROTOCOL.md has the
// request and response bodies.
//
// handle() runs as a coroutine on the calling connection's executor; Redis
// calls complete back onto it and password hashing runs on the CPU pool.
// Handlers reach Redis only through the domain's stores (domain/<area>/
// <area>_store.hpp) and services: no key or script is named here.
#pragma once

#include "domain/rota/rota_store.hpp"
#include "domain/sessions/sessions_store.hpp"
#include "domain/signposting/signposting_store.hpp"
#include "domain/stats/stats_store.hpp"
#include "domain/trust/trust_store.hpp"
#include "domain/mentoring/mentoring_store.hpp"
#include "domain/mentoring/series.hpp"
#include "net/beast.hpp"
#include "net/static_files.hpp"

#include <nlohmann/json_fwd.hpp>

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

namespace peerline {

struct services;

class http_api {
public:
    explicit http_api(services& svc);

    // Sets the key that pseudonymises client addresses in rate-limit keys.
    void set_address_key(std::string key) { address_key_ = std::move(key); }

    net::awaitable<http_response> handle(http_request req, std::string client_address);

    // Who a bearer token belongs to (an enabled account for staff).
    struct identity {
        std::string role;
        std::string username;
        std::string sid; // the session's random id (a GP's feedback is tied to it)
    };

private:
    // nullopt: no valid token. Throws nothing; Redis failure -> `unavailable` set.
    net::awaitable<http_response> staff_endpoint(const http_request& req);
    net::awaitable<std::optional<identity>> authenticate(const http_request& req, bool& unavailable);

    // Rota (net/http_api_rota.cpp)
    net::awaitable<http_response> rota_get(const http_request& req, const identity& who);
    net::awaitable<http_response> rota_add_shift(const http_request& req);
    net::awaitable<http_response> rota_delete_shift(const http_request& req, std::string id);
    net::awaitable<http_response> rota_put_hours(const http_request& req);
    net::awaitable<void> rota_changed();

    // Statistics (net/http_api_stats.cpp)
    net::awaitable<http_response> admin_stats(const http_request& req);
    net::awaitable<http_response> metrics(const http_request& req);

    // Listener trust material (net/http_api_trust.cpp)
    net::awaitable<http_response> listener_certificate_get(const http_request& req, const identity& who);
    net::awaitable<http_response> listener_enrolment_put(const http_request& req, const identity& who);
    net::awaitable<http_response> admin_enrolments(const http_request& req);
    net::awaitable<http_response> admin_certificate_put(const http_request& req, std::string username);
    net::awaitable<http_response> revocation_list_get(const http_request& req);
    net::awaitable<http_response> admin_revocation_list_put(const http_request& req);
    // Demo mode: re-signs the list with the demo revocation key when it is
    // within a day of stale (or `always`). False if Redis failed.
    net::awaitable<bool> demo_resign_list(bool always);

    // Accounts and signposting (net/http_api_admin.cpp)
    net::awaitable<http_response> admin_accounts_get(const http_request& req);
    net::awaitable<http_response> admin_accounts_post(const http_request& req);
    // Takes effect when the listener next connects.
    net::awaitable<http_response> admin_account_capacity_put(const http_request& req, std::string username);
    net::awaitable<http_response> admin_account_set_disabled(const http_request& req, std::string username,
                                                             bool disabled);
    // Account guards (net/http_api_account_guards.cpp): the one-time password
    // of an account made over the API, and no disabling of one's own account.
    static std::optional<http_response> new_password_problem(const http_request& req,
                                                             const std::string& old_password,
                                                             const std::string& new_password);
    net::awaitable<http_response> change_password_and_issue(const http_request& req, std::string role,
                                                            std::string username, std::string new_password,
                                                            std::string device_token);
    static std::optional<http_response> disable_refusal(const http_request& req, const identity& who,
                                                        const std::string& username);
    // admin: Redis must answer (503 otherwise); public: falls back to the configured list.
    net::awaitable<http_response> signposting_list(const http_request& req, bool admin);
    net::awaitable<http_response> admin_signposting_put(const http_request& req);

    // Public and GP (net/http_api_public.cpp)
    net::awaitable<http_response> config(const http_request& req);
    net::awaitable<http_response> feedback(const http_request& req, const identity& who);

    // Peer mentoring and the test clock (net/http_api_mentoring.cpp).
    static bool is_mentoring_target(std::string_view target);
    net::awaitable<http_response> mentoring_endpoint(const http_request& req, const std::string& client_address);
    http_response test_clock(const http_request& req, const std::string& client_address);
    net::awaitable<http_response> mentors_list(const http_request& req);
    mentoring::plan default_plan() const;
    net::awaitable<http_response> admin_mentor_put(const http_request& req, std::string username);
    net::awaitable<http_response> admin_mentoring(const http_request& req);
    net::awaitable<http_response> mentor_endpoint(const http_request& req, const std::string& target,
                                                  const std::string& mentor_id);
    net::awaitable<http_response> gp_mentoring(const http_request& req, const std::string& client_address,
                                               std::string what);
    net::awaitable<http_response> gp_request(const http_request& req, const std::string& token_hash);
    net::awaitable<http_response> gp_state(const http_request& req, const mentoring_store::pairing& p);
    net::awaitable<http_response> gp_slots(const http_request& req, const mentoring_store::relationship& r);
    net::awaitable<http_response> gp_change_bookings(const http_request& req, mentoring_store::relationship r,
                                                     mentoring::change c);
    // The listener's current certificate (base64url) if valid now.
    net::awaitable<std::optional<std::string>> valid_certificate(const std::string& username, bool& unavailable);
    // A mentor's card as GPs see it, with the certificate; nullopt if not shown.
    net::awaitable<std::optional<nlohmann::json>> public_card(const mentoring_store::mentor& m, bool& unavailable);

    net::awaitable<http_response> login(const http_request& req, const std::string& client_address);
    net::awaitable<http_response> logout(const http_request& req);
    net::awaitable<http_response> gp_session(const http_request& req);
    net::awaitable<http_response> me(const http_request& req);
    // A session token; with `device_token`, that is in the answer too.
    net::awaitable<http_response> issue_session(const http_request& req, std::string role,
                                                std::string username, std::chrono::seconds ttl,
                                                std::string device_token = {});
    // A staff sign-in: a session, and the browser's device token (the one it
    // presented, if it is this account's, or a new one), known for
    // --login-device-days from now.
    net::awaitable<http_response> issue_staff_session(const http_request& req, std::string role,
                                                      std::string username, std::string device_token);

    services& svc_;
    sessions_store sessions_;
    trust_store trust_;
    rota_store rota_;
    stats_store stats_;
    signposting_store signposting_;
    static_site site_; // the built web client, in memory
    std::string address_key_;
    std::string dummy_hash_; // verified against for unknown users (equal timing)
};

// Small response builders shared with the static file handler.
http_response json_response(const http_request& req, http::status status, const std::string& body);
http_response json_error(const http_request& req, http::status status, std::string_view code,
                         std::string_view message);
http_response method_not_allowed(const http_request& req);

// The token of "Authorization: Bearer <token>" when it is well formed, else "".
std::string bearer_token(const http_request& req);
// A listener's certificate state for the API, from their stored trust
// material: {"state": none|pending|certified, "enrolment_request"?,
// "certificate"?, "serial"?, "not_after_ms"?}. A certificate counts only for
// the enrolment it was made for.
nlohmann::json certificate_state(const trust_store::listener_material& material);
// 204, with the API's common headers.
http_response no_content_response(const http_request& req);
// A JSON body's member `name` if it is a non-empty string of at most `max`
// bytes (nullopt for anything else, a non-object body included).
std::optional<std::string> string_member(const nlohmann::json& body, const char* name, std::size_t max);
// 503 service_unavailable with Retry-After: a dependency (Redis) is down.
http_response unavailable_response(const http_request& req);

} // namespace peerline
