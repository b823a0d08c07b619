// `peerline serve`: builds the node (I/O contexts, Redis connections, router,
// matcher, HTTP/WebSocket listener), runs it until SIGTERM/SIGINT, and shuts
// down gracefully. Returns the process exit code.
#pragma once

#include "core/config.hpp"

namespace peerline {

int run_server(server_config cfg);

} // namespace peerline
