// Several nodes sharing one Redis behave as one service: a GP on one node
// talks with a listener on another through Redis pub/sub (stored nowhere),
// positions and escalations cross nodes, and a node killed with SIGKILL is
// detected by the others, who end its conversations and drop its waiting GPs.
#include "service_helpers.hpp"

#include "peerline/protocol/node_messages.hpp"
#include "peerline/protocol/relay_frame.hpp"
#include "peerline/test_support/files.hpp"
#include "peerline/test_support/tcp_proxy.hpp"

#include <chrono>
#include <csignal>
#include <variant>

using namespace peerline::service_tests;

namespace {

// True once `node` has written a heartbeat into the node registry (a node
// that dies is detected by its silence there).
bool registered(peerline_stack& s, const std::string& node) {
    ts::redis_connection redis(s.redis.port());
    auto score = redis.command({"ZSCORE", "{pl:q}:nodes", node});
    return !score.empty() && std::stoll(score[0]) > 0;
}

void sigkill(ts::server_process& node) {
    node.send_signal(SIGKILL);
    REQUIRE(node.wait_for_exit(5s).has_value());
}

std::string every_byte() {
    std::string s;
    for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
    return s;
}

} // namespace

TEST_CASE("a GP on one node and a listener on another talk through Redis, which stores nothing of "
          "it",
          "[nodes]") {
    two_nodes n;
    auto listener = available_listener_at(n.b_ep(), n.s.new_listener("listener-on-b"));
    auto gp = gp_at(n.a_ep());
    auto c = begin_conversation(gp, listener);

    {
        ts::redis_connection redis(n.s.redis.port());
        auto sides = redis.command({"HMGET", "{pl:q}:conv:" + c.id, "gp_node", "l_node"});
        CHECK(sides == std::vector<std::string>{"a", "b"});
    }

    auto canary = "canary-" + ts::random_hex(16);
    relay_and_check(gp, c.gp_channel, listener, c.listener_channel, canary + "-from-the-gp");
    relay_and_check(listener, c.listener_channel, gp, c.gp_channel, canary + "-from-the-listener");
    relay_and_check(gp, c.gp_channel, listener, c.listener_channel, every_byte() + canary);
    relay_and_check(listener, c.listener_channel, gp, c.gp_channel, every_byte() + canary);
    // Frames to a channel the sender does not have go nowhere.
    gp.send_relay(static_cast<std::uint16_t>(c.gp_channel + 7), canary);
    CHECK(gp.expect_error(protocol::error_code::unknown_channel).in_reply_to == "relay");
    listener.expect_nothing(200ms);

    ts::redis_connection redis(n.s.redis.port());
    for (auto& e : ts::dump_all(redis)) {
        INFO("key " << e.key);
        CHECK(e.key.find(canary) == std::string::npos);
        for (auto& v : e.values) CHECK(v.find(canary) == std::string::npos);
    }
    CHECK(ts::files_containing(n.s.dir.path(), canary).empty());

    gp.send_control(protocol::end_conversation{c.gp_channel, std::nullopt});
    CHECK(expect_listener_ended(listener).by == protocol::ended_by::gp);
    CHECK(redis_integer(n.s, {"EXISTS", "{pl:q}:conv:" + c.id}) == 0);
}

