// A waiting GP sees their place, pushed whenever it changes, and an estimate
// of the wait only when there is data for one.
#include "service_helpers.hpp"

#include <thread>

using namespace peerline::service_tests;

TEST_CASE("a waiting GP is pushed their new position when the GP ahead leaves", "[positions]") {
    peerline_stack s;
    auto listener = listener_session(s.ep(), s.new_listener("on-shift-away")); // staffed, away
    auto first = s.gp();
    auto second = s.gp();
    auto third = s.gp();

    first.send_control(protocol::request_chat{protocol::topic::personal, false, std::nullopt});
    auto q1 = first.expect<protocol::queued>();
    CHECK(q1.position == 1);
    CHECK_FALSE(q1.estimated_wait_s.has_value()); // no data: no guess
    second.send_control(protocol::request_chat{std::nullopt, false, std::nullopt});
    auto q2 = second.expect<protocol::queued>();
    CHECK(q2.position == 2);
    CHECK_FALSE(q2.estimated_wait_s.has_value());
    CHECK(request_and_queue(third) == 3);

    first.send_control(protocol::leave_queue{});
    expect_skipping_queued<protocol::left_queue>(first);
    // Pushed without asking.
    CHECK(pushed_position(second, 1));
    CHECK(pushed_position(third, 2));
    first.expect_nothing(300ms); // out of the queue: no more updates

    // Leaving twice is refused; the second GP leaves too.
    first.send_control(protocol::leave_queue{});
    first.expect_error(protocol::error_code::invalid_state);
    second.send_control(protocol::leave_queue{});
    expect_skipping_queued<protocol::left_queue>(second);
    CHECK(pushed_position(third, 1));
    // And asking twice while waiting is refused.
    third.send_control(protocol::request_chat{std::nullopt, false, std::nullopt});
    CHECK(expect_skipping_queued<protocol::error_message>(third).err.code ==
          protocol::error_code::invalid_state);
}

TEST_CASE("with recent matches a waiting GP is given an estimated wait", "[positions]") {
    peerline_stack s(with_flags({"--wrapup-s", "0"}));
    auto listener = available_listener_at(s.ep(), s.new_listener("estimates"));
    // Three conversations in the last hour: enough data for an estimate.
    for (int i = 0; i < 3; ++i) {
        auto gp = s.gp();
        auto c = begin_conversation(gp, listener);
        gp.send_control(protocol::end_conversation{c.gp_channel, std::nullopt});
        expect_unordered(listener, {"conversation_ended", "availability"});
        skip_availability(listener);
    }
    listener.send_control(protocol::set_availability{protocol::availability::away});
    listener.expect<protocol::availability_changed>();

    auto first = s.gp();
    auto second = s.gp();
    // The first `queued` a GP hears already carries the estimate.
    auto estimate_of = [](tc::ws_client& gp) {
        gp.send_control(protocol::request_chat{protocol::topic::workload, false, std::nullopt});
        return gp.expect<protocol::queued>().estimated_wait_s;
    };
    auto e1 = estimate_of(first);
    auto e2 = estimate_of(second);
    REQUIRE(e1.has_value());
    REQUIRE(e2.has_value());
    CHECK(*e1 > 0);
    CHECK(*e2 >= *e1); // further back, no shorter a wait
    CHECK(*e1 % 30 == 0); // whole half-minutes, no false precision
}

namespace {
// Script calls Redis has run so far (every domain script runs with EVALSHA).
long long script_calls(peerline_stack& s) {
    peerline::test_support::redis_connection r(s.redis.port());
    auto info = r.command({"INFO", "commandstats"});
    for (auto& text : info) {
        auto at = text.find("cmdstat_evalsha:calls=");
        if (at != std::string::npos) return std::stoll(text.substr(at + 22));
    }
    return 0;
}

// `n` GPs queued in order (positions 1..n), once the refreshes their joins
// caused have settled and the 2 s quiet gap of those further back has run out.
std::vector<tc::ws_client> queued_gps(peerline_stack& s, std::uint32_t n) {
    std::vector<tc::ws_client> gps;
    for (std::uint32_t i = 1; i <= n; ++i) {
        gps.push_back(s.gp());
        REQUIRE(request_and_queue(gps.back()) == i);
    }
    std::this_thread::sleep_for(2500ms);
    return gps;
}
} // namespace

TEST_CASE("a node asks Redis for all its waiting GPs' positions in one call, not one per GP",
          "[positions]") {
    peerline_stack s;
    auto listener = listener_session(s.ep(), s.new_listener("one-call-away")); // staffed, away
    constexpr std::uint32_t waiting = 30;
    auto gps = queued_gps(s, waiting);
    for (auto& gp : gps) gp.expect_nothing(10ms); // nobody moved: nothing to say

    auto before = script_calls(s);
    gps.front().send_control(protocol::leave_queue{});
    expect_skipping_queued<protocol::left_queue>(gps.front());
    // Near the front, every move is told at once.
    for (std::uint32_t i = 1; i <= 10; ++i) CHECK(pushed_position(gps[i], i));
    auto used = script_calls(s) - before;
    // The leave, the matcher's look for a listener and one position call for
    // all 29 who moved up (the matcher's once-a-second housekeeping may add
    // up to three); one call per GP would be 29 or more.
    CHECK(used <= 8);
    CHECK(used >= 2); // the leave and the positions: the count is really read
    // Further back the new place follows too (within the quiet gap).
    for (std::uint32_t i = 11; i < waiting; ++i) CHECK(pushed_position(gps[i], i, 5s));
}

TEST_CASE("GPs far back in a moving queue hear their place at most every two seconds, and the latest one",
          "[positions]") {
    peerline_stack s;
    auto listener = listener_session(s.ep(), s.new_listener("quiet-gap-away")); // staffed, away
    auto gps = queued_gps(s, 16);
    auto& last = gps.back(); // position 16: outside the front ten
    last.expect_nothing(10ms);
    // Three GPs ahead leave one after another, each a queue change of its own.
    for (int i = 0; i < 3; ++i) {
        gps[static_cast<std::size_t>(i)].send_control(protocol::leave_queue{});
        expect_skipping_queued<protocol::left_queue>(gps[static_cast<std::size_t>(i)]);
        std::this_thread::sleep_for(300ms); // past the 200 ms coalescing of queue changes
    }
    // The first change is told at once (15); the next two come as one, the latest place.
    std::vector<std::uint32_t> heard;
    for (int i = 0; i < 3; ++i) {
        auto in = last.next_message(4s);
        if (std::holds_alternative<tc::timed_out>(in)) break;
        auto* c = std::get_if<tc::control_frame>(&in);
        auto* q = c ? std::get_if<protocol::queued>(&c->message) : nullptr;
        REQUIRE(q != nullptr);
        heard.push_back(q->position);
        if (q->position == 13) break;
    }
    REQUIRE_FALSE(heard.empty());
    CHECK(heard.front() == 15);
    CHECK(heard.back() == 13);
    CHECK(heard.size() == 2); // not 15, 14, 13
}
