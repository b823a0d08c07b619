// Peer mentoring over the JSON API (issue 15; docs/PROTOCOL.md section 10):
// the public list of mentors, the administrator's grant of the mentor
// capability, the mentor's card, availability, requests and relationships,
// and the GP's request, state and bookings under a relationship token.
// Rules live in domain/mentoring/ (card, availability, series); every key
// and script in mentoring_store. Also the test clock (tests only).
#include "net/http_api.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "domain/mentoring/availability.hpp"
#include "domain/mentoring/card.hpp"
#include "domain/mentoring/mentoring_store.hpp"
#include "domain/mentoring/series.hpp"
#include "domain/rota_service.hpp"
#include "domain/services.hpp"
#include "peerline/crypto/crypto.hpp"
#include "redis/client.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>

namespace peerline {

namespace {

using json = nlohmann::json;
using store = mentoring_store;

constexpr std::size_t max_note_b64 = 8290; // base64url of the largest sealed note (docs/CRYPTO.md §15): 6,217 bytes
constexpr std::size_t min_note_b64 = 120;  // the smallest: 1 + 32 + 24 + 512 + 16 = 585 bytes, generously below
constexpr long long max_slot_range_ms = 400LL * 24 * 3600 * 1000;
constexpr std::size_t max_slots = 2000;
constexpr std::size_t max_choices = 3;

bool is_hex_id(std::string_view s) {
    return s.size() == 32 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

bool is_base64url(std::string_view s) {
    return s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
           std::string_view::npos;
}


// An integer query parameter (?name=123), nullopt if absent or malformed.
std::optional<long long> query_integer(std::string_view target, std::string_view name) {
    auto q = target.find('?');
    if (q == std::string_view::npos) return std::nullopt;
    auto query = target.substr(q + 1);
    while (!query.empty()) {
        auto amp = query.find('&');
        auto part = query.substr(0, amp);
        if (part.substr(0, name.size()) == name && part.size() > name.size() && part[name.size()] == '=') {
            auto digits = part.substr(name.size() + 1);
            long long v = 0;
            auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
            if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
            return v;
        }
        if (amp == std::string_view::npos) break;
        query = query.substr(amp + 1);
    }
    return std::nullopt;
}

http_response bad(const http_request& req, std::string_view code, std::string_view message) {
    return json_error(req, http::status::bad_request, code, message);
}

rota::sys_seconds to_sys(long long ms) {
    return std::chrono::floor<std::chrono::seconds>(rota::sys_seconds(std::chrono::seconds(0)) +
                                                    std::chrono::seconds(ms / 1000));
}
long long to_ms(rota::sys_seconds t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

json parsed(const std::string& text) {
    if (text.empty()) return json();
    return json::parse(text, nullptr, false);
}

// Whether the series is over: every session booked and the last one ended.
bool series_complete(const mentoring_store::relationship& r, long long now_ms) {
    auto bookings = mentoring::bookings_from_json(parsed(r.bookings));
    return !bookings.empty() && bookings.size() >= r.sessions && bookings.back().end_ms <= now_ms;
}

// The GP may answer the outcome question once: after the last session, or
// after a relationship the mentor ended once at least one session was held.
bool outcome_due(const mentoring_store::relationship& r, long long now_ms) {
    if (r.outcome_given) return false;
    if (r.state == "active") return series_complete(r, now_ms);
    if (r.state == "ended") {
        auto bookings = mentoring::bookings_from_json(parsed(r.bookings));
        return !bookings.empty() && bookings.front().end_ms <= now_ms;
    }
    return false;
}

constexpr std::array<std::string_view, 5> end_reasons{"completed", "referred_on", "mentee_asked", "not_a_fit", "other"};
constexpr std::array<std::string_view, 4> outcomes{"stayed_in_practice", "changed_how_i_work", "left",
                                                   "prefer_not_to_say"};

// The value of the one member `name` of `body` if it is one of `allowed`.
template <std::size_t N>
std::optional<std::string> choice_member(const json& body, const char* name,
                                         const std::array<std::string_view, N>& allowed) {
    if (!body.is_object() || body.size() != 1 || !body.contains(name) || !body[name].is_string()) return std::nullopt;
    auto v = body[name].get<std::string>();
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) return std::nullopt;
    return v;
}

} // namespace

// --- Shared lookups ---------------------------------------------------------

net::awaitable<std::optional<std::string>> http_api::valid_certificate(const std::string& username, bool& unavailable) {
    auto material = co_await trust_.listener(username);
    if (!material) {
        unavailable = true;
        co_return std::nullopt;
    }
    auto state = certificate_state(*material);
    if (state["state"] != "certified" || state.value("not_after_ms", 0LL) <= clock::now_ms()) co_return std::nullopt;
    co_return state["certificate"].get<std::string>();
}

// A mentor's public card with certificate, or nullopt when the mentor has no
// card, no valid certificate or a disabled account (not shown to GPs).
net::awaitable<std::optional<json>> http_api::public_card(const mentoring_store::mentor& m, bool& unavailable) {
    if (m.card.empty()) co_return std::nullopt;
    auto account = co_await sessions_.find_account(m.username);
    if (!account) {
        unavailable = true;
        co_return std::nullopt;
    }
    if (!*account || (*account)->disabled) co_return std::nullopt;
    auto cert = co_await valid_certificate(m.username, unavailable);
    if (!cert) co_return std::nullopt;
    auto card = parsed(m.card);
    if (!card.is_object()) co_return std::nullopt;
    card["id"] = m.id;
    card["certificate"] = *cert;
    co_return card;
}

// --- Routing -----------------------------------------------------------------

bool http_api::is_mentoring_target(std::string_view target) {
    target = target.substr(0, target.find('?'));
    constexpr std::string_view accounts = "/api/admin/accounts/";
    auto ends_with = [&](std::string_view s) {
        return target.size() >= s.size() && target.substr(target.size() - s.size()) == s;
    };
    return target.rfind("/api/mentoring/", 0) == 0 || target == "/api/test/clock" ||
           target == "/api/admin/mentoring" || (target.rfind(accounts, 0) == 0 && ends_with("/mentor"));
}

net::awaitable<http_response> http_api::mentoring_endpoint(const http_request& req, const std::string& client_address) {
    std::string full(req.target());
    std::string target = full.substr(0, full.find('?'));
    auto method = req.method();
    if (target == "/api/test/clock") co_return test_clock(req, client_address);
    if (target == "/api/mentoring/mentors") {
        if (method != http::verb::get) co_return method_not_allowed(req);
        co_return co_await mentors_list(req);
    }
    // The GP: a relationship token, no session.
    if (target == "/api/mentoring/requests" && method == http::verb::post)
        co_return co_await gp_mentoring(req, client_address, "request");
    if (target == "/api/mentoring/relationship" || target.rfind("/api/mentoring/relationship/", 0) == 0)
        co_return co_await gp_mentoring(req, client_address, target.substr(std::string("/api/mentoring/").size()));

    // Staff: a session token.
    bool unavailable = false;
    auto who = co_await authenticate(req, unavailable);
    if (unavailable) co_return unavailable_response(req);
    if (!who)
        co_return json_error(req, http::status::unauthorized, "invalid_token",
                             "Send a valid session token as Authorization: Bearer <token>.");
    if (target.rfind("/api/admin/", 0) == 0) {
        if (who->role != "admin")
            co_return json_error(req, http::status::forbidden, "wrong_role", "Only an administrator may do this.");
        if (target == "/api/admin/mentoring") {
            if (method != http::verb::get) co_return method_not_allowed(req);
            co_return co_await admin_mentoring(req);
        }
        if (method != http::verb::put) co_return method_not_allowed(req);
        auto rest = target.substr(std::string("/api/admin/accounts/").size());
        co_return co_await admin_mentor_put(req, rest.substr(0, rest.find('/')));
    }
    if (who->role != "listener")
        co_return json_error(req, http::status::forbidden, "wrong_role", "Only a mentor may do this.");
    auto id = co_await svc_.mentoring->mentor_id_of(who->username);
    if (id.unavailable) co_return unavailable_response(req);
    if (id.value.empty())
        co_return json_error(req, http::status::forbidden, "not_a_mentor",
                             "Only a listener an administrator made a mentor may do this.");
    co_return co_await mentor_endpoint(req, target, id.value);
}

// --- Test clock ----------------------------------------------------------------

http_response http_api::test_clock(const http_request& req, const std::string& client_address) {
    if (!svc_.cfg.test_clock)
        return json_error(req, http::status::not_found, "not_found", "No such API endpoint.");
    if (client_address != "127.0.0.1" && client_address != "::1")
        return json_error(req, http::status::forbidden, "forbidden", "The test clock answers loopback clients only.");
    if (req.method() != http::verb::put) return method_not_allowed(req);
    auto body = json::parse(req.body(), nullptr, false);
    if (!body.is_object() || body.size() != 1 || !body.contains("offset_ms") || !body["offset_ms"].is_number_integer())
        return bad(req, "invalid_request", "Send {\"offset_ms\": <integer>}.");
    clock::set_offset_ms(body["offset_ms"].get<long long>());
    log::warn("test_clock_moved", {{"offset_ms", clock::offset_ms()}});
    return no_content_response(req);
}

// --- Public --------------------------------------------------------------------

net::awaitable<http_response> http_api::mentors_list(const http_request& req) {
    auto all = co_await svc_.mentoring->mentors();
    if (all.unavailable) co_return unavailable_response(req);
    json cards = json::array();
    for (auto& m : all.value) {
        bool unavailable = false;
        auto card = co_await public_card(m, unavailable);
        if (unavailable) co_return unavailable_response(req);
        if (card) cards.push_back(std::move(*card));
        if (cards.size() >= 500) break;
    }
    json body{{"mentors", cards},
              {"defaults", mentoring::to_json(default_plan())},
              {"offer_hours", svc_.cfg.mentoring_offer.count()},
              {"timezone", svc_.cfg.timezone}};
    co_return json_response(req, http::status::ok, body.dump());
}

mentoring::plan http_api::default_plan() const {
    mentoring::plan p;
    p.sessions = svc_.cfg.mentoring_sessions;
    p.session_minutes = svc_.cfg.mentoring_session_minutes;
    p.min_months = svc_.cfg.mentoring_min_months;
    p.max_months = svc_.cfg.mentoring_max_months;
    p.min_gap_days = svc_.cfg.mentoring_min_gap_days;
    return p;
}

// --- Administrator ----------------------------------------------------------------

net::awaitable<http_response> http_api::admin_mentor_put(const http_request& req, std::string username) {
    auto body = json::parse(req.body(), nullptr, false);
    if (!body.is_object() || body.size() != 1 || !body.contains("mentor") || !body["mentor"].is_boolean())
        co_return bad(req, "invalid_request", "Send {\"mentor\": true} or {\"mentor\": false}.");
    auto account = co_await sessions_.find_account(username);
    if (!account) co_return unavailable_response(req);
    if (!*account || (*account)->role != "listener")
        co_return json_error(req, http::status::not_found, "not_found", "No such listener.");
    if (!body["mentor"].get<bool>()) {
        auto r = co_await svc_.mentoring->revoke(username);
        if (r.unavailable) co_return unavailable_response(req);
        if (!r.value.empty()) {
            auto gone = co_await svc_.mentoring->mentor_gone(r.value, clock::now_ms());
            if (gone.unavailable) co_return unavailable_response(req);
            log::info("mentor_revoked", {{"relationships_ended", gone.value}});
        }
        co_return no_content_response(req);
    }
    bool unavailable = false;
    auto cert = co_await valid_certificate(username, unavailable);
    if (unavailable) co_return unavailable_response(req);
    if (!cert)
        co_return json_error(req, http::status::conflict, "not_certified",
                             "Only a listener with a valid certificate may be a mentor.");
    auto id = co_await svc_.mentoring->grant(username);
    if (id.unavailable) co_return unavailable_response(req);
    log::info("mentor_granted");
    json out{{"mentor_id", id.value}};
    co_return json_response(req, http::status::ok, out.dump());
}

net::awaitable<http_response> http_api::admin_mentoring(const http_request& req) {
    auto all = co_await svc_.mentoring->mentors();
    auto counts = co_await svc_.mentoring->counts();
    if (all.unavailable || counts.unavailable) co_return unavailable_response(req);
    auto now = clock::now_ms();
    json mentors = json::array();
    long long waiting = 0, oldest = -1, active = 0, completed = 0;
    for (auto& m : all.value) {
        auto requests = co_await svc_.mentoring->requests_for(m.id);
        auto rels = co_await svc_.mentoring->relationships_of(m.id);
        if (requests.unavailable || rels.unavailable) co_return unavailable_response(req);
        long long mine_active = 0, this_month = 0;
        auto month_start = std::chrono::floor<date::days>(
            date::zoned_time<std::chrono::milliseconds>(svc_.rota->zone(),
                                                        std::chrono::floor<std::chrono::milliseconds>(clock::now()))
                .get_local_time());
        date::year_month_day today{month_start};
        for (auto& r : rels.value) {
            if (r.state != "active") continue;
            if (series_complete(r, now)) {
                ++completed;
                continue;
            }
            ++mine_active;
            for (auto& b : mentoring::bookings_from_json(parsed(r.bookings))) {
                auto local = date::zoned_time<std::chrono::milliseconds>(
                                 svc_.rota->zone(), std::chrono::sys_time<std::chrono::milliseconds>(
                                                        std::chrono::milliseconds(b.start_ms)))
                                 .get_local_time();
                date::year_month_day day{std::chrono::floor<date::days>(local)};
                if (day.year() == today.year() && day.month() == today.month()) ++this_month;
            }
        }
        json entry{{"mentor_id", m.id},
                   {"username", m.username},
                   {"active_relationships", mine_active},
                   {"sessions_this_month", this_month},
                   {"requests_waiting", requests.value.size()}};
        if (auto card = parsed(m.card); card.is_object()) entry["display_name"] = card.value("display_name", "");
        long long mine_oldest = -1;
        for (auto& r : requests.value) mine_oldest = std::max(mine_oldest, (now - r.offered_ms) / 1000);
        if (mine_oldest >= 0) entry["oldest_request_wait_s"] = mine_oldest;
        waiting += static_cast<long long>(requests.value.size());
        oldest = std::max(oldest, mine_oldest);
        active += mine_active;
        mentors.push_back(std::move(entry));
    }
    json out{{"mentors", mentors},
             {"requests_waiting", waiting},
             {"relationships_active", active},
             {"series_completed", completed}};
    if (oldest >= 0) out["oldest_request_wait_s"] = oldest;
    json c = json::object();
    for (auto& [k, n] : counts.value) c[k] = n;
    out["counts"] = c;
    co_return json_response(req, http::status::ok, out.dump());
}

// --- Mentor -----------------------------------------------------------------

net::awaitable<http_response> http_api::mentor_endpoint(const http_request& req, const std::string& target,
                                                        const std::string& mentor_id) {
    auto method = req.method();
    auto& st = *svc_.mentoring;
    if (target == "/api/mentoring/me") {
        if (method != http::verb::get) co_return method_not_allowed(req);
        auto m = co_await st.find_mentor(mentor_id);
        if (m.unavailable || !m.value) co_return unavailable_response(req);
        json out{{"mentor_id", mentor_id}, {"timezone", svc_.cfg.timezone}};
        if (auto card = parsed(m.value->card); card.is_object()) out["card"] = card;
        auto avail = parsed(m.value->availability);
        out["availability"] = avail.is_object() ? avail : json{{"weekly", json::array()}, {"one_off", json::array()}};
        co_return json_response(req, http::status::ok, out.dump());
    }
    if (target == "/api/mentoring/card") {
        if (method != http::verb::put) co_return method_not_allowed(req);
        std::string error;
        auto card = mentoring::parse_card(json::parse(req.body(), nullptr, false), error);
        if (!card) co_return bad(req, "invalid_card", error);
        if (!co_await st.put_card(mentor_id, mentoring::to_json(*card).dump())) co_return unavailable_response(req);
        co_return no_content_response(req);
    }
    if (target == "/api/mentoring/availability") {
        if (method != http::verb::put) co_return method_not_allowed(req);
        std::string error;
        auto today = std::chrono::floor<date::days>(
            date::zoned_time<std::chrono::seconds>(svc_.rota->zone(),
                                                   std::chrono::floor<std::chrono::seconds>(clock::now()))
                .get_local_time());
        auto avail = mentoring::parse_availability(json::parse(req.body(), nullptr, false), today, error);
        if (!avail) co_return bad(req, "invalid_availability", error);
        if (!co_await st.put_availability(mentor_id, mentoring::to_json(*avail).dump()))
            co_return unavailable_response(req);
        co_return no_content_response(req);
    }
    if (target == "/api/mentoring/requests") {
        if (method != http::verb::get) co_return method_not_allowed(req);
        auto requests = co_await st.requests_for(mentor_id);
        if (requests.unavailable) co_return unavailable_response(req);
        json list = json::array();
        for (auto& r : requests.value) {
            json j{{"request_id", r.request_id}, {"offered_at_ms", r.offered_ms}, {"expires_at_ms", r.expires_ms}};
            if (!r.note.empty()) j["note"] = r.note;
            list.push_back(std::move(j));
        }
        json out{{"requests", list}};
        co_return json_response(req, http::status::ok, out.dump());
    }
    constexpr std::string_view requests_prefix = "/api/mentoring/requests/";
    if (target.rfind(requests_prefix, 0) == 0) {
        if (method != http::verb::post) co_return method_not_allowed(req);
        auto rest = target.substr(requests_prefix.size());
        auto slash = rest.find('/');
        auto request_id = rest.substr(0, slash);
        auto action = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
        if (!is_hex_id(request_id) || (action != "accept" && action != "decline"))
            co_return json_error(req, http::status::not_found, "no_such_request", "No such request for you.");
        auto now = clock::now_ms();
        if (action == "decline") {
            auto r = co_await st.decline(mentor_id, request_id, now,
                                         now + std::chrono::milliseconds(svc_.cfg.mentoring_offer).count());
            if (r.unavailable) co_return unavailable_response(req);
            if (r.value == store::answer_outcome::stale)
                co_return json_error(req, http::status::not_found, "no_such_request", "No such request for you.");
            co_return no_content_response(req);
        }
        std::string relationship_id;
        auto r = co_await st.accept(mentor_id, request_id, now, mentoring::to_json(default_plan()).dump(),
                                    relationship_id);
        if (r.unavailable) co_return unavailable_response(req);
        if (r.value != store::answer_outcome::accepted)
            co_return json_error(req, http::status::not_found, "no_such_request", "No such request for you.");
        log::info("mentoring_accepted");
        json out{{"relationship_id", relationship_id}};
        co_return json_response(req, http::status::ok, out.dump());
    }
    constexpr std::string_view relationships_prefix = "/api/mentoring/relationships/";
    if (target.rfind(relationships_prefix, 0) == 0) {
        auto rest = target.substr(relationships_prefix.size());
        auto slash = rest.find('/');
        auto id = rest.substr(0, slash);
        if (slash == std::string::npos || rest.substr(slash + 1) != "end" || !is_hex_id(id))
            co_return json_error(req, http::status::not_found, "not_found", "No such API endpoint.");
        if (method != http::verb::post) co_return method_not_allowed(req);
        auto reason = choice_member(json::parse(req.body(), nullptr, false), "reason", end_reasons);
        if (!reason)
            co_return bad(req, "invalid_request",
                          "Send {\"reason\": completed | referred_on | mentee_asked | not_a_fit | other}.");
        auto rel = co_await st.find_relationship(id);
        if (rel.unavailable) co_return unavailable_response(req);
        if (!rel.value || rel.value->mentor_id != mentor_id)
            co_return json_error(req, http::status::not_found, "not_found", "No such relationship of yours.");
        auto ended = co_await st.end_relationship(*rel.value, mentor_id, *reason, clock::now_ms());
        if (ended.unavailable) co_return unavailable_response(req);
        if (!ended.value)
            co_return json_error(req, http::status::not_found, "not_found", "No such active relationship of yours.");
        log::info("mentoring_ended", {{"reason", *reason}});
        co_return no_content_response(req);
    }
    if (target == "/api/mentoring/relationships") {
        if (method != http::verb::get) co_return method_not_allowed(req);
        auto rels = co_await st.relationships_of(mentor_id);
        if (rels.unavailable) co_return unavailable_response(req);
        json list = json::array();
        for (auto& r : rels.value) {
            auto bookings = mentoring::bookings_from_json(parsed(r.bookings));
            list.push_back({{"relationship_id", r.id},
                            {"state", r.state},
                            {"plan", parsed(r.plan)},
                            {"bookings", mentoring::to_json(bookings)},
                            {"sessions_remaining", r.sessions - std::min(r.sessions, static_cast<unsigned>(bookings.size()))},
                            {"started_ms", r.started_ms}});
        }
        json out{{"relationships", list}};
        co_return json_response(req, http::status::ok, out.dump());
    }
    co_return json_error(req, http::status::not_found, "not_found", "No such API endpoint.");
}

// --- GP (relationship token) -----------------------------------------------------

net::awaitable<http_response> http_api::gp_mentoring(const http_request& req, const std::string& client_address,
                                                     std::string what) {
    auto& st = *svc_.mentoring;
    auto address = crypto::keyed_hash_hex(client_address, address_key_);
    auto failures = co_await st.token_failures(address);
    if (failures.unavailable) co_return unavailable_response(req);
    if (failures.value >= static_cast<long long>(svc_.cfg.login_attempts_per_address)) {
        log::warn("relationship_token_rate_limited");
        auto res = json_error(req, http::status::too_many_requests, "rate_limited",
                              "Too many unknown relationship keys from here. Try again later.");
        res.set(http::field::retry_after, std::to_string(svc_.cfg.login_window.count()));
        co_return res;
    }
    auto token = bearer_token(req);
    if (token.empty())
        co_return json_error(req, http::status::unauthorized, "invalid_token",
                             "Send the relationship token as Authorization: Bearer <token>.");
    auto token_hash = crypto::token_hash(token);
    if (what == "request") co_return co_await gp_request(req, token_hash);

    auto pairing = co_await st.find_pairing(token_hash);
    if (pairing.unavailable) co_return unavailable_response(req);
    if (!pairing.value) {
        if (!co_await st.count_token_failure(address, svc_.cfg.login_window.count())) co_return unavailable_response(req);
        log::info("relationship_token_unknown");
        co_return json_error(req, http::status::not_found, "unknown_relationship",
                             "No request or relationship has this key.");
    }
    auto& p = *pairing.value;
    auto method = req.method();
    if (what == "relationship") {
        if (method != http::verb::get) co_return method_not_allowed(req);
        co_return co_await gp_state(req, p);
    }
    if (p.state != "active" && !(p.state == "ended" && what == "relationship/outcome"))
        co_return json_error(req, http::status::conflict, "wrong_state", "There is no active relationship.");
    auto rel = co_await st.find_relationship(p.relationship_id);
    if (rel.unavailable || !rel.value) co_return unavailable_response(req);
    if (what == "relationship/outcome") {
        if (method != http::verb::post) co_return method_not_allowed(req);
        auto answer = choice_member(json::parse(req.body(), nullptr, false), "outcome", outcomes);
        if (!answer)
            co_return bad(req, "invalid_request",
                          "Send {\"outcome\": stayed_in_practice | changed_how_i_work | left | prefer_not_to_say}.");
        if (!outcome_due(*rel.value, clock::now_ms()))
            co_return json_error(req, http::status::conflict, "not_expected",
                                 "The outcome question comes once, after the last session.");
        auto recorded = co_await st.record_outcome(rel.value->id, *answer);
        if (recorded.unavailable) co_return unavailable_response(req);
        if (!recorded.value)
            co_return json_error(req, http::status::conflict, "not_expected", "This relationship's outcome is counted.");
        co_return no_content_response(req);
    }
    if (what == "relationship/slots") {
        if (method != http::verb::get) co_return method_not_allowed(req);
        co_return co_await gp_slots(req, *rel.value);
    }
    mentoring::change c;
    constexpr std::string_view bookings_prefix = "relationship/bookings/";
    auto body = json::parse(req.body(), nullptr, false);
    if (what == "relationship/bookings" && method == http::verb::put) {
        c.type = mentoring::change::kind::book;
        auto sessions = body.is_object() && body.size() == 1 && body.contains("sessions")
                            ? mentoring::parse_proposed(body["sessions"])
                            : std::nullopt;
        if (!sessions) co_return bad(req, "invalid_series", "Send {\"sessions\":[{\"start_ms\",\"end_ms\"}, ...]}.");
        c.sessions = std::move(*sessions);
    } else if (what == "relationship/bookings/move" && method == http::verb::post) {
        c.type = mentoring::change::kind::move;
        auto sessions = body.is_object() && body.size() == 2 && body.contains("sessions") && body.contains("from") &&
                                body["from"].is_number_unsigned()
                            ? mentoring::parse_proposed(body["sessions"])
                            : std::nullopt;
        if (!sessions)
            co_return bad(req, "invalid_series", "Send {\"from\":n,\"sessions\":[{\"start_ms\",\"end_ms\"}, ...]}.");
        c.from = body["from"].get<unsigned>();
        c.sessions = std::move(*sessions);
    } else if (what.rfind(bookings_prefix, 0) == 0 && what != "relationship/bookings/move" &&
               method == http::verb::delete_) {
        c.type = mentoring::change::kind::cancel;
        auto n = what.substr(bookings_prefix.size());
        unsigned v = 0;
        auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), v);
        if (ec != std::errc() || end != n.data() + n.size())
            co_return json_error(req, http::status::not_found, "no_such_session", "No such session in this series.");
        c.from = v;
    } else if (what == "relationship/bookings" || what.rfind(bookings_prefix, 0) == 0) {
        co_return method_not_allowed(req);
    } else {
        co_return json_error(req, http::status::not_found, "not_found", "No such API endpoint.");
    }
    co_return co_await gp_change_bookings(req, *rel.value, c);
}

