// The administrator's JSON API for staff accounts and the 24/7 signposting
// list, the landing page's public configuration, and a GP's anonymous
// feedback. Real server, real Redis.
#include "fixture.hpp"

#include "peerline/test_support/files.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace peerline::integration;
using nlohmann::json;

namespace {

std::string admin_token(peerline_stack& s, const std::string& name) {
    auto pw = "pw-" + ts::random_hex(12);
    s.admin.create_admin(name, pw);
    return tc::login(s.ep(), name, pw).token;
}

tc::http_response send(const tc::endpoint& ep, const std::string& method, const std::string& target,
                       const json& body, const std::string& token) {
    return tc::http_request(ep, method, target, body.is_null() ? std::string() : body.dump(),
                            tc::bearer(token));
}

json account_named(const tc::endpoint& ep, const std::string& token, const std::string& name) {
    auto body = tc::http_get(ep, "/api/admin/accounts", tc::bearer(token)).json(); // keep it alive
    for (auto& a : body["accounts"])
        if (a["username"] == name) return a;
    return nullptr;
}

} // namespace

TEST_CASE("an administrator creates, disables and re-enables staff accounts, and nobody else can",
          "[http][admin]") {
    peerline_stack s;
    auto admin = admin_token(s, "accounts-admin");
    auto res = send(s.ep(), "POST", "/api/admin/accounts",
                    {{"username", "new.listener"}, {"password", "a long enough password"}, {"role", "listener"}},
                    admin);
    REQUIRE(res.status == 201);
    CHECK(res.json() == json{{"username", "new.listener"}, {"role", "listener"}});
    auto listed = account_named(s.ep(), admin, "new.listener");
    REQUIRE(listed.is_object());
    CHECK(listed["role"] == "listener");
    CHECK(listed["disabled"] == false);
    CHECK(listed["certificate"]["state"] == "none");
    CHECK_FALSE(listed.contains("password"));
    // The administrator chose that password: it is a one-time password. The
    // first sign-in is refused until it carries a new one, which replaces it.
    auto first = tc::http_post_json(s.ep(), "/api/login",
                                    {{"username", "new.listener"}, {"password", "a long enough password"}});
    CHECK(first.status == 403);
    CHECK(error_code_of(first) == "password_change_required");
    auto same = tc::http_post_json(s.ep(), "/api/login",
                                   {{"username", "new.listener"},
                                    {"password", "a long enough password"},
                                    {"new_password", "a long enough password"}});
    CHECK(error_code_of(same) == "invalid_request");
    auto wrong = tc::http_post_json(s.ep(), "/api/login",
                                    {{"username", "new.listener"},
                                     {"password", "not the password at all"},
                                     {"new_password", "the listener's own choice"}});
    CHECK(wrong.status == 401);
    auto changed = tc::http_post_json(s.ep(), "/api/login",
                                      {{"username", "new.listener"},
                                       {"password", "a long enough password"},
                                       {"new_password", "the listener's own choice"}});
    REQUIRE(changed.status == 200);
    CHECK(changed.json()["role"] == "listener");
    CHECK(tc::http_post_json(s.ep(), "/api/login",
                             {{"username", "new.listener"}, {"password", "a long enough password"}})
              .status == 401);
    auto login = tc::login(s.ep(), "new.listener", "the listener's own choice");
    CHECK(login.role == "listener");

    // Refusals change nothing.
    res = send(s.ep(), "POST", "/api/admin/accounts",
               {{"username", "new.listener"}, {"password", "another long password"}, {"role", "admin"}}, admin);
    CHECK(res.status == 409);
    CHECK(error_code_of(res) == "exists");
    res = send(s.ep(), "POST", "/api/admin/accounts",
               {{"username", "short.pw"}, {"password", "short"}, {"role", "listener"}}, admin);
    CHECK(error_code_of(res) == "invalid_request");
    res = send(s.ep(), "POST", "/api/admin/accounts",
               {{"username", "Bad Name"}, {"password", "a long enough password"}, {"role", "listener"}}, admin);
    CHECK(error_code_of(res) == "invalid_request");
    res = send(s.ep(), "POST", "/api/admin/accounts",
               {{"username", "no.role"}, {"password", "a long enough password"}, {"role", "gp"}}, admin);
    CHECK(error_code_of(res) == "invalid_request");
    CHECK(account_named(s.ep(), admin, "short.pw").is_null());
    res = send(s.ep(), "POST", "/api/admin/accounts",
               {{"username", "by.listener"}, {"password", "a long enough password"}, {"role", "admin"}},
               login.token);
    CHECK(res.status == 403);
    CHECK(error_code_of(res) == "wrong_role");

    // Disabled: no login, and the existing session stops working at once,
    // its open WebSocket included.
    auto live = tc::connect_session(s.ep(), login.token);
    REQUIRE(send(s.ep(), "POST", "/api/admin/accounts/new.listener/disable", nullptr, admin).status == 204);
    CHECK(live.expect_error(peerline::protocol::error_code::invalid_token).err.message.find("disabled") !=
          std::string::npos);
    CHECK(live.expect_closed().code == 1008); // policy violation: "account disabled"
    CHECK(account_named(s.ep(), admin, "new.listener")["disabled"] == true);
    CHECK(tc::http_get(s.ep(), "/api/me", tc::bearer(login.token)).status == 401);
    CHECK(tc::http_post_json(s.ep(), "/api/login",
                             {{"username", "new.listener"}, {"password", "the listener's own choice"}})
              .status == 401);
    REQUIRE(send(s.ep(), "POST", "/api/admin/accounts/new.listener/enable", nullptr, admin).status == 204);
    // Enabling again revives no session made before the disable (issue 17):
    // the old token stays refused; a new sign-in works.
    CHECK(tc::http_get(s.ep(), "/api/me", tc::bearer(login.token)).status == 401);
    auto again = tc::login(s.ep(), "new.listener", "the listener's own choice");
    CHECK(again.role == "listener");
    CHECK(tc::http_get(s.ep(), "/api/me", tc::bearer(again.token)).status == 200);
    CHECK(tc::http_get(s.ep(), "/api/me", tc::bearer(login.token)).status == 401);
    CHECK(send(s.ep(), "POST", "/api/admin/accounts/nobody.here/disable", nullptr, admin).status == 404);
    CHECK(send(s.ep(), "GET", "/api/admin/accounts/new.listener/disable", nullptr, admin).status == 405);
}