TEST_CASE("relay frames cross nodes in one format, whole and in order, and the end of the "
          "conversation arrives after them",
          "[nodes]") {
    two_nodes n;
    auto listener = available_listener_at(n.b_ep(), n.s.new_listener("listener-on-b"));
    auto gp = gp_at(n.a_ep());
    auto c = begin_conversation(gp, listener);

    // Watches node b's channel the way b's subscriber does.
    ts::redis_connection watch(n.s.redis.port());
    REQUIRE(watch.command({"SUBSCRIBE", "pl:node:b"}).at(0) == "subscribe");

    // A lone frame (a batch of one), then a burst the sender's loop turns
    // gather into batches, then the end of the conversation.
    std::vector<std::string> sent{"alone"};
    relay_and_check(gp, c.gp_channel, listener, c.listener_channel, sent[0]);
    constexpr int burst = 300;
    for (int i = 0; i < burst; ++i) {
        sent.push_back("frame-" + std::to_string(i) + "-" + std::string(static_cast<std::size_t>(i % 97), 'x'));
        gp.send_relay(c.gp_channel, sent.back());
    }
    gp.send_control(protocol::end_conversation{c.gp_channel, std::nullopt});
    for (int i = 0; i < burst; ++i) {
        auto got = listener.expect_relay();
        INFO("frame " << i);
        CHECK(got.channel == c.listener_channel);
        REQUIRE(got.payload == sent[static_cast<std::size_t>(i) + 1]);
    }
    CHECK(expect_listener_ended(listener).by == protocol::ended_by::gp);

    // What crossed Redis: every relay message is a 'B' batch (no second
    // format for a batch of one), holding exactly the frames sent, in order,
    // with the listener's channel already written in; the end is an event.
    protocol::cluster::node_limits lim;
    std::vector<std::string> frames;
    std::vector<char> kinds;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    bool ended = false;
    while (!ended && std::chrono::steady_clock::now() < deadline) {
        // A subscribed connection answers PING in order with what it was
        // sent: each call returns the next message, or a pong.
        auto r = watch.command({"PING"});
        if (r.size() != 3 || r[0] != "message") continue;
        kinds.push_back(r[2].empty() ? '?' : r[2][0]);
        auto m = protocol::cluster::decode_node_message(r[2], lim);
        REQUIRE(m);
        if (auto* b = std::get_if<protocol::cluster::relay_batch>(&*m.value)) {
            for (auto& p : b->parts) frames.emplace_back(p.frame);
        } else if (std::get<protocol::cluster::addressed_event>(*m.value).event.index() ==
                   protocol::cluster::session_event(protocol::cluster::conversation_end{}).index()) {
            ended = true;
        }
    }
    CHECK(ended);
    for (char k : kinds) CHECK((k == 'B' || k == 'C'));
    REQUIRE(frames.size() == sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i)
        CHECK(frames[i] == protocol::make_relay_frame(c.listener_channel, sent[i]));
}

TEST_CASE("a node whose pub/sub connection stops delivering opens a new one and hears the other "
          "node again",
          "[nodes]") {
    // Node b reaches Redis through a proxy that can freeze a connection: a
    // half-open socket, where b sees a connected peer that says nothing.
    peerline_stack s(with_flags({"--node-id", "a"}));
    ts::tcp_proxy proxy(s.redis.port());
    ts::server_options so;
    so.binary = peerline_binary();
    so.dir = s.dir / "node-b";
    so.redis_url = "redis://127.0.0.1:" + std::to_string(proxy.port());
    so.extra_args = {"--node-id", "b"};
    ts::server_process b(so);

    auto listener = available_listener_at(b.endpoint(), s.new_listener("listener-on-b"));
    auto gp = gp_at(s.ep());
    auto c = begin_conversation(gp, listener);
    relay_and_check(gp, c.gp_channel, listener, c.listener_channel, "before the freeze");

    // b's subscriber (the one connection that sent SUBSCRIBE) goes silent.
    const std::string_view subscribed = "$9\r\nsubscribe\r\n"; // Redis confirming one SUBSCRIBE
    REQUIRE(proxy.live_where_target_sent(subscribed, 2) == 1); // the node and broadcast channels
    REQUIRE(proxy.freeze_where_client_sent("\r\nSUBSCRIBE\r\n") == 1);
    // b notices within its health timeout and subscribes again on a new
    // connection (before: it never did, and heard nothing from a again).
    CHECK(ts::eventually([&] { return proxy.live_where_target_sent(subscribed, 2) == 1; }, 20s));
    relay_and_check(gp, c.gp_channel, listener, c.listener_channel, "after the freeze");
    listener.send_control(protocol::end_conversation{c.listener_channel, std::nullopt});
    CHECK(expect_skipping_queued<protocol::conversation_ended>(gp).by == protocol::ended_by::listener);
}

TEST_CASE("positions and escalations reach GPs and supervisors on the other node", "[nodes]") {
    two_nodes n;
    auto supervisor = admin_session(n.a_ep(), login_token(n.a_ep(), new_admin(n.s, "supervisor-a")));
    auto l = n.s.new_listener("listener-on-b");
    auto listener = listener_session(n.b_ep(), l); // on shift, away for now
    auto on_a = gp_at(n.a_ep());
    auto on_b = gp_at(n.b_ep());
    CHECK(request_and_queue(on_a) == 1);
    CHECK(request_and_queue(on_b) == 2);
    on_a.send_control(protocol::leave_queue{});
    expect_skipping_queued<protocol::left_queue>(on_a);
    CHECK(pushed_position(on_b, 1));

    CHECK(becomes_available(listener));
    auto o = listener.expect<protocol::offer>();
    auto c = accept(listener, o);
    CHECK(expect_skipping_queued<protocol::conversation_started>(on_b).conversation_id ==
          c.conversation_id);
    listener.send_control(protocol::escalate{c.channel});
    CHECK(listener.expect<protocol::escalation_sent>().supervisors == 1);
    auto told = expect_skipping_live_stats<protocol::escalation>(supervisor);
    CHECK(told.listener == l.name);
    CHECK(told.conversation_id == c.conversation_id);
}

