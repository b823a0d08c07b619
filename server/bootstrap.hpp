// First-run set-up done at start-up, before any I/O thread runs (so it may
// block): the administrator account on an empty database, the demo listener
// with --demo, and the secret that pseudonymises addresses in rate-limit keys.
#pragma once

#include "core/config.hpp"
#include "peerline/crypto/crypto.hpp"
#include "domain/trust.hpp"
#include "redis/sync_client.hpp"

#include <string>

namespace peerline {

struct bootstrap_result {
    std::string address_key;
};

// Prints one-time passwords on stdout (never to the log).
bootstrap_result bootstrap(redis::sync_client& redis, const server_config& cfg,
                           const crypto::pwhash_params& params);

// The organisation's keys this node knows (--org-public-key; in demo mode the
// demo root key, created if missing, and a signed revocation list kept fresh
// in Redis). Prints what demo mode does. Throws std::runtime_error.
trust::org_keys prepare_org_keys(redis::sync_client& redis, const server_config& cfg);

// Parses "interactive" | "moderate" | "minimum"; throws std::invalid_argument.
crypto::pwhash_params pwhash_params_from_name(const std::string& name);

} // namespace peerline
