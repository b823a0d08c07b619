// The rota: a listener may go available only on shift; shifts come from the
// admin CLI or the admin JSON API, in the service's time zone; listeners read
// their own shifts; the API refuses the wrong role and malformed bodies.
#include "service_helpers.hpp"

#include "peerline/test_support/files.hpp"

#include <algorithm>

using namespace peerline::service_tests;
using nlohmann::json;

namespace {

// The admin CLI's add-shift with these arguments; returns its exit code.
int add_shift(peerline_stack& s, std::vector<std::string> args) {
    args.insert(args.begin(), "add-shift");
    auto r = s.admin.run(args);
    INFO("peerline admin " << args.front() << ": " << r.out << r.err);
    return r.status.exited ? r.status.code : -1;
}

json shift_body(const std::string& listener, int weekday, const std::string& start,
                const std::string& end) {
    return json{{"listener", listener}, {"kind", "weekly"}, {"weekday", weekday},
                {"start", start},       {"end", end}};
}

bool has_shift(const json& rota, const std::string& id) {
    return std::any_of(rota["shifts"].begin(), rota["shifts"].end(),
                       [&](const json& s) { return s.value("id", "") == id; });
}

} // namespace

TEST_CASE("a listener without a shift is told not_on_shift until the admin CLI adds one", "[rota]") {
    peerline_stack s;
    auto a = new_listener_without_shift(s, "no-shift");
    auto ws = listener_session(s.ep(), a);

    ws.send_control(protocol::set_availability{protocol::availability::available});
    auto refused = ws.expect_error(protocol::error_code::not_on_shift);
    CHECK(refused.in_reply_to == "set_availability");
    // Refused means refused: nothing else follows, and going away is still fine.
    ws.expect_nothing(200ms);
    ws.send_control(protocol::set_availability{protocol::availability::away});
    CHECK(ws.expect<protocol::availability_changed>().state == protocol::listener_state::away);

    REQUIRE(add_shift(s, {a.name, "--always"}) == 0);
    // The running node reloads the rota when the CLI announces the change.
    CHECK(becomes_available(ws));
}

TEST_CASE("weekly and one-off shifts from the admin CLI count only on their own day", "[rota]") {
    peerline_stack s(with_flags({"--timezone", "UTC"}));
    auto now = wall_ms();
    const long long day = 86'400'000;
    auto weekly_today = new_listener_without_shift(s, "weekly-today");
    auto weekly_yesterday = new_listener_without_shift(s, "weekly-yesterday");
    auto one_off_today = new_listener_without_shift(s, "one-off-today");
    auto one_off_tomorrow = new_listener_without_shift(s, "one-off-tomorrow");

    REQUIRE(add_shift(s, {weekly_today.name, "--weekday", std::to_string(weekday_of(now)),
                          "--start", "00:00", "--end", "24:00"}) == 0);
    REQUIRE(add_shift(s, {weekly_yesterday.name, "--weekday",
                          std::to_string(weekday_of(now - day)), "--start", "00:00", "--end",
                          "24:00"}) == 0);
    REQUIRE(add_shift(s, {one_off_today.name, "--date", date_of(now), "--start", "00:00", "--end",
                          "24:00"}) == 0);
    REQUIRE(add_shift(s, {one_off_tomorrow.name, "--date", date_of(now + day), "--start", "00:00",
                          "--end", "24:00"}) == 0);

    auto wt = listener_session(s.ep(), weekly_today);
    auto ot = listener_session(s.ep(), one_off_today);
    CHECK(becomes_available(wt));
    CHECK(becomes_available(ot));
    // By now this node has the whole rota; the others are simply off shift.
    auto wy = listener_session(s.ep(), weekly_yesterday);
    auto otm = listener_session(s.ep(), one_off_tomorrow);
    CHECK(try_available(wy) == "not_on_shift");
    CHECK(try_available(otm) == "not_on_shift");

    SECTION("the CLI refuses malformed shifts and non-listeners") {
        CHECK(add_shift(s, {weekly_today.name, "--weekday", "7"}) != 0);
        CHECK(add_shift(s, {weekly_today.name, "--date", "2025-02-30"}) != 0);
        CHECK(add_shift(s, {weekly_today.name, "--weekday", "1", "--start", "25:00"}) != 0);
        CHECK(add_shift(s, {weekly_today.name, "--weekday", "1", "--start", "10:00", "--end",
                            "10:00"}) != 0);
        CHECK(add_shift(s, {"nobody-by-this-name", "--always"}) != 0);
        auto admin = new_admin(s, "rota-admin");
        CHECK(add_shift(s, {admin.name, "--always"}) != 0);
    }
}

