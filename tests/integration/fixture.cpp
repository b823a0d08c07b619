// See fixture.hpp.
#include "fixture.hpp"

#include "peerline/test_support/files.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace peerline::integration {

std::filesystem::path peerline_binary() {
    return PEERLINE_BINARY;
}

certificate make_self_signed_certificate(const std::filesystem::path& dir) {
    certificate c{dir / "cert.pem", dir / "key.pem"};
    std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1"
                      " -keyout '" +
                      c.key.string() + "' -out '" + c.cert.string() + "' >'" +
                      (dir / "openssl.log").string() + "' 2>&1";
    if (std::system(cmd.c_str()) != 0) {
        throw std::runtime_error("openssl could not make a test certificate:\n" +
                                 ts::read_file(dir / "openssl.log"));
    }
    return c;
}

peerline_stack::peerline_stack(stack_options opts)
    : dir("peerline-it"), redis(dir / "redis"), admin(peerline_binary(), redis.url(), dir.path()) {
    start_server(opts);
}

void peerline_stack::start_server(const stack_options& opts) {
    server.reset();
    ts::server_options so;
    so.binary = peerline_binary();
    so.dir = dir / "server";
    so.redis_url = redis.url();
    so.extra_args = opts.extra_args;
    if (opts.tls) {
        if (!cert)
            cert = make_self_signed_certificate(dir.path());
        so.tls_cert = cert->cert;
        so.tls_key = cert->key;
    }
    server.emplace(so);
}

account peerline_stack::new_listener(const std::string& name) {
    account a{name, "pw-" + ts::random_hex(12)};
    admin.create_listener(a.name, a.password);
    admin.add_shift_always(a.name);
    return a;
}

tc::ws_client peerline_stack::available_listener(const account& a, std::string* token_out) {
    auto login = tc::login(ep(), a.name, a.password);
    REQUIRE(login.role == "listener");
    if (token_out)
        *token_out = login.token;
    protocol::welcome w;
    auto ws = tc::connect_session(ep(), login.token, &w);
    REQUIRE(w.as == protocol::role::listener);
    ws.send_control(protocol::set_availability{protocol::availability::available});
    auto changed = ws.expect<protocol::availability_changed>();
    REQUIRE(changed.state == protocol::listener_state::available);
    return ws;
}

tc::ws_client peerline_stack::gp(std::string* token_out) {
    std::string token = tc::gp_session(ep());
    if (token_out)
        *token_out = token;
    protocol::welcome w;
    auto ws = tc::connect_session(ep(), token, &w);
    REQUIRE(w.as == protocol::role::gp);
    return ws;
}

std::map<std::string, protocol::server_message> expect_unordered(tc::ws_client& ws,
                                                                 std::vector<std::string> types) {
    std::map<std::string, protocol::server_message> got;
    std::string wanted;
    for (const auto& t : types)
        wanted += (wanted.empty() ? "" : ", ") + t;
    for (std::size_t i = 0; i < types.size(); ++i) {
        auto in = ws.next_message();
        auto* c = std::get_if<tc::control_frame>(&in);
        std::string type = c ? std::string(protocol::type_name(c->message)) : std::string();
        auto it = std::find(types.begin(), types.end(), type);
        if (!c || it == types.end() || got.count(type) != 0) {
            throw tc::unexpected_message("expected " + wanted + " in any order, got " +
                                         tc::describe(in));
        }
        got.emplace(type, c->message);
    }
    return got;
}

protocol::request_chat chat_request(protocol::topic about, bool urgent) {
    protocol::request_chat r;
    r.about = about;
    r.urgent = urgent;
    return r;
}

conversation start_conversation(tc::ws_client& gp, tc::ws_client& listener) {
    gp.send_control(chat_request(protocol::topic::workload));
    auto q = gp.expect<protocol::queued>();
    CHECK(q.position == 1);

    auto offer = listener.expect<protocol::offer>();
    CHECK_FALSE(offer.offer_id.empty());
    CHECK(offer.about == protocol::topic::workload);
    CHECK_FALSE(offer.urgent);
    CHECK(offer.expires_in_ms > 0);

    listener.send_control(protocol::accept_offer{offer.offer_id});
    auto listener_side = expect_unordered(listener, {"conversation_started", "availability"});
    auto on_listener =
        std::get<protocol::conversation_started>(listener_side["conversation_started"]);
    CHECK(std::get<protocol::availability_changed>(listener_side["availability"]).state ==
          protocol::listener_state::busy);
    auto on_gp = gp.expect<protocol::conversation_started>();
    CHECK(on_listener.peer == protocol::role::gp);
    CHECK(on_gp.peer == protocol::role::listener);
    REQUIRE(on_listener.channel != 0);
    REQUIRE(on_gp.channel != 0);
    CHECK_FALSE(on_gp.conversation_id.empty());
    CHECK(on_gp.conversation_id == on_listener.conversation_id);
    return conversation{on_gp.channel, on_listener.channel, on_gp.conversation_id};
}

protocol::conversation_ended expect_listener_ended(tc::ws_client& listener) {
    auto got = expect_unordered(listener, {"conversation_ended", "availability"});
    CHECK(std::get<protocol::availability_changed>(got["availability"]).state ==
          protocol::listener_state::wrapup);
    return std::get<protocol::conversation_ended>(got["conversation_ended"]);
}

void relay_and_check(tc::ws_client& from, std::uint16_t from_channel, tc::ws_client& to,
                     std::uint16_t to_channel, const std::string& payload) {
    from.send_relay(from_channel, payload);
    auto got = to.expect_relay();
    CHECK(got.channel == to_channel);
    REQUIRE(got.payload.size() == payload.size());
    REQUIRE(got.payload == payload);
}

std::string error_code_of(const tc::http_response& res) {
    auto j = nlohmann::json::parse(res.body, nullptr, false);
    if (j.is_object() && j.contains("error") && j["error"].is_object() &&
        j["error"].contains("code") && j["error"]["code"].is_string()) {
        return j["error"]["code"].get<std::string>();
    }
    return {};
}

} // namespace peerline::integration
