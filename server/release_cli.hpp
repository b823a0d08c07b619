// The web client's releases on the command line (docs/OPERATIONS.md,
// "Releasing the web client"):
//   peerline org sign-release --key ROOT.key --web-root DIR [--min-revocation-number N]
//     signs the built web client offline: writes DIR/.well-known/peerline-release.json.
//   peerline verify-web URL --org-public-key KEY [--expect-release FP] [--ca-file PEM]
//     fetches what a browser loads from a live service and checks every byte and
//     the Content-Security-Policy against the signed release; exit 0 only if all match.
#pragma once

#include <cstdint>
#include <string>

namespace CLI {
class App;
}

namespace peerline {

struct release_command {
    std::string action; // sign-release | verify-web
    std::string key_file;
    std::string web_root;
    std::uint64_t min_revocation_number = 0;
    std::string url;
    std::string org_public_key;
    std::string expect_release;
    std::string ca_file;
    unsigned timeout_s = 10;
};

// Adds `sign-release` under `org` and `verify-web` at the top level.
void add_release_commands(CLI::App& app, CLI::App& org, release_command& cmd);

// Runs the chosen command; returns the process's exit code (0 = signed, or
// every file matched; 1 = refused or a mismatch, with the reason on stderr).
int run_release(const release_command& cmd);

} // namespace peerline