TEST_CASE("an administrator cannot disable their own account (so never the last administrator)",
          "[http][admin]") {
    peerline_stack s;
    auto admin = admin_token(s, "only-admin");
    auto res = send(s.ep(), "POST", "/api/admin/accounts/only-admin/disable", nullptr, admin);
    CHECK(res.status == 409);
    CHECK(error_code_of(res) == "cannot_disable_self");
    CHECK(account_named(s.ep(), admin, "only-admin")["disabled"] == false);
    CHECK(tc::http_get(s.ep(), "/api/me", tc::bearer(admin)).status == 200);
    // Another administrator may.
    auto other = admin_token(s, "other-admin");
    CHECK(send(s.ep(), "POST", "/api/admin/accounts/only-admin/disable", nullptr, other).status == 204);
    CHECK(account_named(s.ep(), other, "only-admin")["disabled"] == true);
}

TEST_CASE("a password the command line printed is a one-time password, and one the operator chose is not",
          "[http][admin]") {
    peerline_stack s;
    auto printed = s.admin.run({"create-admin", "printed-admin"});
    REQUIRE(printed.status.success());
    auto at = printed.out.find("password: ");
    REQUIRE(at != std::string::npos);
    auto password = printed.out.substr(at + 10, printed.out.find('\n', at) - at - 10);
    REQUIRE(password.size() >= 12);
    auto first = tc::http_post_json(s.ep(), "/api/login", {{"username", "printed-admin"}, {"password", password}});
    CHECK(first.status == 403);
    CHECK(error_code_of(first) == "password_change_required");
    auto changed = tc::http_post_json(
        s.ep(), "/api/login",
        {{"username", "printed-admin"}, {"password", password}, {"new_password", "the admin's own choice"}});
    CHECK(changed.status == 200);
    // Chosen on stdin by the operator: signs in as it is.
    s.admin.create_listener("chosen.listener", "a chosen password here");
    CHECK(tc::login(s.ep(), "chosen.listener", "a chosen password here").role == "listener");
}

