#include "net/static_files.hpp"

#include "peerline/crypto/crypto.hpp"

#include "core/log.hpp"
#include "net/http_api.hpp"
#include "net/release_check.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace peerline {

namespace {

namespace fs = std::filesystem;

constexpr const char* placeholder_page = R"html(<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Peerline</title></head>
<body>
<main>
<h1>Peerline</h1>
<p>Confidential peer support for GPs. Conversations are end-to-end encrypted:
this server relays them and stores no message contents, ever.</p>
<p>The web client is not built yet. The server's JSON API and WebSocket endpoint are running.</p>
</main>
</body>
</html>
)html";

std::string_view mime_type(const fs::path& p) {
    auto ext = p.extension().string();
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".json") return "application/json";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".ico") return "image/x-icon";
    if (ext == ".wasm") return "application/wasm";
    if (ext == ".woff2") return "font/woff2";
    if (ext == ".txt") return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

http_response page(const http_request& req, http::status status, std::string_view type,
                   const std::string& body, const std::string& etag) {
    http_response res{status, req.version()};
    res.set(http::field::server, "peerline");
    res.set(http::field::content_type, type);
    // Scripts and connections only to this origin. 'wasm-unsafe-eval' lets
    // libsodium's WebAssembly compile; it does not allow eval of JavaScript.
    res.set("Content-Security-Policy", content_security_policy);
    res.set("Referrer-Policy", "no-referrer");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Cross-Origin-Opener-Policy", "same-origin");
    res.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()");
    // Nothing of Peerline may stay in the browser's cache (a GP's quick exit
    // must leave no trace there), pages and bundles alike: every response is
    // fetched afresh. The ETag still spares the body when it is unchanged.
    res.set(http::field::cache_control, "no-store");
    if (!etag.empty()) res.set(http::field::etag, etag);
    res.keep_alive(req.keep_alive());
    auto match = req.find(http::field::if_none_match);
    if (!etag.empty() && match != req.end() && match->value() == etag) {
        res.result(http::status::not_modified);
        return res;
    }
    if (req.method() == http::verb::head) {
        res.content_length(body.size());
    } else {
        res.body() = body;
        res.prepare_payload();
    }
    return res;
}

} // namespace

static_site::static_site(const std::string& web_root, const std::optional<crypto::e2e::pub32>& release_root) {
    if (web_root.empty()) {
        placeholder_ = true;
        return;
    }
    auto contents = read_web_root(web_root);
    release_fingerprint_ = check_web_root_release(web_root, contents, release_root, content_security_policy);
    log::info("release_verified", {{"web_root", web_root}, {"release", release_fingerprint_},
                                   {"files", contents.size()}});
    for (auto& [path, content] : contents) {
        file f;
        f.mime = std::string(mime_type(fs::path(path)));
        f.etag = "\"" + crypto::token_hash(content).substr(0, 22) + "\"";
        f.content = std::move(content);
        files_.emplace(path, std::move(f));
    }
}

http_response static_site::serve(const http_request& req) const {
    if (req.method() != http::verb::get && req.method() != http::verb::head)
        return json_error(req, http::status::method_not_allowed, "method_not_allowed",
                          "Only GET and HEAD are served here.");
    std::string_view target = req.target();
    auto query = target.find('?');
    if (query != std::string_view::npos) target = target.substr(0, query);
    if (target.empty() || target.front() != '/')
        return json_error(req, http::status::bad_request, "bad_path", "Invalid path.");
    if (placeholder_) {
        if (target == "/" || target == "/index.html")
            return page(req, http::status::ok, "text/html; charset=utf-8", placeholder_page, {});
        return json_error(req, http::status::not_found, "not_found", "Not found.");
    }
    // Only the files that were there at start-up exist: no path is ever
    // resolved on disk, so nothing outside the web root can be reached.
    std::string path(target);
    if (path.back() == '/') path += "index.html";
    auto it = files_.find(path);
    if (it == files_.end()) it = files_.find(path + "/index.html");
    if (it == files_.end()) it = files_.find(path + ".html"); // /listener, /admin
    if (it == files_.end()) return json_error(req, http::status::not_found, "not_found", "Not found.");
    const auto& f = it->second;
    return page(req, http::status::ok, f.mime, f.content, f.etag);
}

} // namespace peerline