TEST_CASE("shifts are read in the service's --timezone", "[rota]") {
    // Kiribati's Line Islands are UTC+14, so their date is never UTC-12's:
    // a one-off shift on the local date counts, one on the date twenty-six
    // hours behind does not.
    peerline_stack s(with_flags({"--timezone", "Pacific/Kiritimati"}));
    auto now = wall_ms();
    auto local = new_listener_without_shift(s, "kiritimati-today");
    auto behind = new_listener_without_shift(s, "dateline-today");
    REQUIRE(add_shift(s, {local.name, "--date", date_of(now, 14), "--start", "00:00", "--end",
                          "24:00"}) == 0);
    REQUIRE(add_shift(s, {behind.name, "--date", date_of(now, -12), "--start", "00:00", "--end",
                          "24:00"}) == 0);

    auto on = listener_session(s.ep(), local);
    CHECK(becomes_available(on));
    auto off = listener_session(s.ep(), behind);
    CHECK(try_available(off) == "not_on_shift");

    auto token = login_token(s.ep(), new_admin(s, "tz-admin"));
    auto rota = api(s.ep(), "GET", "/api/rota", token);
    REQUIRE(rota.status == 200);
    CHECK(rota.json()["timezone"] == "Pacific/Kiritimati");
}

TEST_CASE("administrators manage shifts over the JSON API and listeners read only their own",
          "[rota][api]") {
    peerline_stack s(with_flags({"--timezone", "UTC"}));
    auto now = wall_ms();
    const long long day = 86'400'000;
    auto admin_token = login_token(s.ep(), new_admin(s, "rota-admin"));
    auto mine = new_listener_without_shift(s, "listener-mine");
    auto other = new_listener_without_shift(s, "listener-other");
    std::string listener_token;
    auto ws = listener_session(s.ep(), mine, &listener_token);
    CHECK(try_available(ws) == "not_on_shift");

    auto weekly = api(s.ep(), "POST", "/api/rota/shifts", admin_token,
                      shift_body(mine.name, weekday_of(now), "00:00", "24:00").dump());
    REQUIRE(weekly.status == 201);
    auto weekly_id = weekly.json().value("id", "");
    REQUIRE_FALSE(weekly_id.empty());

    auto tomorrow = date_of(now + day);
    auto one_off = api(s.ep(), "POST", "/api/rota/shifts", admin_token,
                       json{{"listener", mine.name}, {"kind", "one_off"}, {"date", tomorrow},
                            {"start", "09:00"}, {"end", "10:00"}}
                           .dump());
    REQUIRE(one_off.status == 201);
    auto one_off_id = one_off.json().value("id", "");
    auto others = api(s.ep(), "POST", "/api/rota/shifts", admin_token,
                      shift_body(other.name, 1, "09:00", "17:00").dump());
    REQUIRE(others.status == 201);
    auto others_id = others.json().value("id", "");
    CHECK(weekly_id != one_off_id);

    // The listener may now go available.
    CHECK(becomes_available(ws));

    SECTION("an administrator sees every shift as it was written") {
        auto res = api(s.ep(), "GET", "/api/rota", admin_token);
        REQUIRE(res.status == 200);
        auto rota = res.json();
        CHECK(rota["timezone"] == "UTC");
        CHECK(rota["shifts"].size() == 3);
        for (auto& sh : rota["shifts"]) {
            if (sh["id"] == weekly_id) {
                CHECK(sh["listener"] == mine.name);
                CHECK(sh["kind"] == "weekly");
                CHECK(sh["weekday"] == weekday_of(now));
                CHECK(sh["start"] == "00:00");
                CHECK(sh["end"] == "24:00");
            } else if (sh["id"] == one_off_id) {
                CHECK(sh["kind"] == "one_off");
                CHECK(sh["date"] == tomorrow);
                CHECK(sh["start"] == "09:00");
                CHECK(sh["end"] == "10:00");
            } else {
                CHECK(sh["id"] == others_id);
                CHECK(sh["listener"] == other.name);
            }
        }
    }

    SECTION("a listener sees their own shifts, when this one ends and what comes next") {
        auto res = api(s.ep(), "GET", "/api/rota", listener_token);
        REQUIRE(res.status == 200);
        auto rota = res.json();
        CHECK(rota["shifts"].size() == 2);
        CHECK_FALSE(has_shift(rota, others_id));
        REQUIRE(rota.contains("on_shift_until_ms"));
        CHECK(rota["on_shift_until_ms"].get<long long>() == next_utc_midnight_ms(now));
        auto tomorrow_9 = next_utc_midnight_ms(now) + 9 * 3'600'000LL;
        bool found = false;
        for (auto& u : rota["upcoming"])
            if (u["start_ms"] == tomorrow_9 && u["end_ms"] == tomorrow_9 + 3'600'000LL) found = true;
        CHECK(found);
        CHECK(rota.dump().find(other.name) == std::string::npos);
    }

    SECTION("a deleted shift is gone, and its listener is off shift again") {
        auto del = api(s.ep(), "DELETE", "/api/rota/shifts/" + weekly_id, admin_token);
        CHECK(del.status == 204);
        auto rota = api(s.ep(), "GET", "/api/rota", admin_token).json();
        CHECK_FALSE(has_shift(rota, weekly_id));
        CHECK(has_shift(rota, one_off_id));
        auto again = api(s.ep(), "DELETE", "/api/rota/shifts/" + weekly_id, admin_token);
        CHECK(again.status == 404);
        auto own = api(s.ep(), "GET", "/api/rota", listener_token).json();
        CHECK_FALSE(own.contains("on_shift_until_ms"));
        CHECK(ts::eventually([&] { return try_available(ws) == "not_on_shift"; }, 5s, 100ms));
    }
}

