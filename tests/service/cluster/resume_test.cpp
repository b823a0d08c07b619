// Resume: a client whose connection drops may come back with the same
// session token, on the same or another node, within --resume-grace-s, and
// keeps its place in the queue or its conversation; its partner is told
// "reconnecting" and "back". Nobody coming back ends it for the partner.
#include "service_helpers.hpp"

using namespace peerline::service_tests;

TEST_CASE("a waiting GP who drops and reconnects with the same token keeps their place",
          "[resume]") {
    two_nodes n({"--resume-grace-s", "10"});
    auto listener = listener_session(n.a_ep(), n.s.new_listener("resume-listener")); // away
    std::string token;
    auto gp = gp_at(n.a_ep(), &token);
    CHECK(request_and_queue(gp) == 1);
    auto behind = gp_at(n.a_ep());
    CHECK(request_and_queue(behind) == 2);

    gp.close();
    // The place is kept while the GP is away: the one behind stays second.
    for (auto& f : drain(behind, 700ms)) {
        INFO(f.raw);
        auto* q = std::get_if<protocol::queued>(&f.message);
        REQUIRE(q != nullptr);
        CHECK(q->position == 2);
    }
    CHECK(redis_integer(n.s, {"ZCARD", "{pl:q}:waiting"}) == 2);

    const tc::endpoint* back_to = nullptr;
    SECTION("back on the same node") { back_to = &n.a_ep(); }
    SECTION("back on the other node") { back_to = &n.b_ep(); }
    auto back = reconnect(*back_to, token);
    auto q = back.expect<protocol::queued>();
    CHECK(q.position == 1);

    // And is matched first when a listener becomes available.
    CHECK(becomes_available(listener));
    auto o = listener.expect<protocol::offer>();
    auto c = accept(listener, o);
    CHECK(expect_skipping_queued<protocol::conversation_started>(back).conversation_id ==
          c.conversation_id);
    CHECK(pushed_position(behind, 1));
}

TEST_CASE("a GP who drops mid-conversation resumes it, and the listener is told reconnecting "
          "then back",
          "[resume]") {
    two_nodes n({"--resume-grace-s", "10"});
    auto listener = available_listener_at(n.a_ep(), n.s.new_listener("resume-listener"));
    std::string token;
    auto gp = gp_at(n.a_ep(), &token);
    auto c = begin_conversation(gp, listener);
    relay_and_check(gp, c.gp_channel, listener, c.listener_channel, "before the drop");

    gp.close();
    auto away = listener.expect<protocol::partner_status>();
    CHECK(away.channel == c.listener_channel);
    CHECK(away.state == "reconnecting");

    const tc::endpoint* back_to = nullptr;
    SECTION("back on the same node") { back_to = &n.a_ep(); }
    SECTION("back on the other node") { back_to = &n.b_ep(); }
    auto back = reconnect(*back_to, token);
    auto started = back.expect<protocol::conversation_started>();
    CHECK(started.conversation_id == c.id);
    CHECK(started.peer == protocol::role::listener);
    CHECK(started.channel != 0);
    auto returned = listener.expect<protocol::partner_status>();
    CHECK(returned.channel == c.listener_channel);
    CHECK(returned.state == "back");

    relay_and_check(back, started.channel, listener, c.listener_channel, "after the drop, from the GP");
    relay_and_check(listener, c.listener_channel, back, started.channel,
                    "after the drop, from the listener");
    back.send_control(protocol::end_conversation{started.channel, std::nullopt});
    CHECK(expect_listener_ended(listener).by == protocol::ended_by::gp);
    CHECK(back.expect<protocol::conversation_ended>().continuity_code.has_value());
}

TEST_CASE("a listener who drops mid-conversation resumes it on another node", "[resume]") {
    two_nodes n({"--resume-grace-s", "10"});
    std::string token;
    auto l = n.s.new_listener("dropping-listener");
    auto listener = available_listener_at(n.a_ep(), l, &token);
    auto gp = gp_at(n.a_ep());
    auto c = begin_conversation(gp, listener);

    listener.close();
    auto away = expect_skipping_queued<protocol::partner_status>(gp);
    CHECK(away.channel == c.gp_channel);
    CHECK(away.state == "reconnecting");

    auto back = reconnect(n.b_ep(), token);
    auto started = back.expect<protocol::conversation_started>();
    CHECK(started.conversation_id == c.id);
    CHECK(started.peer == protocol::role::gp);
    auto returned = gp.expect<protocol::partner_status>();
    CHECK(returned.channel == c.gp_channel);
    CHECK(returned.state == "back");
    relay_and_check(gp, c.gp_channel, back, started.channel, "from the GP");
    relay_and_check(back, started.channel, gp, c.gp_channel, "from the listener");
    // Still at capacity: going available again says busy, and no offer comes.
    auto next = gp_at(n.a_ep());
    request_and_queue(next);
    CHECK(try_available(back) == "busy");
    back.expect_nothing(500ms);
}

