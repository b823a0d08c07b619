// Restarting a node loses nothing that was waiting: the queue is in Redis,
// and a GP who resumes within --resume-grace-s after the node comes back
// (same --node-id) keeps their place.
#include "queue_helpers.hpp"

#include <csignal>

using namespace peerline::queue_tests;

TEST_CASE("a waiting GP's place survives a node restart when it resumes within the grace period",
          "[restart][resume]") {
    auto opts = with_flags({"--node-id", "restarting", "--resume-grace-s", "15"});
    peerline_stack s(opts);
    auto account = s.new_listener("after-restart");
    std::string first_token, second_token;
    auto first = s.gp(&first_token);
    CHECK(request_and_queue(first) == 1);
    auto second = s.gp(&second_token);
    CHECK(request_and_queue(second) == 2);

    // SIGTERM: the node tells every client to come back, and they close as
    // a browser would (answering the close handshake) while it shuts down.
    s.server->send_signal(SIGTERM);
    for (auto* gp : {&first, &second}) {
        auto notice = expect_skipping_queued<protocol::shutdown_notice>(*gp);
        CHECK(notice.retry_after_ms > 0);
        gp->expect_closed();
    }
    auto stopped = s.server->wait_for_exit(15s);
    REQUIRE(stopped.has_value());
    CHECK(stopped->success());
    CHECK(redis_integer(s, {"ZCARD", "{pl:q}:waiting"}) == 2);

    s.start_server(opts);
    // Back in the opposite order: places are by arrival, not by return.
    auto second_back = reconnect(s.ep(), second_token);
    CHECK(second_back.expect<protocol::queued>().position == 2);
    auto first_back = reconnect(s.ep(), first_token);
    CHECK(first_back.expect<protocol::queued>().position == 1);

    auto listener = available_listener_at(s.ep(), account);
    auto o = listener.expect<protocol::offer>();
    auto c = accept(listener, o);
    CHECK(expect_skipping_queued<protocol::conversation_started>(first_back).conversation_id ==
          c.conversation_id);
    CHECK(pushed_position(second_back, 1));
}
