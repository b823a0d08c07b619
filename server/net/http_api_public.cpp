// Endpoints for anyone, GPs included: what the landing page needs before a
// GP asks for anything (the 24/7 services, topics, timings), and a GP's
// anonymous feedback after a conversation (counts only).
#include "net/http_api.hpp"

#include "core/log.hpp"
#include "domain/services.hpp"
#include "peerline/crypto/crypto.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>

#include <array>

namespace peerline {

namespace {
using json = nlohmann::json;
constexpr std::array<std::string_view, 3> helped_answers{"yes", "somewhat", "no"};
constexpr std::array<std::string_view, 3> stay_answers{"more", "same", "less"};

bool one_of(const auto& answers, std::string_view v) {
    return std::find(answers.begin(), answers.end(), v) != answers.end();
}
} // namespace

net::awaitable<http_response> http_api::config(const http_request& req) {
    auto list = co_await signposting_list(req, false);
    auto alternatives = json::parse(list.body(), nullptr, false);
    json body{{"signposting", alternatives.value("alternatives", json::array())},
              {"topics", {"workload", "clinical_case", "complaint", "career", "personal", "other"}},
              {"offer_timeout_ms", svc_.cfg.offer_timeout.count()},
              {"resume_grace_s", svc_.cfg.resume_grace.count()},
              {"demo", svc_.cfg.demo}};
    co_return json_response(req, http::status::ok, body.dump());
}

net::awaitable<http_response> http_api::feedback(const http_request& req, const identity& who) {
    if (who.role != "gp")
        co_return json_error(req, http::status::forbidden, "wrong_role", "Only a GP session sends feedback.");
    auto body = json::parse(req.body(), nullptr, false);
    auto helped = string_member(body, "helped", 16).value_or("");
    auto stay = string_member(body, "stay_in_practice", 16).value_or("");
    if (!one_of(helped_answers, helped) || !one_of(stay_answers, stay) || body.size() != 2)
        co_return json_error(req, http::status::bad_request, "invalid_request",
                             "Send {\"helped\": yes|somewhat|no, \"stay_in_practice\": more|same|less}.");
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    // The session id is the one the token was just authenticated with.
    auto counted = co_await stats_.record_feedback(who.sid, helped, stay, now_ms);
    if (!counted) co_return unavailable_response(req);
    if (!*counted)
        co_return json_error(req, http::status::conflict, "not_expected",
                             "Feedback is counted once after each conversation; none is waiting for it now.");
    co_return no_content_response(req);
}

} // namespace peerline