TEST_CASE("killing the listener's node ends the conversation for the GP on the other node and "
          "drops the killed node's waiting GPs",
          "[nodes][kill]") {
    two_nodes n({"--presence-timeout-s", "3", "--heartbeat-s", "1"});
    auto listener = available_listener_at(n.b_ep(), n.s.new_listener("listener-on-b"));
    auto gp = gp_at(n.a_ep());
    auto c = begin_conversation(gp, listener);
    // Two more GPs wait: the first on the node that dies, the second on the survivor.
    auto doomed = gp_at(n.b_ep());
    CHECK(request_and_queue(doomed) == 1);
    auto survivor = gp_at(n.a_ep());
    CHECK(request_and_queue(survivor) == 2);

    REQUIRE(ts::eventually([&] { return registered(n.s, "b"); }, 5s));
    auto killed = std::chrono::steady_clock::now();
    sigkill(*n.b);
    auto ended = expect_skipping_queued<protocol::conversation_ended>(gp, 12s);
    CHECK(std::chrono::steady_clock::now() - killed <= 12s);
    CHECK(ended.channel == c.gp_channel);
    CHECK(ended.reason == protocol::end_reason::partner_disconnected);
    CHECK(ended.by == protocol::ended_by::server);
    // The GP on the dead node is out of the queue; the survivor moves up.
    CHECK(pushed_position(survivor, 1, 8s));

    ts::redis_connection redis(n.s.redis.port());
    CHECK(redis.command({"ZSCORE", "{pl:q}:nodes", "b"}).empty());
    CHECK(redis_integer(n.s, {"SCARD", "{pl:q}:convs"}) == 0);
    CHECK(redis_integer(n.s, {"ZCARD", "{pl:q}:waiting"}) == 1);
    // The GP may ask again at once.
    CHECK(request_and_queue(gp) == 2);
}

TEST_CASE("killing the GP's node ends the conversation for the listener, who then takes offers "
          "again",
          "[nodes][kill]") {
    two_nodes n({"--presence-timeout-s", "3", "--heartbeat-s", "1", "--wrapup-s", "1"});
    auto listener = available_listener_at(n.a_ep(), n.s.new_listener("listener-on-a"));
    auto gp = gp_at(n.b_ep());
    auto c = begin_conversation(gp, listener);

    REQUIRE(ts::eventually([&] { return registered(n.s, "b"); }, 5s));
    sigkill(*n.b);
    auto got = expect_all(listener, {"conversation_ended", "availability"}, 12s);
    auto ended = std::get<protocol::conversation_ended>(got["conversation_ended"]);
    CHECK(ended.channel == c.listener_channel);
    CHECK(ended.reason == protocol::end_reason::partner_disconnected);
    CHECK(ended.by == protocol::ended_by::server);
    CHECK(std::get<protocol::availability_changed>(got["availability"]).state ==
          protocol::listener_state::wrapup);
    CHECK(listener.expect<protocol::availability_changed>(5s).state ==
          protocol::listener_state::available);

    // Back in matching: the next GP is offered to this listener.
    CHECK(redis_integer(n.s, {"ZCARD", "{pl:q}:available"}) == 1);
    auto next = gp_at(n.a_ep());
    CHECK(request_and_queue(next) == 1);
    auto o = listener.expect<protocol::offer>(5s);
    accept(listener, o);
    CHECK(expect_skipping_queued<protocol::conversation_started>(next).peer ==
          protocol::role::listener);
}

TEST_CASE("a node killed within a second of starting is still detected by the others",
          "[nodes][kill]") {
    // Clients come back to a node as soon as it restarts; if it dies again
    // at once, its conversations must still be ended for the other side.
    two_nodes n({"--presence-timeout-s", "3", "--heartbeat-s", "1"});
    auto listener = available_listener_at(n.a_ep(), n.s.new_listener("listener-on-a"));
    auto gp = gp_at(n.b_ep());
    auto c = begin_conversation(gp, listener);
    sigkill(*n.b); // before b's first heartbeat
    auto got = expect_all(listener, {"conversation_ended", "availability"}, 12s);
    auto ended = std::get<protocol::conversation_ended>(got["conversation_ended"]);
    CHECK(ended.channel == c.listener_channel);
    CHECK(ended.reason == protocol::end_reason::partner_disconnected);
    CHECK(redis_integer(n.s, {"SCARD", "{pl:q}:convs"}) == 0);
}