net::awaitable<http_response> http_api::gp_request(const http_request& req, const std::string& token_hash) {
    auto body = json::parse(req.body(), nullptr, false);
    auto refuse = [&](std::string_view message) { return bad(req, "invalid_request", message); };
    if (!body.is_object() || body.size() != 1 || !body.contains("choices") || !body["choices"].is_array() ||
        body["choices"].empty() || body["choices"].size() > max_choices)
        co_return refuse("Send {\"choices\":[{\"mentor_id\",\"note\"?}, ...]}: 1 to 3 mentors in your order.");
    std::vector<store::choice> choices;
    for (auto& c : body["choices"]) {
        if (!c.is_object() || !c.contains("mentor_id") || !c["mentor_id"].is_string() ||
            c.size() != (c.contains("note") ? 2u : 1u))
            co_return refuse("Each choice is {\"mentor_id\", \"note\"?}.");
        auto id = c["mentor_id"].get<std::string>();
        if (!is_hex_id(id)) co_return bad(req, "unknown_mentor", "A choice names no current mentor.");
        std::string note;
        if (c.contains("note")) {
            if (!c["note"].is_string()) co_return refuse("A note is a base64url string.");
            note = c["note"].get<std::string>();
            if (note.size() < min_note_b64 || note.size() > max_note_b64 || !is_base64url(note))
                co_return refuse("A note is the sealed note in base64url (docs/CRYPTO.md §15), at most 8290 characters.");
        }
        for (auto& earlier : choices)
            if (earlier.mentor_id == id) co_return refuse("Each mentor once.");
        choices.push_back({std::move(id), std::move(note)});
    }
    auto now = clock::now_ms();
    auto expires = now + std::chrono::milliseconds(svc_.cfg.mentoring_offer).count();
    auto r = co_await svc_.mentoring->create_request(token_hash, std::move(choices), now, expires,
                                                     svc_.cfg.mentoring_sessions);
    if (r.unavailable) co_return unavailable_response(req);
    if (r.value == store::create_outcome::unknown_mentor)
        co_return bad(req, "unknown_mentor", "A choice names no current mentor.");
    if (r.value == store::create_outcome::exists)
        co_return json_error(req, http::status::conflict, "exists",
                             "This key already has a request or relationship.");
    log::info("mentoring_requested");
    json out{{"state", "offered"}, {"choice", 1}, {"expires_at_ms", expires}};
    co_return json_response(req, http::status::created, out.dump());
}

