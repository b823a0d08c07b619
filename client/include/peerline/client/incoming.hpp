// What a WebSocket read can yield: a control message, a relay frame, the end
// of the connection, a frame the client could not make sense of, or nothing
// within the timeout. Tests match on these and print them when surprised.
#pragma once

#include "peerline/protocol/messages.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>

namespace peerline::client {

// A text frame that decoded as a server message.
struct control_frame {
    protocol::server_message message;
    std::string raw; // the JSON as received, for diagnostics
};

// A binary frame with a valid relay header.
struct relay_frame {
    std::uint16_t channel = 0;
    std::string payload;
};

// The connection ended. A clean WebSocket close carries the peer's close
// code and reason; any other end (reset, EOF) has code 1006 and `error` set.
struct closed {
    std::uint16_t code = 0;
    std::string reason;
    std::string error;
};

// A frame that did not decode: a text frame the strict protocol decoder
// rejected, or a binary frame without a valid relay header.
struct bad_frame {
    bool text = false;
    std::string raw;
    std::string problem;
};

// Nothing arrived within the timeout; the connection is still usable.
struct timed_out {
    std::chrono::milliseconds waited{0};
};

using incoming = std::variant<control_frame, relay_frame, closed, bad_frame, timed_out>;

// One line describing what arrived, for failure messages.
std::string describe(const incoming& in);

} // namespace peerline::client
