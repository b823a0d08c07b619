// See flows.hpp.
#include "peerline/client/flows.hpp"

#include "peerline/client/http_client.hpp"

namespace peerline::client {

namespace {

// Reads a member of a JSON response or throws a message quoting the body.
template <class T>
T member(const http_response& res, const nlohmann::json& j, const char* name, const char* what) {
    if (!j.is_object() || !j.contains(name)) {
        throw client_error(std::string(what) + ": response has no '" + name + "': " + res.body);
    }
    try {
        return j.at(name).get<T>();
    } catch (const nlohmann::json::exception&) {
        throw client_error(std::string(what) + ": '" + name + "' has the wrong type: " + res.body);
    }
}

} // namespace

login_result login(const endpoint& ep, const std::string& username, const std::string& password,
                   duration timeout) {
    auto res = http_post_json(ep, "/api/login", {{"username", username}, {"password", password}},
                              {}, timeout);
    std::string what = "login as '" + username + "'";
    if (res.status != 200) {
        throw client_error(what + " failed: HTTP " + std::to_string(res.status) + " " + res.body);
    }
    auto j = res.json();
    return login_result{member<std::string>(res, j, "token", what.c_str()),
                        member<std::string>(res, j, "role", what.c_str()),
                        member<std::uint64_t>(res, j, "expires_in_s", what.c_str())};
}

std::string gp_session(const endpoint& ep, duration timeout) {
    auto res = http_request(ep, "POST", "/api/gp/session", {}, {}, timeout);
    if (res.status != 200) {
        throw client_error("GP session failed: HTTP " + std::to_string(res.status) + " " +
                           res.body);
    }
    return member<std::string>(res, res.json(), "token", "GP session");
}

ws_client connect_session(const endpoint& ep, const std::string& token,
                          protocol::welcome* welcome_out, duration timeout) {
    ws_client ws;
    connect_options opts;
    opts.timeout = timeout;
    ws.connect(ep, opts);
    ws.send_control(protocol::hello{token}, timeout);
    auto w = ws.expect<protocol::welcome>(timeout);
    if (welcome_out)
        *welcome_out = w;
    return ws;
}

} // namespace peerline::client
