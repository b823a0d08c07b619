// Peer mentoring (issue 15, docs/PROTOCOL.md section 10), server side: the
// mentor capability and cards, a GP's request passing down their choices on
// a decline and on a timeout (the clock driven by the test on both nodes),
// relationship tokens that open nothing when guessed, and bookings that
// never double-book a mentor, even when two nodes race for the same time.
// Real redis-server, the real binary (demo mode, so an enrolment is
// certified at once by the demo root key).
#include "service_helpers.hpp"

#include "peerline/crypto/crypto.hpp"
#include "peerline/crypto/e2e.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <sstream>
#include <thread>

using namespace peerline::service_tests;
namespace e2e = peerline::crypto::e2e;
using nlohmann::json;

namespace {

constexpr long long hour_ms = 3'600'000;
constexpr long long day_ms = 24 * hour_ms;

// Flags every mentoring stack runs with: demo certificates, the driven
// clock, a short offer (whole hours, moved past by the clock anyway).
std::vector<std::string> mentoring_flags(const ts::temp_dir& keys, std::vector<std::string> more = {}) {
    std::vector<std::string> f{"--demo", "--demo-org-key", (keys / "demo-root.key").string(), "--test-clock",
                               "--mentoring-offer-hours", "72"};
    f.insert(f.end(), more.begin(), more.end());
    return f;
}

// `c` with member `key` set to `value`.
json with(json c, const std::string& key, const json& value) {
    c[key] = value;
    return c;
}

json body_of(const tc::http_response& r) { return json::parse(r.body, nullptr, false); }

std::string b64(const e2e::bytes& b) {
    return peerline::crypto::to_base64url(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

// A listener account with a certificate (demo mode certifies the enrolment
// at once); returns their session token.
std::string certified_listener(peerline_stack& s, const tc::endpoint& ep, const std::string& name) {
    auto a = new_listener_without_shift(s, name);
    auto token = login_token(ep, a);
    e2e::system_rng random;
    auto identity = e2e::generate_listener_identity(random);
    auto request = e2e::make_enrolment_request(identity, name);
    REQUIRE(request);
    json body{{"enrolment_request", b64(e2e::encode(*request))}};
    auto res = api(ep, "PUT", "/api/listener/enrolment", token, body.dump());
    REQUIRE(res.status == 200);
    REQUIRE(body_of(res)["state"] == "certified");
    return token;
}

json good_card(const std::string& name) {
    return {{"display_name", name},
            {"profile", "Twenty years in a city practice.\nHappy to talk about anything."},
            {"areas", {"career-crossroads", "wellbeing"}},
            {"region", "East Midlands"},
            {"languages", {"English"}}};
}

// Open every day, by default 08:00-18:00 London time.
json all_week(const std::string& start = "08:00", const std::string& end = "18:00") {
    json weekly = json::array();
    for (int d = 0; d < 7; ++d) weekly.push_back({{"weekday", d}, {"start", start}, {"end", end}});
    return {{"weekly", weekly}, {"one_off", json::array()}};
}

struct mentor {
    std::string token;
    std::string id;
};

// A certified listener made a mentor, with a card and availability.
mentor new_mentor(peerline_stack& s, const tc::endpoint& ep, const std::string& admin, const std::string& name,
                  const json& availability = all_week()) {
    mentor m;
    m.token = certified_listener(s, ep, name);
    auto grant = api(ep, "PUT", "/api/admin/accounts/" + name + "/mentor", admin, R"({"mentor":true})");
    REQUIRE(grant.status == 200);
    m.id = body_of(grant)["mentor_id"].get<std::string>();
    REQUIRE(api(ep, "PUT", "/api/mentoring/card", m.token, good_card("Dr " + name).dump()).status == 204);
    REQUIRE(api(ep, "PUT", "/api/mentoring/availability", m.token, availability.dump()).status == 204);
    return m;
}

// A sealed note's stand-in: opaque bytes the server must relay untouched
// (the browser seals the real one, docs/CRYPTO.md §15), base64url.
std::string opaque_note(const std::string& canary) {
    std::string raw(585, '\0');
    for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<char>(i * 7);
    raw.replace(64, canary.size(), canary); // would show if stored or logged in the clear
    return peerline::crypto::to_base64url(raw);
}

tc::http_response gp_call(const tc::endpoint& ep, std::string_view method, std::string_view target,
                          const std::string& relationship_token, std::string_view body = {}) {
    return api(ep, method, target, relationship_token, body);
}

void move_clock(const tc::endpoint& ep, long long offset_ms) {
    json body{{"offset_ms", offset_ms}};
    REQUIRE(api(ep, "PUT", "/api/test/clock", "", body.dump()).status == 204);
}

// The request a mentor holds now, or "" if none within `timeout`.
std::string held_request(const tc::endpoint& ep, const mentor& m, std::chrono::milliseconds timeout = 5s) {
    std::string id;
    ts::eventually(
        [&] {
            auto r = body_of(api(ep, "GET", "/api/mentoring/requests", m.token));
            if (!r["requests"].empty()) id = r["requests"][0]["request_id"].get<std::string>();
            return !id.empty();
        },
        timeout);
    return id;
}

// A GP asks `m` and `m` accepts: the GP's relationship token.
std::string accepted_relationship(const tc::endpoint& ep, const mentor& m) {
    auto token = peerline::crypto::generate_token();
    json ask{{"choices", {{{"mentor_id", m.id}}}}};
    REQUIRE(gp_call(ep, "POST", "/api/mentoring/requests", token, ask.dump()).status == 201);
    auto requests = body_of(api(ep, "GET", "/api/mentoring/requests", m.token))["requests"];
    REQUIRE(!requests.empty());
    auto id = requests.back()["request_id"].get<std::string>();
    REQUIRE(api(ep, "POST", "/api/mentoring/requests/" + id + "/accept", m.token).status == 200);
    return token;
}

// Four session times of two hours, 15+ days apart, from the free slots the
// server lists after `after_ms`: each two hours into a free slot that starts
// after the one before (10:00 London time with all_week(): a clock change
// between sessions moves a UTC-day step by an hour, still inside 08-18).
json series_after(const tc::endpoint& ep, const std::string& relationship_token, long long after_ms,
                  long long gap_ms = 15 * day_ms) {
    auto from = (after_ms / hour_ms + 1) * hour_ms;
    auto slots = body_of(gp_call(ep, "GET",
                                 "/api/mentoring/relationship/slots?from_ms=" + std::to_string(from) +
                                     "&to_ms=" + std::to_string(from + 300 * day_ms),
                                 relationship_token))["slots"];
    json sessions = json::array();
    long long next = from;
    for (auto& s : slots) {
        auto slot_start = s["start_ms"].get<long long>();
        if (slot_start == from || slot_start < next) continue; // clipped at `from`, or too soon
        auto start = slot_start + 2 * hour_ms;
        if (start + 2 * hour_ms > s["end_ms"].get<long long>()) continue;
        sessions.push_back({{"start_ms", start}, {"end_ms", start + 2 * hour_ms}});
        next = start + gap_ms;
        if (sessions.size() == 4) break;
    }
    REQUIRE(sessions.size() == 4);
    return sessions;
}

} // namespace

TEST_CASE("the test clock exists only with --test-clock, and moves what the node reads as now", "[mentoring][clock]") {
    peerline_stack plain;
    json body{{"offset_ms", 3 * day_ms}};
    auto refused = api(plain.ep(), "PUT", "/api/test/clock", "", body.dump());
    CHECK(refused.status == 404);

    ts::temp_dir keys("peerline-mentoring-keys");
    peerline_stack s(with_flags(mentoring_flags(keys)));
    auto admin = login_token(s.ep(), new_admin(s, "boss"));
    auto m = new_mentor(s, s.ep(), admin, "dr.clock");
    auto gp = peerline::crypto::generate_token();
    json ask{{"choices", {{{"mentor_id", m.id}}}}};
    auto made = gp_call(s.ep(), "POST", "/api/mentoring/requests", gp, ask.dump());
    REQUIRE(made.status == 201);
    auto deadline = body_of(made)["expires_at_ms"].get<long long>();
    CHECK(deadline - wall_ms() > 71 * hour_ms);
    CHECK(api(s.ep(), "PUT", "/api/test/clock", "", R"({"offset_ms":"soon"})").status == 400);
    move_clock(s.ep(), 10 * day_ms);
    auto gp2 = peerline::crypto::generate_token();
    auto later = body_of(gp_call(s.ep(), "POST", "/api/mentoring/requests", gp2, ask.dump()));
    CHECK(later["expires_at_ms"].get<long long>() - deadline >= 10 * day_ms - 60'000);
}

TEST_CASE("an administrator makes only a certified listener a mentor, whose checked card GPs see with the "
          "certificate",
          "[mentoring][cards]") {
    ts::temp_dir keys("peerline-mentoring-keys");
    peerline_stack s(with_flags(mentoring_flags(keys)));
    auto admin = login_token(s.ep(), new_admin(s, "boss"));

    // Not certified yet: refused.
    auto plain = new_listener_without_shift(s, "dr.plain");
    auto plain_token = login_token(s.ep(), plain);
    auto refused = api(s.ep(), "PUT", "/api/admin/accounts/dr.plain/mentor", admin, R"({"mentor":true})");
    CHECK(refused.status == 409);
    CHECK(error_code_of(refused) == "not_certified");
    CHECK(error_code_of(api(s.ep(), "PUT", "/api/mentoring/card", plain_token, good_card("x").dump())) ==
          "not_a_mentor");
    CHECK(api(s.ep(), "PUT", "/api/admin/accounts/nobody/mentor", admin, R"({"mentor":true})").status == 404);
    CHECK(api(s.ep(), "PUT", "/api/admin/accounts/dr.plain/mentor", plain_token, R"({"mentor":true})").status == 403);

    auto token = certified_listener(s, s.ep(), "dr.ames");
    auto grant = api(s.ep(), "PUT", "/api/admin/accounts/dr.ames/mentor", admin, R"({"mentor":true})");
    REQUIRE(grant.status == 200);
    auto id = body_of(grant)["mentor_id"].get<std::string>();
    CHECK(id.size() == 32);

    // Before a card, nobody sees the mentor.
    CHECK(body_of(api(s.ep(), "GET", "/api/mentoring/mentors", ""))["mentors"].empty());

    auto bad_card = [&](json card, const std::string& why) {
        INFO(why);
        auto r = api(s.ep(), "PUT", "/api/mentoring/card", token, card.dump());
        CHECK(r.status == 400);
        CHECK(error_code_of(r) == "invalid_card");
    };
    auto c = good_card("Dr Ames");
    bad_card(with(c, "display_name", "Dr\u0007Ames"), "a control character");
    bad_card(with(c, "display_name", "Dr\u0085Ames"), "a C1 control character");
    bad_card(with(c, "display_name", std::string(81, 'a')), "a name over 80 characters");
    bad_card(with(c, "display_name", "  "), "an empty name");
    bad_card(with(c, "profile", std::string(1001, 'p')), "a profile over 1000 characters");
    bad_card(with(c, "areas", {"astrology"}), "an area not on the list");
    bad_card(with(c, "areas", {"wellbeing", "wellbeing"}), "an area twice");
    bad_card(with(c, "areas", json::array()), "no area");
    bad_card(with(c, "languages", json::array()), "no language");
    bad_card(with(c, "email", "a@b.c"), "an unknown member");
    // 1000 characters of three bytes each is within the limit (characters, not bytes).
    std::string long_profile;
    for (int i = 0; i < 1000; ++i) long_profile += "\u2014";
    REQUIRE(api(s.ep(), "PUT", "/api/mentoring/card", token, with(c, "profile", long_profile).dump())
                .status == 204);
    REQUIRE(api(s.ep(), "PUT", "/api/mentoring/card", token, c.dump()).status == 204);

    auto list = body_of(api(s.ep(), "GET", "/api/mentoring/mentors", ""));
    REQUIRE(list["mentors"].size() == 1);
    auto card = list["mentors"][0];
    CHECK(card["id"] == id);
    CHECK(card["display_name"] == "Dr Ames");
    CHECK(card["areas"] == json({"career-crossroads", "wellbeing"}));
    CHECK(card["certificate"].get<std::string>().size() > 100);
    CHECK(card.dump().find("dr.ames") == std::string::npos); // the username is not on the card
    CHECK(list["defaults"]["sessions"] == 4);
    CHECK(list["defaults"]["session_minutes"] == 120);
    CHECK(list["offer_hours"] == 72);

    // Revoked: off the list; granted again: the same id.
    REQUIRE(api(s.ep(), "PUT", "/api/admin/accounts/dr.ames/mentor", admin, R"({"mentor":false})").status == 204);
    CHECK(body_of(api(s.ep(), "GET", "/api/mentoring/mentors", ""))["mentors"].empty());
    CHECK(error_code_of(api(s.ep(), "GET", "/api/mentoring/me", token)) == "not_a_mentor");
    auto again = api(s.ep(), "PUT", "/api/admin/accounts/dr.ames/mentor", admin, R"({"mentor":true})");
    CHECK(body_of(again)["mentor_id"] == id);
}

TEST_CASE("availability is checked and turned into free times in the service's zone across a clock change",
          "[mentoring][availability]") {
    ts::temp_dir keys("peerline-mentoring-keys");
    peerline_stack s(with_flags(mentoring_flags(keys)));
    auto admin = login_token(s.ep(), new_admin(s, "boss"));
    auto m = new_mentor(s, s.ep(), admin, "dr.avail");
    auto bad = [&](json a, const std::string& why) {
        INFO(why);
        auto r = api(s.ep(), "PUT", "/api/mentoring/availability", m.token, a.dump());
        CHECK(r.status == 400);
        CHECK(error_code_of(r) == "invalid_availability");
    };
    bad({{"weekly", json::array()}}, "no one_off list");
    bad({{"weekly", {{{"weekday", 7}, {"start", "09:00"}, {"end", "10:00"}}}}, {"one_off", json::array()}}, "weekday 7");
    bad({{"weekly", {{{"weekday", 1}, {"start", "09:00"}, {"end", "09:00"}}}}, {"one_off", json::array()}},
        "start = end");
    bad({{"weekly", {{{"weekday", 1}, {"start", "9am"}, {"end", "10:00"}}}}, {"one_off", json::array()}}, "not HH:MM");
    bad({{"weekly", json::array()}, {"one_off", {{{"date", "2020-01-01"}, {"start", "09:00"}, {"end", "10:00"}}}}},
        "a one-off date in the past");
    json many = all_week();
    for (int i = 0; i < 22; ++i) many["weekly"].push_back({{"weekday", 1}, {"start", "09:00"}, {"end", "10:00"}});
    bad(many, "more than 28 weekly windows");

    // Every Sunday 10:00-12:00 London time: 10:00 UTC in winter, 09:00 UTC in summer.
    json sundays{{"weekly", {{{"weekday", 0}, {"start", "10:00"}, {"end", "12:00"}}}}, {"one_off", json::array()}};
    REQUIRE(api(s.ep(), "PUT", "/api/mentoring/availability", m.token, sundays.dump()).status == 204);
    CHECK(body_of(api(s.ep(), "GET", "/api/mentoring/me", m.token))["availability"] == sundays);
    auto gp = accepted_relationship(s.ep(), m);
    // 2027-03-21 and 2027-03-28 (the clocks go forward at 01:00 UTC on the 28th).
    long long from = 1805414400000LL; // 2027-03-19T00:00:00Z
    auto slots = body_of(gp_call(s.ep(), "GET",
                                 "/api/mentoring/relationship/slots?from_ms=" + std::to_string(from) +
                                     "&to_ms=" + std::to_string(from + 14 * day_ms),
                                 gp))["slots"];
    REQUIRE(slots.size() == 2);
    CHECK(slots[0]["start_ms"] == 1805623200000LL); // 2027-03-21T10:00:00Z (GMT)
    CHECK(slots[0]["end_ms"] == 1805630400000LL);
    CHECK(slots[1]["start_ms"] == 1806224400000LL); // 2027-03-28T09:00:00Z (BST)
    CHECK(error_code_of(gp_call(s.ep(), "GET", "/api/mentoring/relationship/slots?from_ms=1", gp)) ==
          "invalid_request");
}

TEST_CASE("a request passes down the GP's choices after a decline and after a timeout on the driven clock, "
          "each mentor seeing only their own note",
          "[mentoring][requests]") {
    ts::temp_dir keys("peerline-mentoring-keys");
    two_nodes n(mentoring_flags(keys));
    auto admin = login_token(n.a_ep(), new_admin(n.s, "boss"));
    auto first = new_mentor(n.s, n.a_ep(), admin, "dr.first");
    auto second = new_mentor(n.s, n.b_ep(), admin, "dr.second");
    auto third = new_mentor(n.s, n.a_ep(), admin, "dr.third");
    auto canary = "canary-" + ts::random_hex(8);
    auto gp = peerline::crypto::generate_token();
    json ask{{"choices",
              {{{"mentor_id", first.id}, {"note", opaque_note(canary + "-1")}},
               {{"mentor_id", second.id}, {"note", opaque_note(canary + "-2")}},
               {{"mentor_id", third.id}}}}};

    // Malformed requests store nothing.
    CHECK(error_code_of(gp_call(n.a_ep(), "POST", "/api/mentoring/requests", gp,
                                R"({"choices":[{"mentor_id":"00000000000000000000000000000000"}]})")) ==
          "unknown_mentor");
    json twice{{"choices", {{{"mentor_id", first.id}}, {{"mentor_id", first.id}}}}};
    CHECK(error_code_of(gp_call(n.a_ep(), "POST", "/api/mentoring/requests", gp, twice.dump())) == "invalid_request");
    json bad_note{{"choices", {{{"mentor_id", first.id}, {"note", std::string(9000, 'A')}}}}};
    CHECK(error_code_of(gp_call(n.a_ep(), "POST", "/api/mentoring/requests", gp, bad_note.dump())) ==
          "invalid_request");
    CHECK(gp_call(n.a_ep(), "GET", "/api/mentoring/relationship", gp).status == 404);

    REQUIRE(gp_call(n.a_ep(), "POST", "/api/mentoring/requests", gp, ask.dump()).status == 201);
    CHECK(error_code_of(gp_call(n.b_ep(), "POST", "/api/mentoring/requests", gp, ask.dump())) == "exists");
    auto state = body_of(gp_call(n.b_ep(), "GET", "/api/mentoring/relationship", gp));
    CHECK(state["state"] == "offered");
    CHECK(state["choice"] == 1);
    CHECK(state["choices"] == 3);

    // Only the mentor holding the request sees it, with their own note.
    auto held = body_of(api(n.b_ep(), "GET", "/api/mentoring/requests", first.token))["requests"];
    REQUIRE(held.size() == 1);
    CHECK(held[0]["note"] == opaque_note(canary + "-1"));
    CHECK(body_of(api(n.a_ep(), "GET", "/api/mentoring/requests", second.token))["requests"].empty());
    auto request_id = held[0]["request_id"].get<std::string>();
    // Another mentor cannot answer it.
    CHECK(error_code_of(api(n.a_ep(), "POST", "/api/mentoring/requests/" + request_id + "/accept", second.token)) ==
          "no_such_request");

    // A decline passes it on at once.
    REQUIRE(api(n.a_ep(), "POST", "/api/mentoring/requests/" + request_id + "/decline", first.token).status == 204);
    CHECK(error_code_of(api(n.a_ep(), "POST", "/api/mentoring/requests/" + request_id + "/accept", first.token)) ==
          "no_such_request");
    held = body_of(api(n.a_ep(), "GET", "/api/mentoring/requests", second.token))["requests"];
    REQUIRE(held.size() == 1);
    CHECK(held[0]["note"] == opaque_note(canary + "-2"));
    CHECK(body_of(gp_call(n.a_ep(), "GET", "/api/mentoring/relationship", gp))["choice"] == 2);
    {
        // The first mentor's note is gone from Redis; the second's is still there.
        ts::redis_connection redis(n.s.redis.port());
        auto notes = ts::dump_all(redis);
        std::size_t seen = 0;
        for (auto& e : notes)
            for (auto& v : e.values) seen += v == opaque_note(canary + "-1") ? 1 : 0;
        CHECK(seen == 0);
    }

    // Nobody answers for 72 hours (both nodes' clocks move; either may pass it on).
    move_clock(n.a_ep(), 73 * hour_ms);
    move_clock(n.b_ep(), 73 * hour_ms);
    CHECK(ts::eventually(
        [&] { return body_of(gp_call(n.b_ep(), "GET", "/api/mentoring/relationship", gp))["choice"] == 3; }, 10s));
    CHECK(body_of(api(n.b_ep(), "GET", "/api/mentoring/requests", second.token))["requests"].empty());
    auto last = held_request(n.b_ep(), third);
    REQUIRE(!last.empty());
    CHECK(!body_of(api(n.b_ep(), "GET", "/api/mentoring/requests", third.token))["requests"][0].contains("note"));

    // The last choice declines: the GP is told, and may ask again.
    REQUIRE(api(n.b_ep(), "POST", "/api/mentoring/requests/" + last + "/decline", third.token).status == 204);
    CHECK(body_of(gp_call(n.a_ep(), "GET", "/api/mentoring/relationship", gp))["state"] == "declined");

    // Nothing of the notes is left anywhere, in Redis or in the logs.
    ts::redis_connection redis(n.s.redis.port());
    for (auto& e : ts::dump_all(redis)) {
        INFO("key " << e.key);
        CHECK(e.key.rfind("{pl:m}:notes:", 0) != 0);
        for (auto& v : e.values) CHECK(v.find(opaque_note(canary + "-2").substr(0, 100)) == std::string::npos);
    }
    CHECK(ts::files_containing(n.s.dir.path(), canary).empty());

    json again{{"choices", {{{"mentor_id", second.id}}}}};
    REQUIRE(gp_call(n.a_ep(), "POST", "/api/mentoring/requests", gp, again.dump()).status == 201);
    auto id = held_request(n.a_ep(), second);
    auto accepted = api(n.a_ep(), "POST", "/api/mentoring/requests/" + id + "/accept", second.token);
    REQUIRE(accepted.status == 200);
    state = body_of(gp_call(n.b_ep(), "GET", "/api/mentoring/relationship", gp));
    CHECK(state["state"] == "active");
    CHECK(state["relationship_id"] == body_of(accepted)["relationship_id"]);
    CHECK(state["sessions_remaining"] == 4);
    CHECK(state["mentor"]["id"] == second.id);
    CHECK(state["plan"]["sessions"] == 4);
}

TEST_CASE("a guessed relationship token opens nothing, and guessing is rate-limited per address",
          "[mentoring][tokens]") {
    ts::temp_dir keys("peerline-mentoring-keys");
    peerline_stack s(with_flags(mentoring_flags(keys, {"--login-attempts-per-address", "3"})));
    auto admin = login_token(s.ep(), new_admin(s, "boss"));
    auto m = new_mentor(s, s.ep(), admin, "dr.tokens");
    auto real = accepted_relationship(s.ep(), m);
    REQUIRE(body_of(gp_call(s.ep(), "GET", "/api/mentoring/relationship", real))["state"] == "active");

    // A token one character off, then fresh guesses: nothing, then 429 for everyone from here.
    auto near = real;
    near[0] = near[0] == 'A' ? 'B' : 'A';
    auto miss = gp_call(s.ep(), "GET", "/api/mentoring/relationship", near);
    CHECK(miss.status == 404);
    CHECK(error_code_of(miss) == "unknown_relationship");
    CHECK(miss.body.find("relationship_id") == std::string::npos);
    CHECK(gp_call(s.ep(), "GET", "/api/mentoring/relationship/slots?from_ms=0&to_ms=1",
                  peerline::crypto::generate_token())
              .status == 404);
    CHECK(gp_call(s.ep(), "PUT", "/api/mentoring/relationship/bookings", peerline::crypto::generate_token(),
                  R"({"sessions":[]})")
              .status == 404);
    auto limited = gp_call(s.ep(), "GET", "/api/mentoring/relationship", real);
    CHECK(limited.status == 429);
    CHECK(error_code_of(limited) == "rate_limited");
    CHECK(gp_call(s.ep(), "GET", "/api/mentoring/relationship", "not-a-token").status == 429);
}

TEST_CASE("a GP books the whole series inside the mentor's availability, moves one and this-and-later, and "
          "cancels, never onto another booking of the mentor",
          "[mentoring][bookings]") {
    ts::temp_dir keys("peerline-mentoring-keys");
    peerline_stack s(with_flags(mentoring_flags(keys)));
    auto admin = login_token(s.ep(), new_admin(s, "boss"));
    auto m = new_mentor(s, s.ep(), admin, "dr.book");
    auto gp = accepted_relationship(s.ep(), m);
    auto other = accepted_relationship(s.ep(), m);
    auto now = wall_ms();
    auto series = series_after(s.ep(), gp, now + day_ms);

    auto put = [&](const std::string& token, const json& sessions) {
        json body{{"sessions", sessions}};
        return gp_call(s.ep(), "PUT", "/api/mentoring/relationship/bookings", token, body.dump());
    };
    // Broken series are refused whole.
    auto three = json(series);
    three.erase(3);
    CHECK(error_code_of(put(gp, three)) == "invalid_series");
    auto too_close = json(series);
    too_close[1]["start_ms"] = series[0]["start_ms"].get<long long>() + day_ms;
    too_close[1]["end_ms"] = too_close[1]["start_ms"].get<long long>() + 2 * hour_ms;
    CHECK(error_code_of(put(gp, too_close)) == "invalid_series");
    auto too_long = json(series);
    too_long[0]["end_ms"] = series[0]["end_ms"].get<long long>() + hour_ms;
    CHECK(error_code_of(put(gp, too_long)) == "invalid_series");
    auto outside = json(series);
    auto evening = series[0]["start_ms"].get<long long>() / day_ms * day_ms + 22 * hour_ms;
    outside[0] = {{"start_ms", evening}, {"end_ms", evening + 2 * hour_ms}};
    CHECK(error_code_of(put(gp, outside)) == "not_available");
    auto past = json(series);
    past[0] = {{"start_ms", now - 30 * day_ms}, {"end_ms", now - 30 * day_ms + 2 * hour_ms}};
    CHECK(error_code_of(put(gp, past)) == "invalid_series");

    auto booked = put(gp, series);
    REQUIRE(booked.status == 200);
    auto bookings = body_of(booked)["bookings"];
    REQUIRE(bookings.size() == 4);
    CHECK(bookings[0]["number"] == 1);
    CHECK(bookings[3]["revision"] == 0);
    auto state = body_of(gp_call(s.ep(), "GET", "/api/mentoring/relationship", gp));
    CHECK(state["sessions_remaining"] == 0);
    CHECK(error_code_of(put(gp, series)) == "invalid_series"); // all booked already

    // The other mentee cannot take any of those times (overlapping by an hour, or exactly).
    auto clash = series_after(s.ep(), other, now + 200 * day_ms);
    clash[0] = {{"start_ms", series[0]["start_ms"].get<long long>() + hour_ms},
                {"end_ms", series[0]["start_ms"].get<long long>() + 3 * hour_ms}};
    CHECK(error_code_of(put(other, clash)) == "slot_taken");
    clash[0] = series[0];
    auto taken = put(other, clash);
    CHECK(taken.status == 409);
    CHECK(error_code_of(taken) == "slot_taken");
    CHECK(body_of(gp_call(s.ep(), "GET", "/api/mentoring/relationship", other))["bookings"].empty());
    // The free slots no longer list the booked time.
    auto from = series[0]["start_ms"].get<long long>();
    auto slots = body_of(gp_call(s.ep(), "GET",
                                 "/api/mentoring/relationship/slots?from_ms=" + std::to_string(from) +
                                     "&to_ms=" + std::to_string(from + 2 * hour_ms),
                                 other))["slots"];
    CHECK(slots.empty());

    // Move session 2 by a day ("this one").
    auto moved_start = series[1]["start_ms"].get<long long>() + day_ms;
    json one{{"from", 2}, {"sessions", {{{"start_ms", moved_start}, {"end_ms", moved_start + 2 * hour_ms}}}}};
    auto moved = gp_call(s.ep(), "POST", "/api/mentoring/relationship/bookings/move", gp, one.dump());
    REQUIRE(moved.status == 200);
    CHECK(body_of(moved)["bookings"][1]["start_ms"] == moved_start);
    CHECK(body_of(moved)["bookings"][1]["revision"] == 1);
    CHECK(body_of(moved)["bookings"][2]["revision"] == 0);
    // The old time of session 2 is free again: the other mentee may book it.
    auto freed = series_after(s.ep(), other, now + 200 * day_ms);
    freed[0] = series[1];
    auto later_ones = json::array();
    // Its series must keep its own gaps: three more after it.
    later_ones.push_back(freed[0]);
    auto t = series[1]["start_ms"].get<long long>();
    for (int i = 1; i < 4; ++i) {
        t += 20 * day_ms;
        later_ones.push_back({{"start_ms", t}, {"end_ms", t + 2 * hour_ms}});
    }
    auto others = put(other, later_ones);
    CHECK(others.status == 200);

    // Move "this and all later" from session 3: two new times (clear of the other mentee's).
    auto t3 = series[3]["start_ms"].get<long long>() + 25 * day_ms;
    auto t4 = t3 + 25 * day_ms;
    json rest{{"from", 3},
              {"sessions",
               {{{"start_ms", t3}, {"end_ms", t3 + 2 * hour_ms}}, {{"start_ms", t4}, {"end_ms", t4 + 2 * hour_ms}}}}};
    auto shifted = gp_call(s.ep(), "POST", "/api/mentoring/relationship/bookings/move", gp, rest.dump());
    REQUIRE(shifted.status == 200);
    CHECK(body_of(shifted)["bookings"][2]["start_ms"] == t3);
    CHECK(body_of(shifted)["bookings"][3]["start_ms"] == t4);
    CHECK(body_of(shifted)["bookings"][3]["revision"] == 1);
    CHECK(body_of(shifted)["bookings"][1]["revision"] == 1);
    // Onto the other mentee's session: refused whole.
    json onto{{"from", 3}, {"sessions", {later_ones[2], later_ones[3]}}};
    CHECK(error_code_of(gp_call(s.ep(), "POST", "/api/mentoring/relationship/bookings/move", gp, onto.dump())) ==
          "slot_taken");
    json unknown{{"from", 9}, {"sessions", {{{"start_ms", t3}, {"end_ms", t3 + 2 * hour_ms}}}}};
    CHECK(error_code_of(gp_call(s.ep(), "POST", "/api/mentoring/relationship/bookings/move", gp, unknown.dump())) ==
          "no_such_session");

    // Cancel from session 3 on: two sessions to book again.
    REQUIRE(gp_call(s.ep(), "DELETE", "/api/mentoring/relationship/bookings/3", gp).status == 204);
    state = body_of(gp_call(s.ep(), "GET", "/api/mentoring/relationship", gp));
    CHECK(state["bookings"].size() == 2);
    CHECK(state["sessions_remaining"] == 2);

    // The mentor sees both mentees' bookings, under relationship ids only.
    auto rels = body_of(api(s.ep(), "GET", "/api/mentoring/relationships", m.token))["relationships"];
    CHECK(rels.size() == 2);

    // Once session 1 has started (the clock moves past it), it cannot move.
    move_clock(s.ep(), series[0]["start_ms"].get<long long>() - now + 60'000);
    json first{{"from", 1}, {"sessions", {series[0]}}};
    CHECK(error_code_of(gp_call(s.ep(), "POST", "/api/mentoring/relationship/bookings/move", gp, first.dump())) ==
          "already_started");
}

TEST_CASE("GPs on two nodes racing for the same time of one mentor: exactly one gets it", "[mentoring][concurrency]") {
    ts::temp_dir keys("peerline-mentoring-keys");
    two_nodes n(mentoring_flags(keys));
    auto admin = login_token(n.a_ep(), new_admin(n.s, "boss"));
    auto m = new_mentor(n.s, n.a_ep(), admin, "dr.race");
    constexpr int racers = 8;
    std::vector<std::string> gps;
    for (int i = 0; i < racers; ++i) gps.push_back(accepted_relationship(i % 2 ? n.b_ep() : n.a_ep(), m));
    auto series = series_after(n.a_ep(), gps[0], wall_ms() + day_ms);
    json body{{"sessions", series}};
    auto text = body.dump();

    for (int round = 0; round < 3; ++round) {
        std::atomic<int> ready{0};
        std::atomic<bool> go{false};
        std::vector<int> status(racers, 0);
        std::vector<std::thread> threads;
        for (int i = 0; i < racers; ++i)
            threads.emplace_back([&, i] {
                ++ready;
                while (!go) std::this_thread::yield();
                status[i] = gp_call(i % 2 ? n.b_ep() : n.a_ep(), "PUT", "/api/mentoring/relationship/bookings", gps[i],
                                    text)
                                .status;
            });
        while (ready < racers) std::this_thread::yield();
        go = true;
        for (auto& t : threads) t.join();
        int winners = 0, refused = 0, winner = -1;
        for (int i = 0; i < racers; ++i) {
            if (status[i] == 200) ++winners, winner = i;
            if (status[i] == 409) ++refused;
        }
        CHECK(winners == 1);
        CHECK(refused == racers - 1);
        ts::redis_connection redis(n.s.redis.port());
        CHECK(redis_integer(n.s, {"ZCARD", "{pl:m}:booked:" + m.id}) == 4);
        // The winner cancels: the time is free for the next round.
        REQUIRE(winner >= 0);
        REQUIRE(gp_call(n.a_ep(), "DELETE", "/api/mentoring/relationship/bookings/1", gps[winner]).status == 204);
        CHECK(redis_integer(n.s, {"ZCARD", "{pl:m}:booked:" + m.id}) == 0);
    }
}

TEST_CASE("after the last session the GP answers the outcome once, counted, and a mentor ending early frees the "
          "later times and only the reason is counted",
          "[mentoring][outcome]") {
    ts::temp_dir keys("peerline-mentoring-keys");
    peerline_stack s(with_flags(mentoring_flags(keys)));
    auto admin = login_token(s.ep(), new_admin(s, "boss"));
    auto m = new_mentor(s, s.ep(), admin, "dr.outcome");
    auto gp = accepted_relationship(s.ep(), m);
    auto early = accepted_relationship(s.ep(), m);
    auto now = wall_ms();
    auto series = series_after(s.ep(), gp, now + day_ms);
    json book{{"sessions", series}};
    REQUIRE(gp_call(s.ep(), "PUT", "/api/mentoring/relationship/bookings", gp, book.dump()).status == 200);
    json book_early{{"sessions", series_after(s.ep(), early, now + day_ms)}};
    REQUIRE(gp_call(s.ep(), "PUT", "/api/mentoring/relationship/bookings", early, book_early.dump()).status == 200);
    CHECK(redis_integer(s, {"ZCARD", "{pl:m}:booked:" + m.id}) == 8);

    auto answer = [&](const std::string& token, const std::string& outcome) {
        json body{{"outcome", outcome}};
        return gp_call(s.ep(), "POST", "/api/mentoring/relationship/outcome", token, body.dump());
    };
    // Not before the last session.
    CHECK(error_code_of(answer(gp, "stayed_in_practice")) == "not_expected");
    CHECK(body_of(gp_call(s.ep(), "GET", "/api/mentoring/relationship", gp))["outcome_due"] == false);

    // The mentor ends the other relationship before any session: its four times are free again.
    auto early_id = body_of(gp_call(s.ep(), "GET", "/api/mentoring/relationship", early))["relationship_id"];
    CHECK(error_code_of(api(s.ep(), "POST", "/api/mentoring/relationships/" + early_id.get<std::string>() + "/end",
                            m.token, R"({"reason":"bored"})")) == "invalid_request");
    REQUIRE(api(s.ep(), "POST", "/api/mentoring/relationships/" + early_id.get<std::string>() + "/end", m.token,
                R"({"reason":"referred_on"})")
                .status == 204);
    CHECK(body_of(gp_call(s.ep(), "GET", "/api/mentoring/relationship", early))["state"] == "ended");
    CHECK(redis_integer(s, {"ZCARD", "{pl:m}:booked:" + m.id}) == 4);
    CHECK(error_code_of(answer(early, "left")) == "not_expected"); // no session was held
    CHECK(api(s.ep(), "POST", "/api/mentoring/relationships/" + early_id.get<std::string>() + "/end", m.token,
              R"({"reason":"other"})")
              .status == 404);

    // After the last session (the clock moves past it): once.
    move_clock(s.ep(), series[3]["end_ms"].get<long long>() - now + hour_ms);
    CHECK(body_of(gp_call(s.ep(), "GET", "/api/mentoring/relationship", gp))["outcome_due"] == true);
    CHECK(error_code_of(answer(gp, "happy")) == "invalid_request");
    CHECK(answer(gp, "stayed_in_practice").status == 204);
    CHECK(error_code_of(answer(gp, "left")) == "not_expected");
    CHECK(body_of(gp_call(s.ep(), "GET", "/api/mentoring/relationship", gp))["outcome_due"] == false);

    auto stats = body_of(api(s.ep(), "GET", "/api/admin/mentoring", admin));
    CHECK(stats["series_completed"] == 1);
    CHECK(stats["counts"]["outcome_stayed_in_practice"] == 1);
    CHECK(!stats["counts"].contains("outcome_left"));
    CHECK(stats["counts"]["ended_early_referred_on"] == 1);
    CHECK(stats["counts"]["accepted"] == 2);
    CHECK(stats["mentors"][0]["active_relationships"] == 0);
    CHECK(stats.dump().find(gp) == std::string::npos);
}

TEST_CASE("a mentor who loses the capability: the mentee is told and asks another mentor, keeping the sessions "
          "not yet held",
          "[mentoring][mentor-gone]") {
    ts::temp_dir keys("peerline-mentoring-keys");
    peerline_stack s(with_flags(mentoring_flags(keys)));
    auto admin = login_token(s.ep(), new_admin(s, "boss"));
    auto m = new_mentor(s, s.ep(), admin, "dr.leaving");
    auto next = new_mentor(s, s.ep(), admin, "dr.next");
    auto gp = accepted_relationship(s.ep(), m);
    auto now = wall_ms();
    auto series = series_after(s.ep(), gp, now + day_ms);
    json book{{"sessions", series}};
    REQUIRE(gp_call(s.ep(), "PUT", "/api/mentoring/relationship/bookings", gp, book.dump()).status == 200);
    // The first session is held.
    move_clock(s.ep(), series[0]["end_ms"].get<long long>() - now + hour_ms);

    REQUIRE(api(s.ep(), "PUT", "/api/admin/accounts/dr.leaving/mentor", admin, R"({"mentor":false})").status == 204);
    auto state = body_of(gp_call(s.ep(), "GET", "/api/mentoring/relationship", gp));
    CHECK(state["state"] == "mentor_gone");
    CHECK(state["sessions_remaining"] == 3);
    CHECK(redis_integer(s, {"ZCARD", "{pl:m}:booked:" + m.id}) == 1); // only the session held

    json ask{{"choices", {{{"mentor_id", next.id}}}}};
    REQUIRE(gp_call(s.ep(), "POST", "/api/mentoring/requests", gp, ask.dump()).status == 201);
    auto id = held_request(s.ep(), next);
    REQUIRE(api(s.ep(), "POST", "/api/mentoring/requests/" + id + "/accept", next.token).status == 200);
    state = body_of(gp_call(s.ep(), "GET", "/api/mentoring/relationship", gp));
    CHECK(state["state"] == "active");
    CHECK(state["mentor"]["id"] == next.id);
    CHECK(state["sessions_remaining"] == 3);
}

TEST_CASE("a request with three notes of the largest size is taken (a 32 KiB body on that endpoint only)",
          "[mentoring][requests]") {
    ts::temp_dir keys("peerline-mentoring-keys");
    peerline_stack s(with_flags(mentoring_flags(keys)));
    auto admin = login_token(s.ep(), new_admin(s, "boss"));
    std::vector<mentor> mentors;
    for (auto name : {"dr.one", "dr.two", "dr.three"}) mentors.push_back(new_mentor(s, s.ep(), admin, name));
    json ask{{"choices", json::array()}};
    auto largest = peerline::crypto::to_base64url(std::string(6217, '\x5a')); // 8,290 characters
    REQUIRE(largest.size() == 8290);
    for (auto& m : mentors) ask["choices"].push_back({{"mentor_id", m.id}, {"note", largest}});
    REQUIRE(ask.dump().size() > 16 * 1024);
    auto made = gp_call(s.ep(), "POST", "/api/mentoring/requests", peerline::crypto::generate_token(), ask.dump());
    CHECK(made.status == 201);
    CHECK(body_of(api(s.ep(), "GET", "/api/mentoring/requests", mentors[0].token))["requests"][0]["note"] == largest);
    // Elsewhere the 16 KiB limit stands.
    auto other = api(s.ep(), "PUT", "/api/mentoring/card", mentors[0].token, std::string(17 * 1024, ' '));
    CHECK(other.status == 413);
}

namespace {

// The demo listener's password as `peerline serve --demo` prints it.
std::optional<std::string> printed_demo_password(const ts::server_process& server) {
    std::optional<std::string> pw;
    ts::eventually(
        [&] {
            auto out = server.stdout_text();
            auto block = out.find("username: demo-listener");
            if (block == std::string::npos) return false;
            auto at = out.find("password:", block);
            if (at == std::string::npos) return false;
            std::istringstream rest(out.substr(at + 9));
            std::string word;
            if (!(rest >> word)) return false;
            pw = word;
            return true;
        },
        5s);
    return pw;
}

} // namespace

TEST_CASE("in demo mode the demo listener is a mentor with a card and availability, listed once certified",
          "[mentoring][demo]") {
    ts::temp_dir keys("peerline-mentoring-keys");
    peerline_stack s(with_flags({"--demo", "--demo-org-key", (keys / "demo-root.key").string()}));
    auto password = printed_demo_password(*s.server);
    INFO("stdout:\n" << s.server->stdout_text());
    REQUIRE(password);
    auto token = login_token(s.ep(), account{"demo-listener", *password});

    // The capability, the card and the week are written once Redis answers.
    json me;
    ts::eventually(
        [&] {
            auto r = api(s.ep(), "GET", "/api/mentoring/me", token);
            if (r.status != 200) return false;
            me = body_of(r);
            return me.contains("card");
        },
        10s);
    REQUIRE(me.contains("card"));
    CHECK(me["card"]["display_name"] == "Dr Demo Mentor");
    CHECK(me["availability"]["weekly"].size() == 7);
    CHECK(me["availability"]["weekly"][0]["start"] == "09:00");

    // Not certified yet, so no GP sees the card.
    CHECK(body_of(api(s.ep(), "GET", "/api/mentoring/mentors", ""))["mentors"].empty());

    // Signing in from a device (the demo root certifies it at once) lists it.
    e2e::system_rng random;
    auto identity = e2e::generate_listener_identity(random);
    auto request = e2e::make_enrolment_request(identity, "demo-listener");
    REQUIRE(request);
    json enrol{{"enrolment_request", b64(e2e::encode(*request))}};
    REQUIRE(api(s.ep(), "PUT", "/api/listener/enrolment", token, enrol.dump()).status == 200);
    auto list = body_of(api(s.ep(), "GET", "/api/mentoring/mentors", ""));
    REQUIRE(list["mentors"].size() == 1);
    CHECK(list["mentors"][0]["display_name"] == "Dr Demo Mentor");
    CHECK(list["mentors"][0]["id"] == me["mentor_id"]);

    // A restart keeps the same mentor (one id for life) and the card.
    s.start_server(with_flags({"--demo", "--demo-org-key", (keys / "demo-root.key").string()}));
    auto again = printed_demo_password(*s.server);
    REQUIRE(again);
    auto token2 = login_token(s.ep(), account{"demo-listener", *again});
    ts::eventually([&] { return body_of(api(s.ep(), "GET", "/api/mentoring/me", token2)).contains("card"); }, 10s);
    CHECK(body_of(api(s.ep(), "GET", "/api/mentoring/me", token2))["mentor_id"] == me["mentor_id"]);
}
