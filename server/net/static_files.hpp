// Serves the web client's built files (GET/HEAD only) from memory, with a
// strict Content-Security-Policy and `Cache-Control: no-store` (nothing of
// Peerline stays in the browser's cache).
// The directory is read once at start-up (never on an I/O thread; restart
// after rebuilding the web client) and must match the release manifest the
// organisation root signed (net/release_check.hpp). With no directory
// configured a built-in placeholder page, which runs no script, says the web
// client is not built.
#pragma once

#include "net/beast.hpp"
#include "peerline/crypto/e2e/types.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace peerline {

// The policy every page and file is served under. The signed release
// manifest names it too, and the server refuses a release signed for another.
inline constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; "
    "style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

class static_site {
public:
    // Reads every regular file under `web_root` (empty: the placeholder only)
    // and checks them against the release manifest signed by `release_root`.
    // Throws std::runtime_error if the directory is unreadable, a file is over
    // 8 MiB, all of them together are over 64 MiB, or the check fails.
    static_site(const std::string& web_root, const std::optional<crypto::e2e::pub32>& release_root);

    http_response serve(const http_request& req) const;

    // The verified release's short fingerprint ("" for the placeholder).
    const std::string& release_fingerprint() const noexcept { return release_fingerprint_; }

private:
    struct file {
        std::string content;
        std::string mime;
        std::string etag; // quoted
    };
    std::map<std::string, file, std::less<>> files_; // by URL path, "/index.html"
    bool placeholder_ = false;
    std::string release_fingerprint_;
};

} // namespace peerline