net::awaitable<http_response> http_api::gp_state(const http_request& req, const mentoring_store::pairing& p) {
    json out{{"state", p.state}};
    if (p.state == "offered") {
        out["choice"] = p.choice;
        out["choices"] = p.choices.size();
        out["expires_at_ms"] = p.expires_ms;
    } else if (p.state == "mentor_gone") {
        out["sessions_remaining"] = p.sessions;
    } else if (p.state == "active" || p.state == "ended") {
        auto rel = co_await svc_.mentoring->find_relationship(p.relationship_id);
        if (rel.unavailable || !rel.value) co_return unavailable_response(req);
        auto& r = *rel.value;
        auto bookings = mentoring::bookings_from_json(parsed(r.bookings));
        out["relationship_id"] = r.id;
        out["plan"] = parsed(r.plan);
        out["bookings"] = mentoring::to_json(bookings);
        out["sessions_remaining"] = r.sessions - std::min(r.sessions, static_cast<unsigned>(bookings.size()));
        out["outcome_due"] = outcome_due(r, clock::now_ms());
        auto m = co_await svc_.mentoring->find_mentor(r.mentor_id);
        if (m.unavailable) co_return unavailable_response(req);
        if (m.value) {
            bool unavailable = false;
            auto card = co_await public_card(*m.value, unavailable);
            if (unavailable) co_return unavailable_response(req);
            if (card) out["mentor"] = *card;
        }
    }
    co_return json_response(req, http::status::ok, out.dump());
}

