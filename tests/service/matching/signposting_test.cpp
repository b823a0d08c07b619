// Signposting: a GP who cannot be answered (nobody on shift, the service
// closed, or waited past --max-wait-s) is told so, when the service is
// staffed next, and the 24/7 alternatives, and is not left in the queue.
#include "service_helpers.hpp"

#include "peerline/test_support/files.hpp"

using namespace peerline::service_tests;
using nlohmann::json;

namespace {

long long waiting_count(peerline_stack& s) { return redis_integer(s, {"ZCARD", "{pl:q}:waiting"}); }

// The GP is not in the queue: leave_queue is refused and Redis holds no request.
void check_not_queued(tc::ws_client& gp, peerline_stack& s) {
    gp.send_control(protocol::leave_queue{});
    auto e = gp.expect_error(protocol::error_code::invalid_state);
    CHECK(e.in_reply_to == "leave_queue");
    CHECK(waiting_count(s) == 0);
}

protocol::signposting ask(tc::ws_client& gp) {
    gp.send_control(protocol::request_chat{protocol::topic::career, false, std::nullopt});
    return gp.expect<protocol::signposting>();
}

} // namespace

TEST_CASE("a GP who asks when nobody is on shift is signposted instead of queued", "[signposting]") {
    peerline_stack s(with_flags({"--timezone", "UTC"}));
    auto gp = s.gp();

    auto sp = ask(gp);
    CHECK(sp.reason == protocol::signpost_reason::no_one_on_shift);
    CHECK_FALSE(sp.next_shift_start_ms.has_value()); // no shift is planned at all
    REQUIRE(sp.alternatives.size() == 3);            // the built-in UK list
    CHECK(sp.alternatives[0].name == "Samaritans");
    for (auto& a : sp.alternatives) {
        CHECK_FALSE(a.contact.empty());
        CHECK_FALSE(a.hours.empty());
    }
    check_not_queued(gp, s);

    // A shift tomorrow morning: the GP is told when it starts.
    auto l = new_listener_without_shift(s, "tomorrow-listener");
    auto now = wall_ms();
    auto r = s.admin.run({"add-shift", l.name, "--date", date_of(now + 86'400'000), "--start",
                          "09:00", "--end", "10:00"});
    REQUIRE(r.status.success());
    auto expected = next_utc_midnight_ms(now) + 9 * 3'600'000LL;
    std::optional<std::uint64_t> told;
    CHECK(ts::eventually(
        [&] {
            auto again = ask(gp);
            CHECK(again.reason == protocol::signpost_reason::no_one_on_shift);
            told = again.next_shift_start_ms;
            return told.has_value();
        },
        5s, 100ms));
    CHECK(told == static_cast<std::uint64_t>(expected));
    check_not_queued(gp, s);
}

TEST_CASE("a GP is told the service is closed on a closed day, and when it opens again",
          "[signposting][rota]") {
    peerline_stack s(with_flags({"--timezone", "UTC"}));
    auto admin = login_token(s.ep(), new_admin(s, "hours-admin"));
    auto listener = available_listener_at(s.ep(), s.new_listener("always-listener"));
    auto now = wall_ms();
    auto closed = api(s.ep(), "PUT", "/api/rota/hours", admin,
                      json{{"hours", json::object()}, {"closed_days", {date_of(now)}}}.dump());
    REQUIRE(closed.status == 204);

    auto gp = s.gp();
    auto sp = ask(gp);
    CHECK(sp.reason == protocol::signpost_reason::closed);
    CHECK(sp.next_shift_start_ms == static_cast<std::uint64_t>(next_utc_midnight_ms(now)));
    CHECK_FALSE(sp.alternatives.empty());
    check_not_queued(gp, s);
    // No offer for a request that was never queued (the listener may be told
    // their shift ended with the day's closing).
    for (auto& f : drain(listener, 300ms)) {
        INFO(f.raw);
        auto* a = std::get_if<protocol::availability_changed>(&f.message);
        REQUIRE(a != nullptr);
        CHECK(a->state == protocol::listener_state::away);
    }

    // A listener on an always-shift is not on shift on a closed day.
    CHECK(try_available(listener) == "not_on_shift");
    auto rota = api(s.ep(), "GET", "/api/rota", admin).json();
    CHECK(rota["open_now"] == false);
    CHECK(rota["staffed_now"] == false);

    // Reopened: the GP is queued and offered.
    REQUIRE(api(s.ep(), "PUT", "/api/rota/hours", admin, R"({"hours":{},"closed_days":[]})").status ==
            204);
    gp.send_control(protocol::request_chat{protocol::topic::career, false, std::nullopt});
    CHECK(gp.expect<protocol::queued>().position == 1);
}

