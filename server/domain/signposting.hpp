// The 24/7 alternatives shown to GPs when nobody can take their request and
// on the landing page: from a JSON file (--signposting-file) or a built-in
// list, replaceable by administrators through the JSON API (kept in Redis,
// durable, under keys::signposting).
#pragma once

#include "peerline/protocol/messages.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

namespace peerline {

// At most 8 entries of at most 200 bytes each, so a signposting frame fits
// one control frame.
constexpr std::size_t max_alternatives = 8;
constexpr std::size_t max_alternative_text = 200;

// A JSON list of {name, contact, hours} non-empty strings and nothing else;
// nullopt with `error` set otherwise.
std::optional<std::vector<protocol::alternative>> parse_alternatives(const nlohmann::json& doc,
                                                                     std::string& error);
nlohmann::json alternatives_json(const std::vector<protocol::alternative>& list);

// Throws std::runtime_error with a clear message if the file is unreadable or
// invalid. An empty path gives the built-in UK list.
std::vector<protocol::alternative> load_alternatives(const std::string& path);

} // namespace peerline
