// Loopback TCP ports for the processes a test starts.
#pragma once

#include <cstdint>

namespace peerline::test_support {

// A port that was free on 127.0.0.1 a moment ago: binds port 0, reads the
// port the kernel chose, closes. Never returns the same port twice in one
// test process, so two fixtures started back to back cannot collide with
// each other (another process may still take it; that is unlikely enough).
std::uint16_t free_tcp_port();

} // namespace peerline::test_support
