// The built web client as the server delivers it: from memory, with a strict
// Content-Security-Policy, no referrer, `Cache-Control: no-store` on pages
// and bundles alike (nothing of Peerline stays in the browser's cache) and
// ETags; nothing outside the web root can be reached. The web root is a
// signed release (release_test.cpp checks what happens when it is not).
#include "fixture.hpp"
#include "signed_release.hpp"

#include "peerline/test_support/files.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace peerline::integration;

namespace {
void write(const std::filesystem::path& p, const std::string& text) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}
} // namespace

TEST_CASE("the web client is served from memory with a strict policy and nothing cached",
          "[http][static]") {
    ts::temp_dir site("peerline-site");
    write(site / "web" / "index.html", "<!doctype html><title>GP</title>");
    write(site / "web" / "listener.html", "<!doctype html><title>Listener</title>");
    auto root = make_root_key(site / "root.key");
    write(site / "web" / "assets" / "main-3f9a.js", "console.log('" + root.public_key + "')");
    write(site / "secret.txt", "outside the web root");
    sign_release(root, site / "web");
    peerline_stack s({{"--web-root", (site / "web").string(), "--org-public-key", root.public_key}});

    auto index = tc::http_get(s.ep(), "/");
    REQUIRE(index.status == 200);
    CHECK(index.body == "<!doctype html><title>GP</title>");
    CHECK(index.header("Content-Type") == "text/html; charset=utf-8");
    auto csp = index.header("Content-Security-Policy");
    CHECK(csp.find("script-src 'self' 'wasm-unsafe-eval';") != std::string::npos);
    CHECK(csp.find("connect-src 'self'") != std::string::npos);
    CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
    CHECK(csp.find("unsafe-inline") == std::string::npos);
    CHECK(index.header("Referrer-Policy") == "no-referrer");
    CHECK(index.header("X-Content-Type-Options") == "nosniff");
    CHECK(index.header("Cache-Control") == "no-store");
    auto etag = index.header("ETag");
    REQUIRE(etag.size() > 2);

    // Revalidation costs no body; a changed tag gets the page again.
    auto again = tc::http_get(s.ep(), "/", {{"If-None-Match", etag}});
    CHECK(again.status == 304);
    CHECK(again.body.empty());
    CHECK(tc::http_get(s.ep(), "/", {{"If-None-Match", "\"other\""}}).status == 200);

    CHECK(tc::http_get(s.ep(), "/listener.html").body == "<!doctype html><title>Listener</title>");
    CHECK(tc::http_get(s.ep(), "/listener").body == "<!doctype html><title>Listener</title>");
    auto bundle = tc::http_get(s.ep(), "/assets/main-3f9a.js?v=1");
    REQUIRE(bundle.status == 200);
    CHECK(bundle.header("Content-Type") == "text/javascript; charset=utf-8");
    CHECK(bundle.header("Cache-Control") == "no-store");
    CHECK(bundle.header("ETag") != etag);

    // Only files that were in the web root at start-up exist.
    CHECK(tc::http_get(s.ep(), "/../secret.txt").status == 404);
    CHECK(tc::http_get(s.ep(), "/assets/../../secret.txt").status == 404);
    CHECK(tc::http_get(s.ep(), "/%2e%2e/secret.txt").status == 404);
    CHECK(tc::http_get(s.ep(), "/missing.js").status == 404);
    write(site / "web" / "late.html", "added after start-up");
    CHECK(tc::http_get(s.ep(), "/late.html").status == 404);
    CHECK(tc::http_request(s.ep(), "POST", "/index.html").status == 405);
}

TEST_CASE("without a built web client the server says so on a placeholder page", "[http][static]") {
    peerline_stack s;
    auto page = tc::http_get(s.ep(), "/");
    REQUIRE(page.status == 200);
    CHECK(page.body.find("not built") != std::string::npos);
    CHECK_FALSE(page.header("Content-Security-Policy").empty());
    CHECK(tc::http_get(s.ep(), "/admin.html").status == 404);
}