TEST_CASE("opening hours that exclude now close the service until they begin",
          "[signposting][rota]") {
    peerline_stack s(with_flags({"--timezone", "UTC"}));
    auto admin = login_token(s.ep(), new_admin(s, "hours-admin"));
    auto l = s.new_listener("always-listener");
    auto ws = listener_session(s.ep(), l);
    const long long hour = 3'600'000;
    auto before = wall_ms();
    // Open one hour a day, starting two whole hours from now.
    auto h = (before / hour + 2) % 24;
    char range[16];
    std::snprintf(range, sizeof range, "%02lld:00-%02lld:00", h, h + 1);
    json hours = json::object();
    for (int d = 0; d < 7; ++d) hours[std::to_string(d)] = range;
    REQUIRE(api(s.ep(), "PUT", "/api/rota/hours", admin,
                json{{"hours", hours}, {"closed_days", json::array()}}.dump())
                .status == 204);

    auto gp = s.gp();
    auto sp = ask(gp);
    auto after = wall_ms();
    CHECK(sp.reason == protocol::signpost_reason::closed);
    REQUIRE(sp.next_shift_start_ms.has_value());
    auto next = static_cast<long long>(*sp.next_shift_start_ms);
    // The opening is two hours after the start of the hour we are in (read
    // before and after, in case the hour turned meanwhile).
    CHECK((next == (before / hour + 2) * hour || next == (after / hour + 2) * hour));
    check_not_queued(gp, s);
    CHECK(try_available(ws) == "not_on_shift");
}

TEST_CASE("a GP waiting longer than --max-wait-s is signposted and leaves the queue",
          "[signposting]") {
    peerline_stack s(with_flags({"--max-wait-s", "2"}));
    auto l = s.new_listener("on-shift-not-available");
    auto listener = listener_session(s.ep(), l);
    auto gp = s.gp();
    auto asked = std::chrono::steady_clock::now();
    CHECK(request_and_queue(gp) == 1);
    CHECK(waiting_count(s) == 1);

    auto sp = expect_skipping_queued<protocol::signposting>(gp, 8s);
    auto waited = std::chrono::steady_clock::now() - asked;
    CHECK(sp.reason == protocol::signpost_reason::max_wait);
    CHECK_FALSE(sp.alternatives.empty());
    CHECK(waited >= 1500ms);
    check_not_queued(gp, s);

    // Nothing is left to offer: a listener going available now hears nothing.
    CHECK(becomes_available(listener));
    listener.expect_nothing(1500ms);
    // The GP may ask again and is queued afresh.
    gp.send_control(protocol::request_chat{protocol::topic::career, false, std::nullopt});
    auto q = gp.expect<protocol::queued>();
    CHECK(q.position == 1);
}

TEST_CASE("the --signposting-file list replaces the built-in alternatives", "[signposting]") {
    ts::temp_dir files("peerline-signposting");
    auto path = files / "alternatives.json";
    ts::write_file(path, R"([
        {"name": "Practitioner Health", "contact": "0300 0303 300", "hours": "Mon-Fri 08:00-20:00"},
        {"name": "Night line", "contact": "Call 0800 000 000", "hours": "Every night 20:00-08:00"}
    ])");
    peerline_stack s(with_flags({"--signposting-file", path.string()}));
    auto gp = s.gp();
    auto sp = ask(gp);
    CHECK(sp.reason == protocol::signpost_reason::no_one_on_shift);
    std::vector<protocol::alternative> expected = {
        {"Practitioner Health", "0300 0303 300", "Mon-Fri 08:00-20:00"},
        {"Night line", "Call 0800 000 000", "Every night 20:00-08:00"}};
    CHECK(sp.alternatives == expected);
}

TEST_CASE("a malformed --signposting-file stops the server at start-up", "[signposting]") {
    peerline_stack s;
    auto path = s.dir / "bad-alternatives.json";
    ts::write_file(path, R"([{"name": "No contact"}])");
    ts::spawn_options o;
    o.argv = {peerline_binary().string(), "serve", "--bind", "127.0.0.1", "--port", "0", "--redis",
              s.redis.url(), "--data-dir", (s.dir / "bad-data").string(), "--signposting-file",
              path.string()};
    o.stderr_file = s.dir / "bad-signposting.err";
    ts::child_process p(o);
    auto status = p.wait_for(10s);
    REQUIRE(status.has_value());
    CHECK_FALSE(status->success());
    CHECK(ts::read_file(s.dir / "bad-signposting.err").find("signposting") != std::string::npos);
}
