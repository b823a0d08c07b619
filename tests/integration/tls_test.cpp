// HTTPS and WSS with a certificate generated at test time.
#include "fixture.hpp"

#include <catch2/catch.hpp>

using namespace peerline::integration;
namespace protocol = peerline::protocol;

TEST_CASE("with a certificate the server speaks HTTPS and a conversation works over WSS", "[tls]") {
    peerline_stack s({.extra_args = {}, .tls = true});
    REQUIRE(s.ep().tls.enabled);

    SECTION("GET /healthz over HTTPS") {
        auto res = tc::http_get(s.ep(), "/healthz");
        CHECK(res.status == 200);
    }
    SECTION("the server presents the certificate it was given") {
        tc::endpoint verified = s.ep();
        verified.tls.ca_file = s.cert->cert.string();
        verified.tls.server_name = "localhost";
        CHECK(tc::http_get(verified, "/healthz").status == 200);
    }
    SECTION("plain HTTP on the TLS port gets no HTTP answer") {
        tc::endpoint plain = s.ep();
        plain.tls.enabled = false;
        bool answered_200 = false;
        try {
            answered_200 = tc::http_get(plain, "/healthz", {}, 2s).status == 200;
        } catch (const tc::client_error&) {
        }
        CHECK_FALSE(answered_200);
    }
    SECTION("a GP and a listener talk over WSS") {
        auto listener = s.available_listener(s.new_listener("listener-tls"));
        auto gp = s.gp();
        auto c = start_conversation(gp, listener);
        for (int i = 0; i < 3; ++i) {
            relay_and_check(gp, c.gp_channel, listener, c.listener_channel,
                            "over tls " + std::to_string(i));
            relay_and_check(listener, c.listener_channel, gp, c.gp_channel,
                            "reply over tls " + std::to_string(i));
        }
        gp.send_control(protocol::end_conversation{c.gp_channel, std::nullopt});
        auto ended = expect_listener_ended(listener);
        CHECK(ended.by == protocol::ended_by::gp);
    }
}
