// `peerline org keygen|certify|revoke`: what administrators do with the
// organisation's offline root key, on files. The server itself never holds
// the root private key; it only stores and hands out certificates and the
// signed revocation list. docs/CRYPTO.md has the formats.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace peerline {

struct org_command {
    std::string action;      // keygen | certify | revoke | show
    std::string key_file;    // the root key file (keygen writes it)
    std::string in_file;     // certify: enrolment request; revoke: current list (optional)
    std::string out_file;    // certificate or revocation list (base64url text)
    std::string role = "listener";
    unsigned days = 30;
    std::vector<std::uint64_t> serials; // revoke
};

int run_org(const org_command& cmd);

} // namespace peerline
