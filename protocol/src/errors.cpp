// Wire codes and default messages of protocol::error_code.
// The codes are part of the protocol (docs/PROTOCOL.md lists them); change
// them only together with the spec and every client.
#include "peerline/protocol/errors.hpp"

namespace peerline::protocol {

std::string_view to_string(error_code code) noexcept {
    switch (code) {
    case error_code::frame_too_large:
        return "frame_too_large";
    case error_code::malformed_json:
        return "malformed_json";
    case error_code::nesting_too_deep:
        return "nesting_too_deep";
    case error_code::not_an_object:
        return "not_an_object";
    case error_code::too_many_fields:
        return "too_many_fields";
    case error_code::duplicate_field:
        return "duplicate_field";
    case error_code::string_too_long:
        return "string_too_long";
    case error_code::missing_version:
        return "missing_version";
    case error_code::unsupported_version:
        return "unsupported_version";
    case error_code::missing_type:
        return "missing_type";
    case error_code::unknown_type:
        return "unknown_type";
    case error_code::missing_field:
        return "missing_field";
    case error_code::wrong_field_type:
        return "wrong_field_type";
    case error_code::invalid_field_value:
        return "invalid_field_value";
    case error_code::unknown_field:
        return "unknown_field";
    case error_code::relay_frame_too_short:
        return "relay_frame_too_short";
    case error_code::relay_bad_version:
        return "relay_bad_version";
    case error_code::relay_unknown_kind:
        return "relay_unknown_kind";
    case error_code::relay_bad_channel:
        return "relay_bad_channel";
    case error_code::relay_empty_payload:
        return "relay_empty_payload";
    case error_code::not_authenticated:
        return "not_authenticated";
    case error_code::already_authenticated:
        return "already_authenticated";
    case error_code::invalid_token:
        return "invalid_token";
    case error_code::wrong_role:
        return "wrong_role";
    case error_code::unknown_channel:
        return "unknown_channel";
    case error_code::invalid_state:
        return "invalid_state";
    case error_code::no_such_offer:
        return "no_such_offer";
    case error_code::rate_limited:
        return "rate_limited";
    case error_code::service_unavailable:
        return "service_unavailable";
    case error_code::too_many_connections:
        return "too_many_connections";
    case error_code::slow_consumer:
        return "slow_consumer";
    case error_code::not_on_shift:
        return "not_on_shift";
    case error_code::internal_error:
        return "internal_error";
    }
    // Only reachable through a cast of an out-of-range integer.
    return "internal_error";
}

// Short sentences safe to show to a user; none contains client data.
std::string_view default_message(error_code code) noexcept {
    switch (code) {
    case error_code::frame_too_large:
        return "frame is larger than the limit";
    case error_code::malformed_json:
        return "frame is not valid JSON";
    case error_code::nesting_too_deep:
        return "JSON is nested too deeply";
    case error_code::not_an_object:
        return "frame is not a JSON object";
    case error_code::too_many_fields:
        return "object has too many members";
    case error_code::duplicate_field:
        return "object has the same member twice";
    case error_code::string_too_long:
        return "string is longer than the limit";
    case error_code::missing_version:
        return "missing protocol version \"v\"";
    case error_code::unsupported_version:
        return "unsupported protocol version";
    case error_code::missing_type:
        return "missing message type";
    case error_code::unknown_type:
        return "unknown message type";
    case error_code::missing_field:
        return "missing required field";
    case error_code::wrong_field_type:
        return "field has the wrong JSON type";
    case error_code::invalid_field_value:
        return "field has an invalid value";
    case error_code::unknown_field:
        return "message has a member its type does not define";
    case error_code::relay_frame_too_short:
        return "relay frame is shorter than its header";
    case error_code::relay_bad_version:
        return "relay frame has an unsupported version";
    case error_code::relay_unknown_kind:
        return "relay frame has an unknown kind";
    case error_code::relay_bad_channel:
        return "relay frame has channel 0";
    case error_code::relay_empty_payload:
        return "relay frame has no payload";
    case error_code::not_authenticated:
        return "send hello first";
    case error_code::already_authenticated:
        return "already authenticated";
    case error_code::invalid_token:
        return "invalid or expired session token";
    case error_code::wrong_role:
        return "not allowed for this role";
    case error_code::unknown_channel:
        return "no open conversation on this channel";
    case error_code::invalid_state:
        return "not possible in the current state";
    case error_code::no_such_offer:
        return "offer is unknown, expired or taken";
    case error_code::rate_limited:
        return "too many attempts; try again later";
    case error_code::service_unavailable:
        return "service temporarily unavailable; nothing was changed";
    case error_code::too_many_connections:
        return "too many connections from this address";
    case error_code::slow_consumer:
        return "messages were not read fast enough";
    case error_code::not_on_shift:
        return "not on a rota shift now";
    case error_code::internal_error:
        return "internal error";
    }
    return "internal error";
}

error make_error(error_code code, std::string_view detail) {
    error e{code, std::string(default_message(code))};
    if (!detail.empty()) {
        e.message.append(": ").append(detail);
    }
    return e;
}

} // namespace peerline::protocol
