// The web root as the server reads it, and its check against the signed
// release manifest at start-up (docs/CRYPTO.md §9): a web root whose files
// are not exactly the ones the organisation root signed, or that is served
// under another Content-Security-Policy, is refused, so a stale or tampered
// build is caught when it is deployed. `peerline org sign-release` reads the
// web root with the same function, so what is signed is what is served.
#pragma once

#include "peerline/crypto/e2e/types.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace peerline {

// URL path ("/index.html", "/.well-known/peerline-release.json") -> bytes.
using web_root_files = std::map<std::string, std::string, std::less<>>;

inline constexpr std::uintmax_t max_web_file_bytes = 8 * 1024 * 1024;
inline constexpr std::uintmax_t max_web_root_bytes = 64 * 1024 * 1024;

// Reads every regular file under `dir`. Throws std::runtime_error if the
// directory is unreadable, a file is over 8 MiB, or all of them together
// are over 64 MiB.
web_root_files read_web_root(const std::string& dir);

// Checks `files` (read from `dir`) against the manifest among them, signed
// by `root` and naming `csp`. Returns the release's short fingerprint.
// Throws std::runtime_error saying what is wrong and what to do: no root
// configured, no manifest, a manifest that does not verify, another CSP, or
// the first file that is missing, extra or different.
std::string check_web_root_release(const std::string& dir, const web_root_files& files,
                                   const std::optional<crypto::e2e::pub32>& root, std::string_view csp);

} // namespace peerline