net::awaitable<http_response> http_api::gp_slots(const http_request& req, const mentoring_store::relationship& r) {
    auto target = std::string_view(req.target());
    auto from = query_integer(target, "from_ms");
    auto to = query_integer(target, "to_ms");
    if (!from || !to || *from < 0 || *to <= *from || *to - *from > max_slot_range_ms)
        co_return bad(req, "invalid_request", "Give from_ms and to_ms, at most 400 days apart.");
    auto m = co_await svc_.mentoring->find_mentor(r.mentor_id);
    auto booked = co_await svc_.mentoring->booked_times(r.mentor_id);
    if (m.unavailable || booked.unavailable) co_return unavailable_response(req);
    json slots = json::array();
    if (m.value && !m.value->availability.empty()) {
        std::string error;
        auto avail = mentoring::parse_availability(parsed(m.value->availability), date::local_days{}, error);
        std::vector<rota::interval> busy;
        for (auto& [s, e] : booked.value) busy.push_back({to_sys(s), to_sys(e)});
        if (avail)
            for (auto& w : mentoring::free_windows(*avail, svc_.rota->zone(), to_sys(*from), to_sys(*to), busy)) {
                if (slots.size() >= max_slots) break;
                slots.push_back({{"start_ms", to_ms(w.start)}, {"end_ms", to_ms(w.end)}});
            }
    }
    json out{{"slots", slots}};
    co_return json_response(req, http::status::ok, out.dump());
}

