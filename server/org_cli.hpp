// `peerline org ...`: what administrators do with the organisation's offline
// root key and the revocation key it delegates, on files. The relay server
// never holds either private key; it only stores and hands out certificates,
// the directory, the delegation and the signed revocation lists.
// docs/CRYPTO.md has the formats, docs/OPERATIONS.md the routine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace peerline {

struct org_command {
    std::string action;      // keygen | show | certify | revocation-keygen | delegate-revocation | sign-revocation-list
    std::string key_file;    // the root key file (keygen writes it)
    std::string in_file;     // certify: enrolment request
    std::string out_file;    // what the action writes (base64url text, or JSON for the upload)
    std::string role = "listener";
    unsigned days = 30;
    // certify
    std::string expect_fingerprint;  // read out by the listener from their own device
    std::string directory_file;      // certify: read if present, then replaced; sign: the directory to name
    // revocation key
    std::string revocation_key_file;
    std::string revocation_public_key;  // delegate-revocation: base64url
    std::string delegation_file;
    std::string org_public_key;         // sign-revocation-list: the pinned root, base64url
    std::string trust_state_file;       // sign-revocation-list: the JSON of GET /api/revocation-list
    std::string state_file;             // sign-revocation-list: the last list this signer made (read, replaced)
    std::vector<std::string> previous_files;
    unsigned hours = 48;
    std::vector<std::uint64_t> serials; // sign-revocation-list --revoke
};

// Adds the `org` subcommands to `app`; `cmd.action` says which one ran.
CLI::App* add_org_commands(CLI::App& app, org_command& cmd);

int run_org(const org_command& cmd);

} // namespace peerline
