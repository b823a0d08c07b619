// See service_helpers.hpp.
#include "service_helpers.hpp"

#include "peerline/test_support/files.hpp"

#include <algorithm>
#include <ctime>
#include <stdexcept>

namespace peerline::service_tests {

stack_options with_flags(std::vector<std::string> args) {
    stack_options o;
    o.extra_args = std::move(args);
    return o;
}

std::unique_ptr<ts::server_process> start_node(peerline_stack& s, const std::string& name,
                                               std::vector<std::string> args) {
    ts::server_options so;
    so.binary = peerline_binary();
    so.dir = s.dir / name;
    so.redis_url = s.redis.url();
    so.extra_args = std::move(args);
    return std::make_unique<ts::server_process>(so);
}

namespace {
std::vector<std::string> joined(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}
} // namespace

two_nodes::two_nodes(const std::vector<std::string>& common)
    : s(with_flags(joined({"--node-id", "a"}, common))),
      b(start_node(s, "node-b", joined({"--node-id", "b"}, common))) {}

account new_admin(peerline_stack& s, const std::string& name) {
    account a{name, "pw-" + ts::random_hex(12)};
    s.admin.create_admin(a.name, a.password);
    return a;
}

account new_listener_without_shift(peerline_stack& s, const std::string& name) {
    account a{name, "pw-" + ts::random_hex(12)};
    s.admin.create_listener(a.name, a.password);
    return a;
}

std::string login_token(const tc::endpoint& ep, const account& a) {
    return tc::login(ep, a.name, a.password).token;
}

tc::ws_client listener_session(const tc::endpoint& ep, const account& a, std::string* token_out) {
    auto login = tc::login(ep, a.name, a.password);
    REQUIRE(login.role == "listener");
    if (token_out) *token_out = login.token;
    protocol::welcome w;
    auto ws = tc::connect_session(ep, login.token, &w);
    REQUIRE(w.as == protocol::role::listener);
    return ws;
}

tc::ws_client available_listener_at(const tc::endpoint& ep, const account& a, std::string* token_out) {
    auto ws = listener_session(ep, a, token_out);
    // Polled: a node started before the shift was added reloads on a broadcast.
    REQUIRE(becomes_available(ws));
    return ws;
}

tc::ws_client gp_at(const tc::endpoint& ep, std::string* token_out) {
    std::string token = tc::gp_session(ep);
    if (token_out) *token_out = token;
    protocol::welcome w;
    auto ws = tc::connect_session(ep, token, &w);
    REQUIRE(w.as == protocol::role::gp);
    return ws;
}

tc::ws_client admin_session(const tc::endpoint& ep, const std::string& token) {
    protocol::welcome w;
    auto ws = tc::connect_session(ep, token, &w);
    REQUIRE(w.as == protocol::role::admin);
    return ws;
}

tc::ws_client reconnect(const tc::endpoint& ep, const std::string& token) {
    return tc::connect_session(ep, token);
}

std::string type_of(const tc::control_frame& f) { return std::string(protocol::type_name(f.message)); }

std::vector<tc::control_frame> drain(tc::ws_client& ws, tc::duration quiet, tc::duration limit) {
    std::vector<tc::control_frame> out;
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        auto in = ws.next_message(quiet);
        if (std::holds_alternative<tc::timed_out>(in)) return out;
        auto* c = std::get_if<tc::control_frame>(&in);
        if (!c) throw tc::unexpected_message("expected control frames, got " + tc::describe(in));
        out.push_back(std::move(*c));
    }
    return out;
}

bool pushed_position(tc::ws_client& gp, std::uint32_t position, tc::duration timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto left = std::chrono::duration_cast<tc::duration>(deadline - std::chrono::steady_clock::now());
        auto in = gp.next_message(std::max(left, tc::duration(1)));
        if (std::holds_alternative<tc::timed_out>(in)) return false;
        auto* c = std::get_if<tc::control_frame>(&in);
        auto* q = c ? std::get_if<protocol::queued>(&c->message) : nullptr;
        if (!q) throw tc::unexpected_message("expected queued, got " + tc::describe(in));
        if (q->position == position) return true;
    }
    return false;
}

std::map<std::string, protocol::server_message> expect_all(tc::ws_client& ws,
                                                           std::vector<std::string> types,
                                                           tc::duration timeout) {
    std::map<std::string, protocol::server_message> got;
    while (got.size() < types.size()) {
        auto in = ws.next_message(timeout);
        auto* c = std::get_if<tc::control_frame>(&in);
        std::string type = c ? type_of(*c) : std::string();
        if (!c || std::find(types.begin(), types.end(), type) == types.end() || got.count(type)) {
            std::string wanted;
            for (auto& t : types) wanted += (wanted.empty() ? "" : ", ") + t;
            throw tc::unexpected_message("expected " + wanted + " in any order, got " +
                                         tc::describe(in));
        }
        got.emplace(type, c->message);
    }
    return got;
}

