// Structured JSON logs: one JSON object per line on stderr.
//
// Contract: callers pass an event name and fields; this module never logs
// message contents, tokens, passwords or GP identifiers because callers never
// hand them in — keep it that way (review rule, checked by the canary test).
// Thread-safe: a line is written with one write(2) under a mutex.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

namespace peerline::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3 };

void set_level(level l) noexcept;
bool parse_level(std::string_view text, level& out) noexcept;
bool enabled(level l) noexcept;

void write(level l, std::string_view event, const nlohmann::json& fields = nlohmann::json::object());

inline void debug(std::string_view e, const nlohmann::json& f = nlohmann::json::object()) {
    if (enabled(level::debug)) write(level::debug, e, f);
}
inline void info(std::string_view e, const nlohmann::json& f = nlohmann::json::object()) {
    write(level::info, e, f);
}
inline void warn(std::string_view e, const nlohmann::json& f = nlohmann::json::object()) {
    write(level::warn, e, f);
}
inline void error(std::string_view e, const nlohmann::json& f = nlohmann::json::object()) {
    write(level::error, e, f);
}

} // namespace peerline::log
