// Binary relay frames: how conversation payloads cross the server.
//
//   byte 0     version (1)
//   byte 1     kind    (1 = opaque end-to-end payload)
//   bytes 2-3  channel, big-endian, 1..65535 (per-connection channel number)
//   bytes 4..  payload, opaque to the server, at least 1 byte
//
// The server never looks past byte 3. It rewrites the channel to the
// receiver's channel number in place and forwards the same bytes. No JSON,
// no base64, no copy of the payload is needed on the hot path.
#pragma once

#include "peerline/protocol/errors.hpp"
#include "peerline/protocol/limits.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace peerline::protocol {

inline constexpr std::size_t relay_header_bytes = 4;
inline constexpr std::uint8_t relay_version = 1;

enum class relay_kind : std::uint8_t { e2e_payload = 1 };

struct relay_header {
    relay_kind kind = relay_kind::e2e_payload;
    std::uint16_t channel = 0;
    bool operator==(const relay_header&) const = default;
};

// Validates the header and size of a relay frame. Returns the header, or an
// error (relay_frame_too_short, relay_bad_version, relay_unknown_kind,
// relay_bad_channel, relay_empty_payload, frame_too_large).
struct relay_parse_result {
    std::optional<relay_header> header;
    std::optional<error> err;
};
relay_parse_result parse_relay_header(const std::uint8_t* data, std::size_t size,
                                      const limits& lim) noexcept;

// Overwrites the channel field of a frame already validated by
// parse_relay_header.
void rewrite_relay_channel(std::uint8_t* frame, std::uint16_t channel) noexcept;

// Builds a complete frame (header + payload); used by clients and tests.
std::string make_relay_frame(std::uint16_t channel, std::string_view payload,
                             relay_kind kind = relay_kind::e2e_payload);

// Splits a frame built by make_relay_frame (client side); nullopt if the
// header is invalid.
struct relay_view {
    relay_header header;
    std::string_view payload;
};
std::optional<relay_view> view_relay_frame(std::string_view frame, const limits& lim) noexcept;

} // namespace peerline::protocol
