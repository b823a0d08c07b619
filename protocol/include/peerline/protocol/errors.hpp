// Typed protocol errors. Every error has a stable snake_case code (sent on the
// wire as "code") and a default human message; docs/PROTOCOL.md lists them.
#pragma once

#include <string>
#include <string_view>

namespace peerline::protocol {

enum class error_code {
    // Framing and JSON syntax
    frame_too_large,       // a control or relay frame is over its limit
    malformed_json,        // not valid JSON (including invalid UTF-8)
    nesting_too_deep,      // JSON nested deeper than limits::max_json_depth
    not_an_object,         // the top-level JSON value is not an object
    too_many_fields,       // more members than limits::max_object_members
    duplicate_field,       // the same member name twice in one object
    string_too_long,       // a string longer than limits::max_string_bytes
    // Envelope
    missing_version,       // no "v" member
    unsupported_version,   // "v" is not 1 (or not an integer)
    missing_type,          // no "type" member, or not a string
    unknown_type,          // "type" names no client message
    // Message body
    missing_field,         // a required member is absent
    wrong_field_type,      // a member has the wrong JSON type
    invalid_field_value,   // right type, value out of range / not in the enum
    unknown_field,         // a member this message type does not define
    // Binary relay frames
    relay_frame_too_short, // fewer than the 4 header bytes
    relay_bad_version,     // header version byte is not 1
    relay_unknown_kind,    // header kind byte is not a defined kind
    relay_bad_channel,     // channel 0
    relay_empty_payload,   // header without payload
    // Session level (produced by the server, not by the decoders)
    not_authenticated,     // anything but hello before a successful hello
    already_authenticated, // a second hello
    invalid_token,         // unknown, malformed or expired session token
    wrong_role,            // the session's role may not send this message
    unknown_channel,       // a relay frame or end_conversation for no open channel
    invalid_state,         // the action does not fit the session's current state
    no_such_offer,         // the offer is unknown, expired or taken
    rate_limited,          // too many attempts; retry later
    service_unavailable,   // a dependency (Redis) is down; nothing was changed
    too_many_connections,  // per-address connection cap reached
    slow_consumer,         // the client did not read fast enough
    not_on_shift,          // a listener may go available only during a rota shift
    internal_error,        // a bug; logged without contents
};

// The wire code, e.g. "unknown_type".
std::string_view to_string(error_code code) noexcept;

// A default human-readable sentence for the code.
std::string_view default_message(error_code code) noexcept;

// An error with a message that may carry detail (a field name, a limit).
// Messages never echo client-supplied values back.
struct error {
    error_code code;
    std::string message;
    bool operator==(const error&) const = default;
};

// Builds an error whose message is default_message(code), optionally
// followed by ": " and detail.
error make_error(error_code code, std::string_view detail = {});

} // namespace peerline::protocol