TEST_CASE("the rota API refuses listeners and GPs with wrong_role and malformed bodies with "
          "invalid_request",
          "[rota][api]") {
    peerline_stack s;
    auto admin_token = login_token(s.ep(), new_admin(s, "rota-admin"));
    auto listener = s.new_listener("listener-one");
    auto listener_token = login_token(s.ep(), listener);
    auto gp_token = tc::gp_session(s.ep());
    auto valid = shift_body(listener.name, 1, "09:00", "17:00").dump();
    auto created = api(s.ep(), "POST", "/api/rota/shifts", admin_token, valid);
    REQUIRE(created.status == 201);
    auto id = created.json().value("id", "");

    SECTION("a listener's token on administrator endpoints") {
        for (auto [method, target, body] :
             {std::tuple{"POST", std::string("/api/rota/shifts"), valid},
              std::tuple{"DELETE", "/api/rota/shifts/" + id, std::string()},
              std::tuple{"PUT", std::string("/api/rota/hours"),
                         std::string(R"({"hours":{},"closed_days":[]})")},
              std::tuple{"GET", std::string("/api/admin/stats"), std::string()}}) {
            auto res = api(s.ep(), method, target, listener_token, body);
            INFO(method << " " << target << " -> " << res.status << " " << res.body);
            CHECK(res.status == 403);
            CHECK(error_code_of(res) == "wrong_role");
        }
        // Nothing was changed by the refused calls.
        CHECK(has_shift(api(s.ep(), "GET", "/api/rota", admin_token).json(), id));
    }

    SECTION("a GP may not read the rota, and no token is no access") {
        auto gp = api(s.ep(), "GET", "/api/rota", gp_token);
        CHECK(gp.status == 403);
        CHECK(error_code_of(gp) == "wrong_role");
        auto none = api(s.ep(), "GET", "/api/rota", "");
        CHECK(none.status == 401);
        CHECK(error_code_of(none) == "invalid_token");
        auto none_post = api(s.ep(), "POST", "/api/rota/shifts", "", valid);
        CHECK(none_post.status == 401);
    }

    SECTION("malformed shifts") {
        std::vector<std::string> bodies = {
            "not json",
            "[]",
            R"({"kind":"weekly","weekday":1,"start":"09:00","end":"17:00"})",
            json{{"listener", listener.name}, {"kind", "monthly"}, {"weekday", 1}, {"start", "09:00"}, {"end", "17:00"}}.dump(),
            shift_body(listener.name, 7, "09:00", "17:00").dump(),
            json{{"listener", listener.name}, {"kind", "weekly"}, {"weekday", "1"}, {"start", "09:00"}, {"end", "17:00"}}.dump(),
            json{{"listener", listener.name}, {"kind", "weekly"}, {"weekday", -1}, {"start", "09:00"}, {"end", "17:00"}}.dump(),
            json{{"listener", listener.name}, {"kind", "weekly"}, {"start", "09:00"}, {"end", "17:00"}}.dump(),
            shift_body(listener.name, 1, "25:00", "17:00").dump(),
            shift_body(listener.name, 1, "09:60", "17:00").dump(),
            shift_body(listener.name, 1, "9:00", "17:00").dump(),
            shift_body(listener.name, 1, "09:00", "09:00").dump(),
            shift_body(listener.name, 1, "24:00", "01:00").dump(),
            json{{"listener", listener.name}, {"kind", "one_off"}, {"start", "09:00"}, {"end", "17:00"}}.dump(),
            json{{"listener", listener.name}, {"kind", "one_off"}, {"date", "2025-02-30"}, {"start", "09:00"}, {"end", "17:00"}}.dump(),
            json{{"listener", listener.name}, {"kind", "one_off"}, {"date", "25-01-01"}, {"start", "09:00"}, {"end", "17:00"}}.dump(),
            shift_body("nobody-by-this-name", 1, "09:00", "17:00").dump(),
        };
        for (auto& b : bodies) {
            auto res = api(s.ep(), "POST", "/api/rota/shifts", admin_token, b);
            INFO(b << " -> " << res.status << " " << res.body);
            CHECK(res.status == 400);
            CHECK(error_code_of(res) == "invalid_request");
        }
        // The administrator account is not a listener either.
        auto not_listener = api(s.ep(), "POST", "/api/rota/shifts", admin_token,
                                shift_body("rota-admin", 1, "09:00", "17:00").dump());
        CHECK(not_listener.status == 400);
        // Only the valid shift exists.
        CHECK(api(s.ep(), "GET", "/api/rota", admin_token).json()["shifts"].size() ==
              8); // 7 from new_listener's --always, 1 valid
    }

    SECTION("malformed opening hours") {
        for (const char* b :
             {"not json", R"({"hours":{}})", R"({"closed_days":[]})",
              R"({"hours":[],"closed_days":[]})", R"({"hours":{"7":"09:00-17:00"},"closed_days":[]})",
              R"({"hours":{"1":"09:00"},"closed_days":[]})",
              R"({"hours":{"1":"9:00-17:00"},"closed_days":[]})",
              R"({"hours":{"1":"09:00-25:00"},"closed_days":[]})",
              R"({"hours":{"1":9},"closed_days":[]})",
              R"({"hours":{},"closed_days":"2025-01-01"})",
              R"({"hours":{},"closed_days":["2025-13-01"]})",
              R"({"hours":{},"closed_days":[20250101]})"}) {
            auto res = api(s.ep(), "PUT", "/api/rota/hours", admin_token, b);
            INFO(b << " -> " << res.status << " " << res.body);
            CHECK(res.status == 400);
            CHECK(error_code_of(res) == "invalid_request");
        }
        // A valid one is accepted and read back.
        auto ok = api(s.ep(), "PUT", "/api/rota/hours", admin_token,
                      R"({"hours":{"1":"08:00-20:00"},"closed_days":["2030-12-25"]})");
        CHECK(ok.status == 204);
        auto rota = api(s.ep(), "GET", "/api/rota", admin_token).json();
        CHECK(rota["hours"] == json{{"1", "08:00-20:00"}});
        CHECK(rota["closed_days"] == json::array({"2030-12-25"}));
    }

    SECTION("deleting a shift that does not exist") {
        CHECK(api(s.ep(), "DELETE", "/api/rota/shifts/0123456789abcdef", admin_token).status == 404);
        CHECK(api(s.ep(), "DELETE", "/api/rota/shifts/not-hex!", admin_token).status == 404);
    }
}

