// What happens to a connection between accept and its HTTP session: whose it
// is, and which per-address cap it counts against.
//
// - From anyone but a trusted proxy: the TCP peer is the client; the
//   connection counts against its address's cap of unauthenticated
//   connections or is refused at once.
// - From a trusted proxy with --proxy-protocol: the connection counts only
//   against the node's total until its PROXY v2 header (read first, within
//   proxy_header_timeout, never past its end) names the client; then it
//   counts against the client's address, or is refused. A connection without
//   a valid header is closed.
// - From a trusted proxy without --proxy-protocol: the HTTP session learns the
//   client from each request's X-Forwarded-For (http_session, proxy_trust)
//   and counts the connection against that address from then on.
#pragma once

#include "net/address_limits.hpp"
#include "net/beast.hpp"

#include <chrono>
#include <memory>

namespace peerline {

struct http_context;
struct node_counters;

inline constexpr std::chrono::seconds proxy_header_timeout{5};

// Called on the acceptor's thread for each accepted connection.
void admit_connection(http_context& ctx, address_limits& limits, tcp::socket socket);

// A connection over a cap is answered at once (503, or closed for TLS) and
// closed (listener.cpp).
void refuse_connection(tcp::socket socket, address_limits::refusal why, bool tls, node_counters* counters);

} // namespace peerline