net::awaitable<http_response> http_api::gp_change_bookings(const http_request& req, mentoring_store::relationship r,
                                                           mentoring::change c) {
    // The longest a session can be (--mentoring-session-minutes at most 240):
    // how far back the script looks for a booking that may still be running.
    constexpr long long longest = 240LL * 60'000;
    // A few tries: another change to the same series (from another device)
    // may land between reading and writing; the script refuses stale input.
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (r.state != "active")
            co_return json_error(req, http::status::conflict, "wrong_state", "There is no active relationship.");
        auto now = clock::now_ms();
        auto plan = mentoring::plan_from_json(parsed(r.plan));
        auto current = mentoring::bookings_from_json(parsed(r.bookings));
        auto result = mentoring::apply_change(plan, r.sessions, current, c, now);
        if (!result.error.empty()) {
            auto status = result.error == "no_such_session"   ? http::status::not_found
                          : result.error == "already_started" ? http::status::conflict
                                                              : http::status::bad_request;
            co_return json_error(req, status, result.error, result.message);
        }
        if (!result.changed.empty()) {
            auto m = co_await svc_.mentoring->find_mentor(r.mentor_id);
            if (m.unavailable) co_return unavailable_response(req);
            std::string error;
            auto avail = m.value ? mentoring::parse_availability(parsed(m.value->availability), date::local_days{}, error)
                                 : std::nullopt;
            if (!avail) co_return json_error(req, http::status::conflict, "not_available", "The mentor has no availability.");
            for (auto n : result.changed) {
                auto& b = *std::find_if(result.bookings.begin(), result.bookings.end(),
                                        [n](auto& x) { return x.number == n; });
                if (b.start_ms % 1000 != 0 || b.end_ms % 1000 != 0 ||
                    !mentoring::covers(*avail, svc_.rota->zone(), to_sys(b.start_ms), to_sys(b.end_ms)))
                    co_return json_error(req, http::status::conflict, "not_available",
                                         "Session " + std::to_string(n) + " is outside the mentor's availability.");
            }
        }
        auto outcome = co_await svc_.mentoring->replace_bookings(r, mentoring::to_json(result.bookings).dump(), longest);
        if (outcome.unavailable) co_return unavailable_response(req);
        switch (outcome.value) {
        case store::booking_outcome::ok: {
            if (c.type == mentoring::change::kind::cancel) co_return no_content_response(req);
            json out{{"bookings", mentoring::to_json(result.bookings)}};
            co_return json_response(req, http::status::ok, out.dump());
        }
        case store::booking_outcome::taken:
            co_return json_error(req, http::status::conflict, "slot_taken",
                                 "The mentor is booked at one of these times; nothing was changed.");
        case store::booking_outcome::wrong_state:
            co_return json_error(req, http::status::conflict, "wrong_state", "There is no active relationship.");
        case store::booking_outcome::changed:
            break;
        }
        auto again = co_await svc_.mentoring->find_relationship(r.id);
        if (again.unavailable || !again.value) co_return unavailable_response(req);
        r = std::move(*again.value);
    }
    co_return json_error(req, http::status::conflict, "slot_taken", "The series kept changing; read it again.");
}

} // namespace peerline
