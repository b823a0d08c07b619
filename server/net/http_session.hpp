// One HTTP(S) connection: reads requests with explicit limits, answers them
// through http_api, and hands WebSocket upgrades on /ws to ws_session after
// checking Origin.
#pragma once

#include "net/address_limits.hpp"
#include "net/beast.hpp"

#include <memory>
#include <set>
#include <string>

namespace peerline {

struct services;
class http_api;
class proxy_trust;

// Which listening address a connection came in on: the service (the API,
// pages, WebSockets) or the metrics address (/metrics and health only).
enum class http_surface { service, metrics };

// What every HTTP session on one listening address shares.
struct http_context {
    services& svc;
    http_api& api;
    std::set<std::string> allowed_origins; // exact "scheme://host:port" strings
    std::shared_ptr<net::ssl::context> tls; // null for plain HTTP
    std::shared_ptr<const proxy_trust> proxies; // null: no trusted proxies
    http_surface surface = http_surface::service;
};

// Starts serving an accepted connection on its socket's executor.
// `forwarded`: the peer at `client_address` is a trusted proxy whose
// requests name their client in X-Forwarded-For (see connection_intake.hpp).
void run_http_session(http_context& ctx, tcp::socket socket, address_limits::slot slot,
                      std::string client_address, bool forwarded = false);

} // namespace peerline
