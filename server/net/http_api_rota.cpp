// The rota over the JSON API: administrators manage shifts, opening hours and
// closed days; listeners read their own shifts. Durable in Redis (AOF); every
// change is announced to all nodes, which reload their calendar.
#include "net/http_api.hpp"

#include "core/clock.hpp"

#include "domain/router.hpp"
#include "domain/rota_service.hpp"
#include "domain/services.hpp"
#include "peerline/crypto/crypto.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>

namespace peerline {

namespace {

using json = nlohmann::json;
using namespace std::chrono;

long long to_ms(sys_seconds t) { return duration_cast<milliseconds>(t.time_since_epoch()).count(); }

json shift_json(const rota::shift& s) {
    json j{{"id", s.id},
           {"listener", s.listener},
           {"kind", s.type == rota::shift::kind::weekly ? "weekly" : "one_off"},
           {"start", rota::format_hhmm(s.start_min)},
           {"end", rota::format_hhmm(s.end_min)}};
    if (s.type == rota::shift::kind::weekly)
        j["weekday"] = s.weekday;
    else
        j["date"] = rota::format_date(s.day);
    return j;
}


http_response bad_request(const http_request& req, std::string_view message) {
    return json_error(req, http::status::bad_request, "invalid_request", message);
}

// Awaits a rota reload on this node, so the caller's next request sees it.
template <class CompletionToken> auto async_refresh(rota_service& rota, CompletionToken&& token) {
    return net::async_initiate<CompletionToken, void()>(
        [&rota](auto handler) {
            auto target = net::get_associated_executor(handler);
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            rota.refresh([target, shared] { net::post(target, [shared] { (*shared)(); }); });
        },
        token);
}

} // namespace

net::awaitable<void> http_api::rota_changed() {
    svc_.routes->broadcast(protocol::cluster::rota_changed{});
    co_await async_refresh(*svc_.rota, net::use_awaitable);
}

net::awaitable<http_response> http_api::rota_get(const http_request& req, const identity& who) {
    auto cal = svc_.rota->snapshot();
    auto now = floor<seconds>(clock::now());
    json shifts = json::array();
    for (auto& s : cal->shifts())
        if (who.role == "admin" || s.listener == who.username) shifts.push_back(shift_json(s));
    json body{{"timezone", svc_.cfg.timezone}, {"shifts", shifts}, {"open_now", cal->is_open(now)},
              {"staffed_now", cal->staffed(now)}};
    if (auto next = cal->next_staffed(now)) body["next_staffed_ms"] = to_ms(*next);
    if (who.role == "listener") {
        if (auto until = cal->on_shift_until(who.username, now)) body["on_shift_until_ms"] = to_ms(*until);
        json upcoming = json::array();
        for (auto& i : cal->upcoming(who.username, now))
            upcoming.push_back({{"start_ms", to_ms(i.start)}, {"end_ms", to_ms(i.end)}});
        body["upcoming"] = upcoming;
    }
    auto opening = co_await rota_.opening_times();
    if (!opening) co_return unavailable_response(req);
    json hours_json = json::object();
    for (auto& [day, range] : opening->hours) hours_json[day] = range;
    json closed = json::array();
    for (auto& d : opening->closed_days) closed.push_back(d);
    body["hours"] = hours_json;
    body["closed_days"] = closed;
    co_return json_response(req, http::status::ok, body.dump());
}

net::awaitable<http_response> http_api::rota_add_shift(const http_request& req) {
    auto body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object())
        co_return bad_request(req, "Send a JSON object describing the shift.");
    auto listener = string_member(body, "listener", 64);
    auto kind = string_member(body, "kind", 64);
    auto start_text = string_member(body, "start", 5);
    auto end_text = string_member(body, "end", 5);
    auto start = start_text ? rota::parse_hhmm(*start_text) : std::nullopt;
    auto end = end_text ? rota::parse_hhmm(*end_text) : std::nullopt;
    if (!listener || !kind || (*kind != "weekly" && *kind != "one_off"))
        co_return bad_request(req, "listener and kind (weekly or one_off) are required.");
    if (!start || !end || *start >= 1440 || *end == 0 || *start == *end)
        co_return bad_request(req, "start and end must be HH:MM, different, start before 24:00.");
    std::string weekday, day;
    if (*kind == "weekly") {
        if (!body.contains("weekday") || !body["weekday"].is_number_unsigned() ||
            body["weekday"].get<unsigned>() > 6)
            co_return bad_request(req, "weekday must be 0 (Sunday) to 6 (Saturday).");
        weekday = std::to_string(body["weekday"].get<unsigned>());
    } else {
        auto date_text = string_member(body, "date", 10);
        if (!date_text || !rota::parse_date(*date_text))
            co_return bad_request(req, "date must be YYYY-MM-DD.");
        day = *date_text;
    }
    auto account = co_await sessions_.find_account(*listener);
    if (!account) co_return unavailable_response(req);
    if (!*account || (*account)->role != "listener")
        co_return bad_request(req, "listener must name an existing listener account.");

    auto id = crypto::random_hex(8);
    rota_store::shift shift{*listener, *kind, weekday, day, *start_text, *end_text};
    const bool added = co_await rota_.add_shift(id, std::move(shift));
    if (!added) co_return unavailable_response(req);
    co_await rota_changed();
    json reply{{"id", id}};
    co_return json_response(req, http::status::created, reply.dump());
}

net::awaitable<http_response> http_api::rota_delete_shift(const http_request& req, std::string id) {
    if (id.empty() || id.size() > 32 || id.find_first_not_of("0123456789abcdef") != std::string::npos)
        co_return json_error(req, http::status::not_found, "not_found", "No such shift.");
    auto removed = co_await rota_.delete_shift(id);
    if (!removed) co_return unavailable_response(req);
    if (!*removed)
        co_return json_error(req, http::status::not_found, "not_found", "No such shift.");
    co_await rota_changed();
    co_return no_content_response(req);
}

net::awaitable<http_response> http_api::rota_put_hours(const http_request& req) {
    auto body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("hours") ||
        !body["hours"].is_object() || !body.contains("closed_days") || !body["closed_days"].is_array())
        co_return bad_request(req, "Send {\"hours\": {\"0\"..\"6\": \"HH:MM-HH:MM\"}, \"closed_days\": [\"YYYY-MM-DD\"]}.");
    rota_store::opening opening;
    for (auto& [day, range] : body["hours"].items()) {
        auto ok = day.size() == 1 && day[0] >= '0' && day[0] <= '6' && range.is_string();
        std::string text = ok ? range.get<std::string>() : std::string();
        auto dash = text.find('-');
        ok = ok && dash == 5 && rota::parse_hhmm(text.substr(0, 5)) && rota::parse_hhmm(text.substr(6));
        if (!ok) co_return bad_request(req, "hours maps \"0\" (Sunday)..\"6\" to \"HH:MM-HH:MM\".");
        opening.hours[day] = text;
    }
    if (body["closed_days"].size() > 366) co_return bad_request(req, "At most 366 closed days.");
    for (auto& d : body["closed_days"]) {
        if (!d.is_string() || !rota::parse_date(d.get<std::string>()))
            co_return bad_request(req, "closed_days are YYYY-MM-DD dates.");
        opening.closed_days.push_back(d.get<std::string>());
    }
    const bool replaced = co_await rota_.replace_opening_times(std::move(opening));
    if (!replaced) co_return unavailable_response(req);
    co_await rota_changed();
    co_return no_content_response(req);
}

} // namespace peerline
