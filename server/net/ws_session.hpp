// The WebSocket side of a connection: Beast stream, read loop, bounded write
// queue. Protocol logic lives in domain/client_session; this file only moves
// frames.
#pragma once

#include "net/address_limits.hpp"
#include "net/beast.hpp"

#include <memory>

namespace peerline {

struct services;

// Takes over an upgraded HTTP connection (plain_stream or tls_stream) and
// runs the WebSocket session until it closes.
template <class Stream>
void run_ws_session(services& svc, Stream stream, http_request upgrade,
                    address_limits::slot slot);

} // namespace peerline
