// First-run set-up done at start-up, before any I/O thread runs (so it may
// block): the administrator account on an empty database, the demo listener
// with --demo, and the secret that pseudonymises addresses in rate-limit keys.
#pragma once

#include "core/config.hpp"
#include "peerline/crypto/crypto.hpp"
#include "redis/sync_client.hpp"

#include <string>

namespace peerline {

struct bootstrap_result {
    std::string address_key;
};

// Prints one-time passwords on stdout (never to the log).
bootstrap_result bootstrap(redis::sync_client& redis, const server_config& cfg,
                           const crypto::pwhash_params& params);

// Parses "interactive" | "moderate" | "minimum"; throws std::invalid_argument.
crypto::pwhash_params pwhash_params_from_name(const std::string& name);

} // namespace peerline