TEST_CASE("a GP who does not come back within --resume-grace-s is ended for the listener",
          "[resume]") {
    peerline_stack s(with_flags({"--resume-grace-s", "2", "--wrapup-s", "1"}));
    auto listener = available_listener_at(s.ep(), s.new_listener("abandoned-listener"));
    std::string token;
    auto gp = s.gp(&token);
    auto c = begin_conversation(gp, listener);

    auto dropped = std::chrono::steady_clock::now();
    gp.close();
    CHECK(listener.expect<protocol::partner_status>().state == "reconnecting");
    auto got = expect_all(listener, {"conversation_ended", "availability"}, 8s);
    CHECK(std::chrono::steady_clock::now() - dropped <= 8s);
    auto ended = std::get<protocol::conversation_ended>(got["conversation_ended"]);
    CHECK(ended.channel == c.listener_channel);
    CHECK(ended.reason == protocol::end_reason::partner_disconnected);
    CHECK(ended.by == protocol::ended_by::server);
    CHECK(redis_integer(s, {"SCARD", "{pl:q}:convs"}) == 0);

    // Too late now: the same token starts afresh, with nothing to resume.
    auto late = reconnect(s.ep(), token);
    late.expect_nothing(500ms);
    // The listener is back in matching after the wrap-up.
    CHECK(expect_skipping_queued<protocol::availability_changed>(listener, 5s).state ==
          protocol::listener_state::available);
    CHECK(request_and_queue(late) == 1);
    CHECK_FALSE(listener.expect<protocol::offer>().offer_id.empty());
}

TEST_CASE("a waiting GP who does not come back within --resume-grace-s leaves the queue",
          "[resume]") {
    peerline_stack s(with_flags({"--resume-grace-s", "2"}));
    auto listener = listener_session(s.ep(), s.new_listener("away-listener"));
    auto gp = s.gp();
    CHECK(request_and_queue(gp) == 1);
    auto behind = s.gp();
    CHECK(request_and_queue(behind) == 2);
    gp.close();
    CHECK(pushed_position(behind, 1, 8s));
    CHECK(redis_integer(s, {"ZCARD", "{pl:q}:waiting"}) == 1);
}

TEST_CASE("a GP who drops while an offer is pending loses nothing by resuming",
          "[resume][offers]") {
    peerline_stack s(with_flags({"--resume-grace-s", "10", "--offer-timeout-ms", "10000"}));
    auto listener = available_listener_at(s.ep(), s.new_listener("pending-offer-listener"));
    std::string token;
    auto gp = s.gp(&token);
    request_and_queue(gp);
    auto o = listener.expect<protocol::offer>();
    gp.close();
    ts::redis_connection redis(s.redis.port());
    REQUIRE(ts::eventually([&] { return !redis.command({"KEYS", "{pl:q}:detached:*"}).empty(); },
                           5s));

    // The listener accepts (the GP is away just now); then the GP comes back.
    listener.send_control(protocol::accept_offer{o.offer_id});
    auto back = reconnect(s.ep(), token);

    // Whatever the server does with the pending offer, the GP must end up in a
    // conversation with this listener, and the listener must never be told
    // of a conversation it was not told had started.
    std::optional<std::string> gp_cid, listener_cid;
    std::vector<std::string> seen;
    ts::eventually(
        [&] {
            for (auto* ws : {&back, &listener}) {
                auto in = ws->next_message(50ms);
                auto* c = std::get_if<tc::control_frame>(&in);
                if (!c) continue;
                seen.push_back((ws == &back ? "gp: " : "listener: ") + c->raw);
                if (auto* st = std::get_if<protocol::conversation_started>(&c->message))
                    (ws == &back ? gp_cid : listener_cid) = st->conversation_id;
                if (auto* offer = std::get_if<protocol::offer>(&c->message))
                    listener.send_control(protocol::accept_offer{offer->offer_id});
                if (std::holds_alternative<protocol::conversation_ended>(c->message) && ws == &listener)
                    CHECK(listener_cid.has_value());
            }
            return gp_cid && listener_cid;
        },
        10s, 0ms);
    std::string transcript;
    for (auto& line : seen) transcript += line + "\n";
    INFO("what arrived:\n" << transcript);
    // No routing record may outlive the conversation it describes (it keeps
    // the listener at capacity, out of matching).
    CHECK(redis_integer(s, {"SCARD", "{pl:q}:convs"}) == (gp_cid && listener_cid ? 1 : 0));
    REQUIRE(gp_cid.has_value());
    REQUIRE(listener_cid.has_value());
    CHECK(*gp_cid == *listener_cid);
}
