// The few multi-step flows every test and the load generator need: log in,
// get an anonymous GP session, open an authenticated WebSocket.
#pragma once

#include "peerline/client/endpoint.hpp"
#include "peerline/client/ws_client.hpp"

#include <cstdint>
#include <string>

namespace peerline::client {

struct login_result {
    std::string token;
    std::string role; // "listener" or "admin"
    std::uint64_t expires_in_s = 0;
};

// POST /api/login. Throws client_error (with status and body) unless 200.
login_result login(const endpoint& ep, const std::string& username, const std::string& password,
                   duration timeout = default_timeout);

// POST /api/gp/session; returns the anonymous session token. Throws unless 200.
std::string gp_session(const endpoint& ep, duration timeout = default_timeout);

// Connects to /ws, sends hello with `token` and expects welcome.
ws_client connect_session(const endpoint& ep, const std::string& token,
                          protocol::welcome* welcome_out = nullptr,
                          duration timeout = default_timeout);

} // namespace peerline::client
