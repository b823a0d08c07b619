// Binary relay frames. parse_relay_header runs for every conversation message
// the server forwards, so the checks are plain byte compares and nothing is
// allocated unless the frame is rejected.
#include "peerline/protocol/relay_frame.hpp"

namespace peerline::protocol {
namespace {

// The whole validation, allocation-free: returns the reason a frame is
// invalid, or nullopt and fills `out`. Shared by the server-side parser (which
// turns the code into an error) and the client-side view (which only needs
// yes/no).
std::optional<error_code> check_relay(const std::uint8_t* data, std::size_t size, const limits& lim,
                                      relay_header& out) noexcept {
    // Size first: an oversized frame is refused before any byte is trusted.
    if (size > lim.max_relay_frame_bytes) {
        return error_code::frame_too_large;
    }
    if (size < relay_header_bytes) {
        return error_code::relay_frame_too_short;
    }
    if (data[0] != relay_version) {
        return error_code::relay_bad_version;
    }
    if (data[1] != static_cast<std::uint8_t>(relay_kind::e2e_payload)) {
        return error_code::relay_unknown_kind;
    }
    const auto channel = static_cast<std::uint16_t>((data[2] << 8) | data[3]);
    if (channel == 0) {
        return error_code::relay_bad_channel;
    }
    if (size == relay_header_bytes) {
        return error_code::relay_empty_payload;
    }
    out = relay_header{static_cast<relay_kind>(data[1]), channel};
    return std::nullopt;
}

} // namespace

relay_parse_result parse_relay_header(const std::uint8_t* data, std::size_t size,
                                      const limits& lim) noexcept {
    relay_parse_result result;
    relay_header header;
    if (const auto code = check_relay(data, size, lim, header)) {
        // The only allocation, and only on the error path. A std::bad_alloc
        // for a message this small would end the process, as noexcept says.
        result.err = make_error(*code);
    } else {
        result.header = header;
    }
    return result;
}

void rewrite_relay_channel(std::uint8_t* frame, std::uint16_t channel) noexcept {
    frame[2] = static_cast<std::uint8_t>(channel >> 8);
    frame[3] = static_cast<std::uint8_t>(channel & 0xFFu);
}

std::string make_relay_frame(std::uint16_t channel, std::string_view payload, relay_kind kind) {
    // No validation on purpose: tests build invalid frames (channel 0, empty
    // payload) with it to check that the server refuses them.
    std::string frame;
    frame.reserve(relay_header_bytes + payload.size());
    frame.push_back(static_cast<char>(relay_version));
    frame.push_back(static_cast<char>(kind));
    frame.push_back(static_cast<char>(channel >> 8));
    frame.push_back(static_cast<char>(channel & 0xFFu));
    frame.append(payload);
    return frame;
}

std::optional<relay_view> view_relay_frame(std::string_view frame, const limits& lim) noexcept {
    relay_header header;
    // Reading chars as unsigned bytes is allowed by the aliasing rules.
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(frame.data());
    if (check_relay(bytes, frame.size(), lim, header)) {
        return std::nullopt;
    }
    return relay_view{header, frame.substr(relay_header_bytes)};
}

} // namespace peerline::protocol