TEST_CASE("a listener whose shift is deleted while available is offered nothing more",
          "[rota]") {
    peerline_stack s(with_flags({"--timezone", "UTC"}));
    auto admin_token = login_token(s.ep(), new_admin(s, "rota-admin"));
    auto loses = new_listener_without_shift(s, "loses-shift");
    auto created = api(s.ep(), "POST", "/api/rota/shifts", admin_token,
                       shift_body(loses.name, weekday_of(wall_ms()), "00:00", "24:00").dump());
    REQUIRE(created.status == 201);
    auto ws = listener_session(s.ep(), loses);
    REQUIRE(becomes_available(ws));
    // Another listener on shift (away) keeps the service staffed, so GPs queue.
    auto keeps = listener_session(s.ep(), s.new_listener("keeps-shift"));

    REQUIRE(api(s.ep(), "DELETE", "/api/rota/shifts/" + created.json().value("id", ""), admin_token)
                .status == 204);
    auto gp = s.gp();
    CHECK(request_and_queue(gp) == 1);
    // Off shift means off: the listener is told, and the request is not offered to them.
    bool told_away = false;
    for (auto& f : drain(ws, 1500ms)) {
        INFO(f.raw);
        CHECK(type_of(f) != "offer");
        if (auto* a = std::get_if<protocol::availability_changed>(&f.message))
            told_away = a->state == protocol::listener_state::away && a->reason == "shift_ended";
    }
    CHECK(told_away);
}
