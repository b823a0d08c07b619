// Continuity: a GP's conversation_ended carries a code the GP may keep;
// presenting it asks for the same listener again, who is preferred for
// --continuity-preference-s before anyone else is offered the request.
#include "service_helpers.hpp"

#include <regex>

using namespace peerline::service_tests;

namespace {

// A conversation between `gp` and `listener` that the listener ends; returns
// the continuity code the GP is given.
std::string talk_and_keep_code(tc::ws_client& gp, tc::ws_client& listener) {
    auto c = begin_conversation(gp, listener);
    listener.send_control(protocol::end_conversation{c.listener_channel, protocol::end_reason::completed});
    expect_unordered(listener, {"conversation_ended", "availability"});
    auto ended = expect_skipping_queued<protocol::conversation_ended>(gp);
    CHECK(ended.channel == c.gp_channel);
    REQUIRE(ended.continuity_code.has_value());
    CHECK(std::regex_match(*ended.continuity_code, std::regex("[A-Za-z0-9_-]{1,64}")));
    return *ended.continuity_code;
}

} // namespace

TEST_CASE("a GP presenting a continuity code goes to the same listener even if another has been "
          "idle longer",
          "[continuity]") {
    peerline_stack s(with_flags({"--wrapup-s", "0"}));
    auto same = available_listener_at(s.ep(), s.new_listener("same-listener"));
    auto other = available_listener_at(s.ep(), s.new_listener("other-listener"));
    // The first conversation is with `same` (idle longer then); afterwards
    // `other` is the one idle longest.
    auto first_visit = s.gp();
    auto code = talk_and_keep_code(first_visit, same);
    first_visit.close();

    // Only the GP sees the code; the listener's conversation_ended had none
    // (checked by the decoder: listener frames were read above).
    auto returning = s.gp(); // a new anonymous session, as after closing the browser
    CHECK(request_and_queue(returning, false, code) == 1);
    auto o = expect_offer(same);
    other.expect_nothing(500ms);
    auto c = accept(same, o);
    CHECK(expect_skipping_queued<protocol::conversation_started>(returning).conversation_id ==
          c.conversation_id);

    // Without a code, the next GP goes to the longest idle, as usual.
    auto newcomer = s.gp();
    request_and_queue(newcomer);
    CHECK_FALSE(expect_offer(other).offer_id.empty());
}

TEST_CASE("a continuity code's listener is preferred only for --continuity-preference-s",
          "[continuity]") {
    peerline_stack s(with_flags({"--wrapup-s", "0", "--continuity-preference-s", "2"}));
    auto same_account = s.new_listener("preferred");
    auto same = available_listener_at(s.ep(), same_account);
    auto first_visit = s.gp();
    auto code = talk_and_keep_code(first_visit, same);

    // The preferred listener steps away; another is available.
    skip_availability(same);
    same.send_control(protocol::set_availability{protocol::availability::away});
    CHECK(same.expect<protocol::availability_changed>().state == protocol::listener_state::away);
    auto other = available_listener_at(s.ep(), s.new_listener("anyone"));

    auto returning = s.gp();
    auto asked = std::chrono::steady_clock::now();
    request_and_queue(returning, false, code);
    // Held for the preferred listener first...
    other.expect_nothing(1000ms);
    // ...then offered to anyone once the preference runs out.
    auto o = other.expect<protocol::offer>(5s);
    CHECK(std::chrono::steady_clock::now() - asked >= 1500ms);
    accept(other, o);
    CHECK(expect_skipping_queued<protocol::conversation_started>(returning).peer ==
          protocol::role::listener);
}

TEST_CASE("a continuity code does not hold up the GPs behind it", "[continuity]") {
    peerline_stack s(with_flags({"--wrapup-s", "0", "--continuity-preference-s", "60"}));
    auto same = available_listener_at(s.ep(), s.new_listener("preferred"));
    auto first_visit = s.gp();
    auto code = talk_and_keep_code(first_visit, same);
    skip_availability(same);
    same.send_control(protocol::set_availability{protocol::availability::away});
    CHECK(same.expect<protocol::availability_changed>().state == protocol::listener_state::away);

    auto returning = s.gp();
    CHECK(request_and_queue(returning, false, code) == 1);
    auto behind = s.gp();
    CHECK(request_and_queue(behind) == 2);
    auto other = available_listener_at(s.ep(), s.new_listener("anyone"));
    // The GP behind is served meanwhile; the returning GP keeps waiting for their listener.
    auto o = other.expect<protocol::offer>();
    auto c = accept(other, o);
    CHECK(expect_skipping_queued<protocol::conversation_started>(behind).conversation_id ==
          c.conversation_id);
    // When the preferred listener comes back, they are offered the returning GP.
    CHECK(becomes_available(same));
    auto back = expect_offer(same);
    accept(same, back);
    CHECK(expect_skipping_queued<protocol::conversation_started>(returning).peer ==
          protocol::role::listener);
}

TEST_CASE("an unknown continuity code just means anyone", "[continuity]") {
    peerline_stack s;
    auto listener = available_listener_at(s.ep(), s.new_listener("anyone"));
    auto gp = s.gp();
    CHECK(request_and_queue(gp, false, std::string("no-such-code-0123456789")) == 1);
    auto o = listener.expect<protocol::offer>();
    accept(listener, o);
    CHECK(expect_skipping_queued<protocol::conversation_started>(gp).peer == protocol::role::listener);
}
