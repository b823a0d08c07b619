// The 24/7 alternatives shown to GPs when nobody can take their request,
// from a JSON file (--signposting-file) or a built-in list.
#pragma once

#include "peerline/protocol/messages.hpp"

#include <string>
#include <vector>

namespace peerline {

// Throws std::runtime_error with a clear message if the file is unreadable
// or not a list of {name, contact, hours} strings (at most 8 entries of at most 200 bytes each, so the signposting frame fits one control frame).
std::vector<protocol::alternative> load_alternatives(const std::string& path);

} // namespace peerline
