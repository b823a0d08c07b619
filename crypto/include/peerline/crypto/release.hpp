// The signed release manifest of the web client (docs/CRYPTO.md §9): every
// file the server serves with its SHA-256, the Content-Security-Policy it is
// served under, the organisation root key pinned in the build, and the
// lowest revocation-list number the build accepts, signed by that root.
// The server checks its web root against it at start-up and `peerline
// verify-web` checks a live service against it, so a stale, tampered or
// swapped build shows up. Pure: the callers read files and sockets.
//
// The file is canonical JSON (nlohmann's encoding: keys sorted, two-space
// indent, a final newline); a manifest whose text is not exactly what
// sign() would write is refused, so one release has one byte form and one
// fingerprint. Every string in it is printable ASCII.
#pragma once

#include "peerline/crypto/e2e/types.hpp"
#include "peerline/crypto/org.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace peerline::crypto::release {

// Where the manifest is served (and lies in the web root, as
// .well-known/peerline-release.json). It does not list itself.
inline constexpr std::string_view manifest_path = "/.well-known/peerline-release.json";
inline constexpr std::string_view format_name = "peerline-release/1";

// Limits on what a manifest may hold; verify() refuses anything beyond them
// before looking further.
inline constexpr std::size_t max_manifest_bytes = 1024 * 1024;
inline constexpr std::size_t max_files = 4096;
inline constexpr std::size_t max_path_bytes = 256;
inline constexpr std::size_t max_csp_bytes = 4096;
// Numbers stay below 2^53 so that JavaScript reads them exactly.
inline constexpr std::uint64_t max_number = (std::uint64_t{1} << 53) - 1;

using digest = std::array<std::uint8_t, 32>;

struct manifest {
    e2e::pub32 root{};                     // the organisation root public key pinned in the build
    std::uint64_t issued = 0;              // Unix seconds when it was signed
    std::uint64_t min_revocation_number = 0;
    std::string csp;                       // the Content-Security-Policy header, exactly
    std::map<std::string, digest, std::less<>> files; // URL path ("/index.html") -> SHA-256
};

digest sha256(std::string_view data);
std::string to_hex(const digest& d);

// Empty if `path` may be listed: starts with '/', at most max_path_bytes,
// printable ASCII without space, quote, backslash, '%', '?' or '#', no empty,
// "." or ".." segment, does not end in '/', is not the manifest itself.
// Otherwise what is wrong with it.
std::string path_problem(std::string_view path);

// Empty if every field is within the limits above, else the first problem.
std::string field_problem(const manifest& m);

// The manifest file's text, signed by `root`. Throws std::invalid_argument if
// field_problem() is not empty or `root` is not the manifest's root.
std::string sign(const manifest& m, const org::root_key& root);

enum class failure {
    none,
    too_large,      // over max_manifest_bytes
    not_json,       // not JSON, or nested deeper than a manifest is
    bad_field,      // a member is missing, extra, of the wrong type or out of its limits
    not_canonical,  // the text is not exactly what sign() writes
    wrong_root,     // signed for another root than the one expected
    bad_signature,  // the root's signature does not verify
};
std::string_view failure_name(failure f) noexcept;

struct verified {
    failure err = failure::none;
    std::string detail;       // for people: what exactly is wrong
    manifest value;           // meaningful when ok()
    bool ok() const noexcept { return err == failure::none; }
};

// Parses and checks a manifest file against the root the caller trusts.
// Never throws on bad input.
verified verify(std::string_view text, const e2e::pub32& expected_root);

// The release's short fingerprint, what the pages show and people compare:
// the first 8 bytes of SHA-256 of the manifest file, in hex, as
// "xxxx xxxx xxxx xxxx".
std::string fingerprint(std::string_view manifest_text);

// The first difference between a set of files (URL path -> bytes, without the
// manifest itself) and the manifest, in path order: a listed file missing, a
// file not listed, or different bytes. nullopt if they match exactly.
struct mismatch {
    std::string path;
    std::string what;
};
std::optional<mismatch> compare(const manifest& m, const std::map<std::string, std::string, std::less<>>& files);

} // namespace peerline::crypto::release