TEST_CASE("the last enabled administrator is never disabled, from the command line either, and two "
          "administrators disabling each other at once leave one",
          "[http][admin]") {
    peerline_stack s;
    auto first = admin_token(s, "first-admin");
    s.admin.disable("admin"); // the first run's administrator: first-admin is now the only enabled one
    // The operator's command line refuses the only administrator.
    auto refused = s.admin.run({"disable", "first-admin"});
    CHECK_FALSE(refused.status.success());
    CHECK(refused.err.find("last enabled administrator") != std::string::npos);
    CHECK(account_named(s.ep(), first, "first-admin")["disabled"] == false);

    // With a second administrator it may; then the second is the last.
    auto second = admin_token(s, "second-admin");
    auto listener_pw = "pw-" + ts::random_hex(12);
    s.admin.create_listener("a.listener", listener_pw);
    s.admin.disable("a.listener"); // not an administrator: never counts
    s.admin.disable("first-admin");
    CHECK(account_named(s.ep(), second, "first-admin")["disabled"] == true);
    auto again = s.admin.run({"disable", "second-admin"});
    CHECK_FALSE(again.status.success());
    CHECK(account_named(s.ep(), second, "second-admin")["disabled"] == false);

    // Two administrators disabling each other at the same instant: the rule
    // is one Redis script, so whichever runs second finds the other gone and
    // is refused (409 last_admin), or was already refused as disabled.
    auto third = admin_token(s, "third-admin"); // two enabled now: second and third
    tc::http_response a, b;
    std::thread t1([&] { a = send(s.ep(), "POST", "/api/admin/accounts/third-admin/disable", nullptr, second); });
    std::thread t2([&] { b = send(s.ep(), "POST", "/api/admin/accounts/second-admin/disable", nullptr, third); });
    t1.join();
    t2.join();
    CHECK_FALSE((a.status == 204 && b.status == 204));
    CHECK(((a.status == 204) != (b.status == 204)));
    auto loser = a.status == 204 ? b : a;
    CHECK((loser.status == 409 || loser.status == 401));
    if (loser.status == 409) CHECK(error_code_of(loser) == "last_admin");
    auto survivor = a.status == 204 ? second : third;
    auto list = tc::http_get(s.ep(), "/api/admin/accounts", tc::bearer(survivor)).json();
    int enabled_admins = 0;
    for (auto& acc : list["accounts"])
        if (acc["role"] == "admin" && acc["disabled"] == false) ++enabled_admins;
    CHECK(enabled_admins == 1);
}

TEST_CASE("the landing page's configuration is public, and the 24/7 list is the administrators' "
          "choice, also in what a signposted GP is sent",
          "[http][admin][signposting]") {
    peerline_stack s;
    auto admin = admin_token(s, "signposting-admin");
    auto config = tc::http_get(s.ep(), "/api/config");
    REQUIRE(config.status == 200);
    auto c = config.json();
    REQUIRE(c["signposting"].is_array());
    CHECK_FALSE(c["signposting"].empty()); // the built-in list
    CHECK(c["topics"].size() == 6);
    CHECK(c["offer_timeout_ms"].is_number_unsigned());
    CHECK(c["demo"] == false);

    json custom = json::array({{{"name", "Practitioner Health"}, {"contact", "0300 0303 300"}, {"hours", "24/7"}}});
    REQUIRE(send(s.ep(), "PUT", "/api/admin/signposting", {{"alternatives", custom}}, admin).status == 204);
    CHECK(tc::http_get(s.ep(), "/api/config").json()["signposting"] == custom);
    CHECK(tc::http_get(s.ep(), "/api/admin/signposting", tc::bearer(admin)).json()["alternatives"] == custom);

    // Invalid lists are refused and change nothing.
    json too_many = json::array();
    for (int i = 0; i < 9; ++i) too_many.push_back(custom[0]);
    for (auto& bad : {json{{"alternatives", too_many}}, json{{"alternatives", json::array()}},
                      json{{"alternatives", json::array({{{"name", "x"}, {"contact", "y"}}})}},
                      json{{"alternatives", json::array({{{"name", "x"}, {"contact", "y"}, {"hours", 3}}})}},
                      json{{"alternatives", json::array({{{"name", std::string(201, 'x')}, {"contact", "y"},
                                                          {"hours", "z"}}})}},
                      json{{"list", custom}}}) {
        auto res = send(s.ep(), "PUT", "/api/admin/signposting", bad, admin);
        CHECK(res.status == 400);
        CHECK(error_code_of(res) == "invalid_request");
    }
    CHECK(tc::http_get(s.ep(), "/api/config").json()["signposting"] == custom);

    // A GP asking when nobody is on shift is given the administrators' list.
    auto gp = s.gp();
    gp.send_control(chat_request(peerline::protocol::topic::career));
    auto sign = gp.expect<peerline::protocol::signposting>();
    REQUIRE(sign.alternatives.size() == 1);
    CHECK(sign.alternatives[0].name == "Practitioner Health");
}

