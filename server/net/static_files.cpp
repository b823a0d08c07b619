#include "net/static_files.hpp"

#include "net/http_api.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace peerline {

namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t max_static_file_bytes = 8 * 1024 * 1024;

constexpr const char* placeholder_page = R"html(<!doctype html>
<html lang="en">
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
                   std::string body, bool immutable) {
    http_response res{status, req.version()};
    res.set(http::field::server, "peerline");
    res.set(http::field::content_type, type);
    res.set("Content-Security-Policy",
            "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
            "form-action 'self'");
    res.set("Referrer-Policy", "no-referrer");
    res.set("X-Content-Type-Options", "nosniff");
    res.set(http::field::cache_control,
            immutable ? "public, max-age=31536000, immutable" : "no-cache");
    res.keep_alive(req.keep_alive());
    if (req.method() == http::verb::head) {
        res.content_length(body.size());
    } else {
        res.body() = std::move(body);
        res.prepare_payload();
    }
    return res;
}

} // namespace

http_response serve_static(const http_request& req, const std::string& web_root) {
    if (req.method() != http::verb::get && req.method() != http::verb::head)
        return json_error(req, http::status::method_not_allowed, "method_not_allowed",
                          "Only GET and HEAD are served here.");
    std::string_view target = req.target();
    auto query = target.find('?');
    if (query != std::string_view::npos) target = target.substr(0, query);
    if (target.empty() || target.front() != '/' || target.find("..") != std::string_view::npos ||
        target.find('\\') != std::string_view::npos || target.find('\0') != std::string_view::npos)
        return json_error(req, http::status::bad_request, "bad_path", "Invalid path.");

    if (web_root.empty()) {
        if (target == "/" || target == "/index.html")
            return page(req, http::status::ok, "text/html; charset=utf-8", placeholder_page, false);
        return json_error(req, http::status::not_found, "not_found", "Not found.");
    }

    fs::path path = fs::path(web_root) / std::string(target.substr(1));
    std::error_code ec;
    if (target == "/" || fs::is_directory(path, ec)) path /= "index.html";
    auto size = fs::file_size(path, ec);
    if (ec || !fs::is_regular_file(path, ec))
        return json_error(req, http::status::not_found, "not_found", "Not found.");
    if (size > max_static_file_bytes)
        return json_error(req, http::status::internal_server_error, "too_large", "File too large.");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    // Bundles under assets/ carry a content hash in their names: cache forever.
    bool immutable = target.rfind("/assets/", 0) == 0;
    return page(req, http::status::ok, mime_type(path), content.str(), immutable);
}

} // namespace peerline
