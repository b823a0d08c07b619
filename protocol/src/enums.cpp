// Wire names of the protocol's enumerations. Each table is indexed by the
// enum's underlying value, so the order must match the declaration in
// messages.hpp (the static_asserts catch a missing entry, not a reordering;
// the round-trip tests catch that).
#include "peerline/protocol/messages.hpp"

#include <array>
#include <cstddef>

namespace peerline::protocol {
namespace {

constexpr std::array<std::string_view, 3> role_names{"gp", "listener", "admin"};
constexpr std::array<std::string_view, 6> topic_names{"workload", "clinical_case", "complaint",
                                                      "career",   "personal",      "other"};
constexpr std::array<std::string_view, 2> availability_names{"available", "away"};
constexpr std::array<std::string_view, 4> listener_state_names{"available", "busy", "wrapup",
                                                               "away"};
constexpr std::array<std::string_view, 3> signpost_reason_names{"closed", "no_one_on_shift",
                                                                "max_wait"};
constexpr std::array<std::string_view, 7> end_reason_names{
    "completed", "gp_left", "safeguarding_referral", "technical", "partner_disconnected",
    "shutdown",  "other"};
constexpr std::array<std::string_view, 3> ended_by_names{"gp", "listener", "server"};

static_assert(static_cast<std::size_t>(role::admin) + 1 == role_names.size());
static_assert(static_cast<std::size_t>(topic::other) + 1 == topic_names.size());
static_assert(static_cast<std::size_t>(availability::away) + 1 == availability_names.size());
static_assert(static_cast<std::size_t>(listener_state::away) + 1 == listener_state_names.size());
static_assert(static_cast<std::size_t>(signpost_reason::max_wait) + 1 ==
              signpost_reason_names.size());
static_assert(static_cast<std::size_t>(end_reason::other) + 1 == end_reason_names.size());
static_assert(static_cast<std::size_t>(ended_by::server) + 1 == ended_by_names.size());

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::string_view, N>& names, E value) noexcept {
    const auto i = static_cast<std::size_t>(value);
    // An out-of-range value can only come from a bad cast; never index past the table.
    return i < N ? names[i] : std::string_view{"invalid"};
}

template <class E, std::size_t N>
std::optional<E> value_of(const std::array<std::string_view, N>& names,
                          std::string_view s) noexcept {
    for (std::size_t i = 0; i < N; ++i) {
        if (names[i] == s) {
            return static_cast<E>(i);
        }
    }
    return std::nullopt;
}

} // namespace

std::string_view to_string(role r) noexcept {
    return name_of(role_names, r);
}
std::optional<role> role_from_string(std::string_view s) noexcept {
    return value_of<role>(role_names, s);
}

std::string_view to_string(topic t) noexcept {
    return name_of(topic_names, t);
}
std::optional<topic> topic_from_string(std::string_view s) noexcept {
    return value_of<topic>(topic_names, s);
}

std::string_view to_string(availability a) noexcept {
    return name_of(availability_names, a);
}
std::optional<availability> availability_from_string(std::string_view s) noexcept {
    return value_of<availability>(availability_names, s);
}

std::string_view to_string(listener_state s) noexcept {
    return name_of(listener_state_names, s);
}
std::optional<listener_state> listener_state_from_string(std::string_view s) noexcept {
    return value_of<listener_state>(listener_state_names, s);
}

std::string_view to_string(signpost_reason r) noexcept {
    return name_of(signpost_reason_names, r);
}
std::optional<signpost_reason> signpost_reason_from_string(std::string_view s) noexcept {
    return value_of<signpost_reason>(signpost_reason_names, s);
}

std::string_view to_string(end_reason r) noexcept {
    return name_of(end_reason_names, r);
}
std::optional<end_reason> end_reason_from_string(std::string_view s) noexcept {
    return value_of<end_reason>(end_reason_names, s);
}

std::string_view to_string(ended_by b) noexcept {
    return name_of(ended_by_names, b);
}
std::optional<ended_by> ended_by_from_string(std::string_view s) noexcept {
    return value_of<ended_by>(ended_by_names, s);
}

} // namespace peerline::protocol
