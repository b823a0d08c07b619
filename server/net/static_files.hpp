// Serves the web client's built files (GET/HEAD only) from memory, with a
// strict Content-Security-Policy and `Cache-Control: no-store` (nothing of
// Peerline stays in the browser's cache).
// The directory is read once at start-up (never on an I/O thread; restart
// after rebuilding the web client). With no directory configured a built-in
// placeholder page says the web client is not built.
#pragma once

#include "net/beast.hpp"

#include <map>
#include <memory>
#include <string>

namespace peerline {

class static_site {
public:
    // Reads every regular file under `web_root` (empty: the placeholder only).
    // Throws std::runtime_error if the directory is unreadable, a file is over
    // 8 MiB, or all of them together are over 64 MiB.
    explicit static_site(const std::string& web_root);

    http_response serve(const http_request& req) const;

private:
    struct file {
        std::string content;
        std::string mime;
        std::string etag; // quoted
    };
    std::map<std::string, file, std::less<>> files_; // by URL path, "/index.html"
    bool placeholder_ = false;
};

} // namespace peerline
