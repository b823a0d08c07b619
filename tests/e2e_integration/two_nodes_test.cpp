// PSC-1 end to end through the real server, across two nodes: a GP's native
// client on node B and a certified listener's native client on node A, one
// shared Redis. They run the handshake and a conversation carrying a canary
// over relay frames; the canary must reach the other side and appear nowhere
// else — in no Redis key or value, in no command Redis executed (captured
// with MONITOR, which shows the pub/sub traffic between the nodes), in no
// server log and in no file of the test.
//
// Reuses the integration tests' fixture (tests/integration/fixture.hpp)
// without changing it.
#include "../integration/fixture.hpp"

#include "peerline/crypto/crypto.hpp"
#include "peerline/crypto/e2e.hpp"
#include "peerline/crypto/org.hpp"
#include "peerline/test_support/child_process.hpp"
#include "peerline/test_support/files.hpp"
#include "peerline/test_support/redis_query.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <thread>

using namespace peerline::integration;
namespace e2e = peerline::crypto::e2e;
namespace org = peerline::crypto::org;
namespace protocol = peerline::protocol;

namespace {

std::string_view as_text(const e2e::bytes& b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

e2e::byte_view as_bytes(const std::string& s) { return {reinterpret_cast<const e2e::byte*>(s.data()), s.size()}; }

// `redis-cli monitor` into a file for as long as it lives.
class redis_monitor {
public:
    redis_monitor(std::uint16_t port, const std::filesystem::path& file) : file_(file) {
        ts::spawn_options o;
        o.argv = {"/usr/bin/redis-cli", "-p", std::to_string(port), "monitor"};
        o.stdout_file = file;
        process_ = ts::child_process(o);
        // MONITOR answers OK once it is on; wait for that before going on.
        for (int i = 0; i < 100 && ts::read_file(file).find("OK") == std::string::npos; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    std::string stop_and_read() {
        process_.stop(std::chrono::seconds(2));
        return ts::read_file(file_);
    }

private:
    std::filesystem::path file_;
    ts::child_process process_;
};

// Sends one message through the relay and decrypts it on the other side.
std::string relay_encrypted(tc::ws_client& from, std::uint16_t from_channel, e2e::session& sender,
                            tc::ws_client& to, std::uint16_t to_channel, e2e::session& receiver,
                            const std::string& text, e2e::rng& rng) {
    auto frame = sender.encrypt(as_bytes(text), rng);
    REQUIRE(frame.ok());
    from.send_relay(from_channel, as_text(*frame));
    auto arrived = to.expect_relay();
    REQUIRE(arrived.channel == to_channel);
    CHECK(arrived.payload.size() == 1024);  // the relay sees a size bucket only
    auto m = receiver.decrypt(as_bytes(arrived.payload), rng);
    REQUIRE(m.ok());
    return std::string(as_text(m->payload));
}

} // namespace

TEST_CASE("two native clients on two nodes talk end to end and the canary is nowhere else",
          "[e2e-integration]") {
    peerline::crypto::init();
    e2e::system_rng rng;
    peerline_stack s;  // Redis and node A
    ts::server_options b;
    b.binary = peerline_binary();
    b.dir = s.dir / "server-b";
    b.redis_url = s.redis.url();
    b.extra_args = {"--node-id", "node-b"};
    ts::server_process node_b(b);

    // The organisation, offline, certifies the listener's device keys.
    const auto now = static_cast<std::uint64_t>(std::time(nullptr));
    auto root = org::parse_key_file(org::keygen(rng)).value();
    auto identity = e2e::generate_listener_identity(rng);
    auto request = e2e::make_enrolment_request(identity, "it.listener").value();
    identity.certificate =
        org::certify(root, e2e::encode(request), e2e::role::listener, org::random_serial(rng), now - 60, 86400)
            .value();
    e2e::trust_anchor trust = org::make_trust(root, rng, {identity.certificate}, {}, now - 60, 86400, now).value();

    redis_monitor monitor(s.redis.port(), s.dir / "redis-monitor.log");
    const std::string canary = "CANARY-" + ts::random_hex(16);
    auto account = s.new_listener("listener-e2e");
    auto listener = s.available_listener(account);  // node A
    auto gp = tc::connect_session(node_b.endpoint(), tc::gp_session(node_b.endpoint()));  // node B
    auto c = start_conversation(gp, listener);

    // Handshake, each frame through both nodes.
    auto gp_hs = e2e::gp_handshake::start(rng);
    gp.send_relay(c.gp_channel, as_text(gp_hs.hello()));
    auto hello = listener.expect_relay();
    REQUIRE(hello.channel == c.listener_channel);
    e2e::sid_cache seen;
    auto l_hs = e2e::listener_handshake::respond(identity, as_bytes(hello.payload), seen, rng);
    REQUIRE(l_hs.ok());
    listener.send_relay(c.listener_channel, as_text(l_hs->response()));
    auto response = gp.expect_relay();
    auto gp_side = gp_hs.on_response(as_bytes(response.payload), trust, as_bytes("first " + canary), rng);
    REQUIRE(gp_side.ok());
    CHECK(gp_side->listener.handle == "it.listener");
    gp.send_relay(c.gp_channel, as_text(gp_side->confirm));
    auto confirm = listener.expect_relay();
    auto l_side = l_hs->on_confirm(as_bytes(confirm.payload), rng);
    REQUIRE(l_side.ok());
    CHECK(as_text(l_side->first.payload) == "first " + canary);
    CHECK(gp_side->conversation.safety_code() == l_side->conversation.safety_code());

    auto& gp_session = gp_side->conversation;
    auto& listener_session = l_side->conversation;
    for (int i = 0; i < 4; ++i) {
        const std::string g = "gp " + std::to_string(i) + " " + canary;
        CHECK(relay_encrypted(gp, c.gp_channel, gp_session, listener, c.listener_channel, listener_session, g, rng) == g);
        const std::string l = canary + " listener " + std::to_string(i);
        CHECK(relay_encrypted(listener, c.listener_channel, listener_session, gp, c.gp_channel, gp_session, l, rng) == l);
    }
    gp.send_control(protocol::end_conversation{c.gp_channel, protocol::end_reason::completed});
    expect_listener_ended(listener);

    // Redis: what it executed (the nodes relay through PUBLISH) and what it holds.
    const std::string monitored = monitor.stop_and_read();
    std::string lower = monitored;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    // 3 handshake frames and 8 messages crossed between the nodes.
    CHECK(ts::lines_containing(lower, "\"publish\"").size() >= 11);
    CHECK(ts::lines_containing(monitored, canary).empty());
    ts::redis_connection redis(s.redis.port());
    for (const auto& e : ts::dump_all(redis)) {
        INFO("key " << e.key);
        CHECK(e.key.find(canary) == std::string::npos);
        for (const auto& v : e.values) CHECK(v.find(canary) == std::string::npos);
    }

    // Logs are complete once the processes have exited.
    gp.close();
    listener.close();
    node_b.stop();
    s.server->stop();
    for (const ts::server_process* node : {&*s.server, &node_b}) {
        const std::string logs = node->stdout_text() + "\n" + node->stderr_text();
        CHECK_FALSE(logs.empty());
        CHECK(ts::lines_containing(logs, canary).empty());
    }
    for (const auto& file : ts::files_containing(s.dir.path(), canary)) FAIL_CHECK("the canary is in " << file);
}
