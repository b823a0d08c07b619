// The per-test world of the integration tests: a temp dir, a real Redis, the
// real server, the admin CLI, and the few flows most tests share (an
// available listener, a GP, a started conversation).
#pragma once

#include "peerline/client/endpoint.hpp"
#include "peerline/client/flows.hpp"
#include "peerline/client/http_client.hpp"
#include "peerline/client/ws_client.hpp"
#include "peerline/test_support/admin_cli.hpp"
#include "peerline/test_support/redis_process.hpp"
#include "peerline/test_support/server_process.hpp"
#include "peerline/test_support/temp_dir.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace peerline::integration {

using namespace std::chrono_literals;
namespace tc = peerline::client;
namespace ts = peerline::test_support;

// The peerline executable under test (empty if the target is missing).
std::filesystem::path peerline_binary();

struct stack_options {
    std::vector<std::string> extra_args;
    bool tls = false; // generate a self-signed certificate and serve HTTPS/WSS
};

struct account {
    std::string name;
    std::string password;
};

// A self-signed certificate for CN=localhost made with openssl at test time.
struct certificate {
    std::filesystem::path cert;
    std::filesystem::path key;
};
certificate make_self_signed_certificate(const std::filesystem::path& dir);

class peerline_stack {
  public:
    explicit peerline_stack(stack_options opts = {});

    ts::temp_dir dir;
    ts::redis_process redis;
    ts::admin_cli admin;
    std::optional<certificate> cert;
    std::optional<ts::server_process> server;

    const tc::endpoint& ep() const { return server->endpoint(); }

    // Starts (again) a server against this stack's Redis.
    void start_server(const stack_options& opts);

    // A new listener account with a random password and a rota shift that
    // covers now (a listener may only go available on shift).
    account new_listener(const std::string& name);
    // Logs in, opens /ws, says hello and goes available.
    tc::ws_client available_listener(const account& a, std::string* token_out = nullptr);
    // An anonymous GP session with an authenticated WebSocket.
    tc::ws_client gp(std::string* token_out = nullptr);
};

// Reads exactly types.size() messages and returns them by wire type. They may
// come in any order (the protocol does not order them), but every listed
// type must arrive once and nothing else may: anything unexpected throws
// with what arrived.
std::map<std::string, protocol::server_message> expect_unordered(tc::ws_client& ws,
                                                                 std::vector<std::string> types);

// A request_chat with this topic (and no continuity code).
protocol::request_chat chat_request(protocol::topic about, bool urgent = false);

// The two sides' channel numbers and the conversation id of a started
// conversation.
struct conversation {
    std::uint16_t gp_channel = 0;
    std::uint16_t listener_channel = 0;
    std::string id;
};

// The first path up to conversation_started: the GP asks (topic workload),
// is queued first, the listener gets the offer, accepts, and both sides are
// told their channel; the listener, now at its capacity of one, is also told
// it is busy. Checks every message on the way.
conversation start_conversation(tc::ws_client& gp, tc::ws_client& listener);

// The listener side of a conversation's end: conversation_ended on its
// channel, and the wrap-up pause that follows every conversation.
protocol::conversation_ended expect_listener_ended(tc::ws_client& listener);

// Sends `payload` from one side and checks it arrives byte-identical on the
// other side with the receiver's channel number.
void relay_and_check(tc::ws_client& from, std::uint16_t from_channel, tc::ws_client& to,
                     std::uint16_t to_channel, const std::string& payload);

// The error code inside an HTTP JSON error body ({"error":{"code":...}}), or
// "" if the body has no such field.
std::string error_code_of(const tc::http_response& res);

} // namespace peerline::integration
