// The web client's signed release in integration tests (docs/CRYPTO.md §9.2):
// the server only serves a --web-root that matches a manifest signed by its
// root, so a test that serves files makes a root key with `peerline org
// keygen` and signs its web root with `peerline org sign-release`.
#pragma once

#include <filesystem>
#include <string>

namespace peerline::integration {

struct root_key_file {
    std::filesystem::path path;
    std::string public_key; // for --org-public-key
};

// `peerline org keygen --key FILE`. Throws with the output if it fails.
root_key_file make_root_key(const std::filesystem::path& file);

// `peerline org sign-release --key ROOT --web-root DIR`; returns its output.
// Throws with that output if it refuses.
std::string sign_release(const root_key_file& root, const std::filesystem::path& web_root);

} // namespace peerline::integration