TEST_CASE("a GP's feedback is counted once per ended conversation and only as hourly counts",
          "[http][feedback]") {
    peerline_stack s({{"--wrapup-s", "1"}});
    auto admin = admin_token(s, "feedback-admin");
    auto listener_account = s.new_listener("feedback-listener");
    auto listener = s.available_listener(listener_account);
    // A conversation that ends, after which its GP may say how it went.
    auto talk_and_end = [&](std::string& token) {
        auto gp = s.gp(&token);
        auto c = start_conversation(gp, listener);
        gp.send_control(peerline::protocol::end_conversation{c.gp_channel, std::nullopt});
        gp.expect<peerline::protocol::conversation_ended>();
        expect_listener_ended(listener); // wrap-up: a second, then available again
        CHECK(listener.expect<peerline::protocol::availability_changed>(5s).state ==
              peerline::protocol::listener_state::available);
    };
    json answer{{"helped", "yes"}, {"stay_in_practice", "more"}};
    // No conversation yet: nothing to rate, whatever the session.
    auto stranger = tc::gp_session(s.ep());
    auto refused = send(s.ep(), "POST", "/api/feedback", answer, stranger);
    CHECK(refused.status == 409);
    CHECK(error_code_of(refused) == "not_expected");

    std::string gp;
    talk_and_end(gp);
    CHECK(send(s.ep(), "POST", "/api/feedback", {{"helped", "maybe"}, {"stay_in_practice", "more"}}, gp).status == 400);
    CHECK(send(s.ep(), "POST", "/api/feedback", {{"helped", "yes"}}, gp).status == 400);
    CHECK(send(s.ep(), "POST", "/api/feedback",
               {{"helped", "yes"}, {"stay_in_practice", "more"}, {"free_text", "no"}}, gp)
              .status == 400);
    REQUIRE(send(s.ep(), "POST", "/api/feedback", answer, gp).status == 204);
    auto again = send(s.ep(), "POST", "/api/feedback", answer, gp);
    CHECK(again.status == 409);
    CHECK(error_code_of(again) == "not_expected");
    CHECK(send(s.ep(), "POST", "/api/feedback", answer, admin).status == 403);
    CHECK(tc::http_request(s.ep(), "POST", "/api/feedback", answer.dump()).status == 401);
    std::string second;
    talk_and_end(second);
    REQUIRE(send(s.ep(), "POST", "/api/feedback", {{"helped", "no"}, {"stay_in_practice", "less"}}, second)
                .status == 204);

    auto stats = tc::http_get(s.ep(), "/api/admin/stats?days=2", tc::bearer(admin)).json();
    auto hour = stats["this_hour"];
    CHECK(hour["feedback"] == 2);
    CHECK(hour["feedback_helped_yes"] == 1);
    CHECK(hour["feedback_stay_more"] == 1);
    CHECK(hour["feedback_helped_no"] == 1);
    CHECK(hour["feedback_stay_less"] == 1);
    REQUIRE(stats["days"].size() == 2);
    CHECK(stats["days"][0]["feedback"] == 2); // today's sum includes this hour
    CHECK(stats["days"][1]["day_start_ms"].get<long long>() ==
          stats["days"][0]["day_start_ms"].get<long long>() - 86'400'000);
}