protocol::offer expect_offer(tc::ws_client& listener, tc::duration timeout) {
    return expect_skipping<protocol::offer>(
        listener,
        [](const protocol::server_message& m) {
            auto* a = std::get_if<protocol::availability_changed>(&m);
            return a && a->state == protocol::listener_state::available;
        },
        timeout);
}

void skip_availability(tc::ws_client& listener, tc::duration quiet) {
    for (auto& f : drain(listener, quiet)) {
        if (!std::holds_alternative<protocol::availability_changed>(f.message))
            throw tc::unexpected_message("expected only availability, got " + f.raw);
    }
}

std::uint32_t request_and_queue(tc::ws_client& gp, bool urgent, std::optional<std::string> code) {
    gp.send_control(protocol::request_chat{protocol::topic::workload, urgent, std::move(code)});
    auto q = gp.expect<protocol::queued>();
    REQUIRE(q.position >= 1);
    return q.position;
}

std::string try_available(tc::ws_client& listener) {
    listener.send_control(protocol::set_availability{protocol::availability::available});
    auto in = listener.next_message();
    if (auto* c = std::get_if<tc::control_frame>(&in)) {
        if (auto* a = std::get_if<protocol::availability_changed>(&c->message))
            return std::string(protocol::to_string(a->state));
        if (auto* e = std::get_if<protocol::error_message>(&c->message)) {
            if (e->in_reply_to == "set_availability") return std::string(protocol::to_string(e->err.code));
        }
    }
    throw tc::unexpected_message("expected an answer to set_availability, got " + tc::describe(in));
}

bool becomes_available(tc::ws_client& listener, tc::duration timeout) {
    return ts::eventually([&] { return try_available(listener) == "available"; }, timeout, 100ms);
}

protocol::conversation_started accept(tc::ws_client& listener, const protocol::offer& o,
                                      protocol::listener_state then) {
    listener.send_control(protocol::accept_offer{o.offer_id});
    auto got = expect_unordered(listener, {"conversation_started", "availability"});
    auto started = std::get<protocol::conversation_started>(got["conversation_started"]);
    CHECK(started.peer == protocol::role::gp);
    CHECK(std::get<protocol::availability_changed>(got["availability"]).state == then);
    return started;
}

conversation begin_conversation(tc::ws_client& gp, tc::ws_client& listener) {
    gp.send_control(protocol::request_chat{protocol::topic::workload, false, std::nullopt});
    auto q = gp.expect<protocol::queued>();
    CHECK(q.position == 1);
    auto o = expect_offer(listener);
    CHECK(o.about == protocol::topic::workload);
    CHECK_FALSE(o.urgent);
    CHECK(o.expires_in_ms > 0);
    auto on_listener = accept(listener, o);
    auto on_gp = expect_skipping_queued<protocol::conversation_started>(gp);
    CHECK(on_gp.peer == protocol::role::listener);
    REQUIRE(on_listener.channel != 0);
    REQUIRE(on_gp.channel != 0);
    CHECK_FALSE(on_gp.conversation_id.empty());
    CHECK(on_gp.conversation_id == on_listener.conversation_id);
    return conversation{on_gp.channel, on_listener.channel, on_gp.conversation_id};
}

tc::http_response api(const tc::endpoint& ep, std::string_view method, std::string_view target,
                      const std::string& token, std::string_view body) {
    tc::header_list headers;
    if (!token.empty()) headers = tc::bearer(token);
    return tc::http_request(ep, method, target, body, headers);
}

long long redis_integer(peerline_stack& s, const std::vector<std::string>& command) {
    ts::redis_connection r(s.redis.port());
    auto reply = r.command(command);
    if (reply.size() != 1) throw std::runtime_error("expected one integer from Redis");
    return std::stoll(reply[0]);
}

long long wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

namespace {
std::tm utc_tm(long long ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return tm;
}
} // namespace

std::string date_of(long long ms, int offset_h) {
    auto tm = utc_tm(ms + static_cast<long long>(offset_h) * 3'600'000);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

int weekday_of(long long ms) { return utc_tm(ms).tm_wday; }

long long next_utc_midnight_ms(long long ms) {
    constexpr long long day = 86'400'000;
    return (ms / day + 1) * day;
}

} // namespace peerline::service_tests
