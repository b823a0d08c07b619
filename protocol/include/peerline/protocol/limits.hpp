// Explicit limits every decoder in Peerline's wire protocol enforces.
// The server fills these from its configuration; the defaults are the safe
// values documented in docs/PROTOCOL.md.
#pragma once

#include <cstddef>

namespace peerline::protocol {

struct limits {
    // Largest JSON control frame accepted (bytes of the text frame).
    std::size_t max_control_frame_bytes = 8 * 1024;
    // Largest binary relay frame accepted, header included.
    std::size_t max_relay_frame_bytes = 64 * 1024 + 4;
    // Deepest nesting of JSON objects/arrays; the top-level object is depth 1.
    std::size_t max_json_depth = 4;
    // Longest string value (bytes, after JSON unescaping).
    std::size_t max_string_bytes = 256;
    // Most members in one JSON object.
    std::size_t max_object_members = 16;
};

} // namespace peerline::protocol
