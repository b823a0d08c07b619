// Helpers the service tests share on top of the integration fixture
// (../integration/fixture.hpp): second server nodes against the same Redis,
// administrators, listeners that are connected but not yet available, GP
// requests, reading past the `queued` updates a waiting GP may receive at
// any time, the admin JSON API, a peek into Redis, and wall-clock dates in
// UTC for rota arithmetic.
#pragma once

#include "../integration/fixture.hpp"

#include "peerline/test_support/files.hpp"
#include "peerline/test_support/redis_query.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace peerline::service_tests {

using namespace peerline::integration;
using namespace std::chrono_literals;
namespace protocol = peerline::protocol;

// ---------------------------------------------------------------------------
// Stacks and nodes
// ---------------------------------------------------------------------------

// Stack options with these extra `peerline serve` flags.
stack_options with_flags(std::vector<std::string> args);

// Another `peerline serve` against the stack's Redis, logging to
// <stack dir>/<name>. Give it its own --node-id in `args`.
std::unique_ptr<ts::server_process> start_node(peerline_stack& s, const std::string& name,
                                               std::vector<std::string> args);

// Two nodes sharing one Redis: the stack's own server is node "a" and a
// second process is node "b"; both get `common` flags too.
struct two_nodes {
    explicit two_nodes(const std::vector<std::string>& common = {});
    peerline_stack s;
    std::unique_ptr<ts::server_process> b;
    const tc::endpoint& a_ep() const { return s.ep(); }
    const tc::endpoint& b_ep() const { return b->endpoint(); }
};

// ---------------------------------------------------------------------------
// Accounts and sessions
// ---------------------------------------------------------------------------

// An administrator account made with the admin CLI.
account new_admin(peerline_stack& s, const std::string& name);
// A listener account with no rota shift at all.
account new_listener_without_shift(peerline_stack& s, const std::string& name);
// POST /api/login; returns the token.
std::string login_token(const tc::endpoint& ep, const account& a);

// A listener logged in and connected (welcome received) but not available.
tc::ws_client listener_session(const tc::endpoint& ep, const account& a,
                               std::string* token_out = nullptr);
// A listener logged in on `ep`, connected and available.
tc::ws_client available_listener_at(const tc::endpoint& ep, const account& a,
                                    std::string* token_out = nullptr);
// An anonymous GP session connected to `ep`.
tc::ws_client gp_at(const tc::endpoint& ep, std::string* token_out = nullptr);
// An administrator connected over WebSocket (a duty supervisor).
tc::ws_client admin_session(const tc::endpoint& ep, const std::string& token);
// Reconnects with an existing session token (resume) and expects welcome.
tc::ws_client reconnect(const tc::endpoint& ep, const std::string& token);

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

// Wire type of a control frame ("offer", "queued", ...).
std::string type_of(const tc::control_frame& f);

// Reads until a T arrives, dropping the frames `skip(message)` is true for.
// Anything else throws.
template <class T, class Skip>
T expect_skipping(tc::ws_client& ws, Skip skip, tc::duration timeout = tc::default_timeout);

// Reads until a T arrives, dropping `queued` frames (a waiting GP is pushed
// position updates whenever the queue changes). Anything else throws.
template <class T>
T expect_skipping_queued(tc::ws_client& ws, tc::duration timeout = tc::default_timeout);

// The listener's next offer, dropping repeated availability{available}
// confirmations (with --wrapup-s 0 the end of a conversation may confirm
// "available" more than once).
protocol::offer expect_offer(tc::ws_client& listener, tc::duration timeout = tc::default_timeout);
// Drops availability frames until nothing has come for `quiet`; anything
// else throws.
void skip_availability(tc::ws_client& listener, tc::duration quiet = 300ms);

// Every control frame that arrives until nothing has come for `quiet`
// (bounded by `limit` overall). Relay frames and ends throw.
std::vector<tc::control_frame> drain(tc::ws_client& ws, tc::duration quiet,
                                     tc::duration limit = 10s);

// Reads a waiting GP's `queued` updates until one says `position`; false if
// none does within `timeout`. Anything but `queued` throws.
bool pushed_position(tc::ws_client& gp, std::uint32_t position, tc::duration timeout = 5s);

// Like expect_unordered (fixture.hpp), waiting up to `timeout` for each.
std::map<std::string, protocol::server_message> expect_all(tc::ws_client& ws,
                                                           std::vector<std::string> types,
                                                           tc::duration timeout);

// The GP asks to talk and is queued; returns its position.
std::uint32_t request_and_queue(tc::ws_client& gp, bool urgent = false,
                                std::optional<std::string> continuity_code = std::nullopt);

// Sends set_availability available once and returns the answer: the state
// the server confirmed ("available", "busy", "wrapup", "away") or the error
// code ("not_on_shift", "invalid_state", ...).
std::string try_available(tc::ws_client& listener);
// try_available until it answers "available" (a node reloads the rota on a
// broadcast, so a new shift takes a moment); false if it never does.
bool becomes_available(tc::ws_client& listener, tc::duration timeout = 5s);

// Like start_conversation (fixture.hpp), but tolerant of the `queued`
// updates a waiting GP may be pushed before conversation_started (e.g. an
// estimate of 0 s while a listener is available).
conversation begin_conversation(tc::ws_client& gp, tc::ws_client& listener);

// The listener accepts this offer; checks conversation_started and busy on
// its side; returns the listener's conversation_started.
protocol::conversation_started accept(tc::ws_client& listener, const protocol::offer& o,
                                      protocol::listener_state then = protocol::listener_state::busy);

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------

tc::http_response api(const tc::endpoint& ep, std::string_view method, std::string_view target,
                      const std::string& token, std::string_view body = {});

// ---------------------------------------------------------------------------
// Redis (read-only peeks at the queue's state)
// ---------------------------------------------------------------------------

long long redis_integer(peerline_stack& s, const std::vector<std::string>& command);

// ---------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------

long long wall_ms();
// "YYYY-MM-DD" of a Unix-ms instant shifted by `offset_h` hours (UTC when 0).
std::string date_of(long long ms, int offset_h = 0);
// 0 = Sunday ... 6 = Saturday, of a Unix-ms instant in UTC.
int weekday_of(long long ms);
// Unix ms of the next UTC midnight after `ms`.
long long next_utc_midnight_ms(long long ms);

// ---------------------------------------------------------------------------

template <class T, class Skip> T expect_skipping(tc::ws_client& ws, Skip skip, tc::duration timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        auto left = std::chrono::duration_cast<tc::duration>(deadline - std::chrono::steady_clock::now());
        if (left < 1ms) left = 1ms;
        auto in = ws.next_message(left);
        if (auto* c = std::get_if<tc::control_frame>(&in)) {
            if (auto* m = std::get_if<T>(&c->message)) return std::move(*m);
            if (skip(c->message)) continue;
        }
        throw tc::unexpected_message("expected " + tc::server_type_name<T>() + ", got " +
                                     tc::describe(in));
    }
}

// Administrators get live_stats pushed whenever the load changes.
template <class T> T expect_skipping_live_stats(tc::ws_client& ws, tc::duration timeout = tc::default_timeout) {
    return expect_skipping<T>(
        ws, [](const protocol::server_message& m) { return std::holds_alternative<protocol::live_stats>(m); },
        timeout);
}

template <class T> T expect_skipping_queued(tc::ws_client& ws, tc::duration timeout) {
    return expect_skipping<T>(
        ws, [](const protocol::server_message& m) { return std::holds_alternative<protocol::queued>(m); },
        timeout);
}

} // namespace peerline::service_tests
