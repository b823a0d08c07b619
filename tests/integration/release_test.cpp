// The signed release of the web client at deployment (docs/CRYPTO.md §9): the
// real server refuses to start with a web root that does not match a release
// manifest signed by the organisation root it is configured with — a tampered
// byte, an extra or a missing file, no manifest, a manifest signed by another
// key or forged for this root, or no root at all — and serves a signed one,
// manifest included. Signing is the real `peerline org sign-release`.
#include "fixture.hpp"
#include "signed_release.hpp"

#include "peerline/crypto/crypto.hpp"
#include "peerline/crypto/org.hpp"
#include "peerline/crypto/release.hpp"
#include "peerline/test_support/files.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace peerline::integration;
namespace org = peerline::crypto::org;
namespace release = peerline::crypto::release;

namespace {

namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

ts::command_result run_peerline(const std::vector<std::string>& args, const fs::path& scratch,
                            std::chrono::milliseconds timeout = 30s) {
    std::vector<std::string> argv{peerline_binary().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return ts::run_command(argv, "", scratch, timeout);
}

root_key_file make_root(const ts::temp_dir& dir, const std::string& name) {
    return make_root_key(dir / (name + ".key"));
}

// A small built web client pinning `root` (as scripts/build-web does).
fs::path make_site(const ts::temp_dir& dir, const std::string& name, const root_key_file& root) {
    auto web = dir / name;
    write(web / "index.html", "<!doctype html><title>GP</title><script type=module src=\"/assets/index-1a2b.js\"></script>");
    write(web / "listener.html", "<!doctype html><title>Listener</title>");
    write(web / "assets" / "index-1a2b.js", "const ROOT = \"" + root.public_key + "\";\n");
    return web;
}

void sign(const ts::temp_dir&, const root_key_file& root, const fs::path& web) {
    auto out = sign_release(root, web);
    CHECK(out.find("release:") != std::string::npos);
}

// Runs `peerline serve` on the web root and expects it to refuse to start:
// returns its error output.
std::string refused(const ts::temp_dir& dir, const ts::redis_process& redis, const fs::path& web,
                    std::vector<std::string> extra) {
    std::vector<std::string> args{"serve", "--bind", "127.0.0.1", "--port", "0", "--redis", redis.url(),
                                  "--data-dir", (dir / "data").string(), "--password-hash-cost", "minimum",
                                  "--web-root", web.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_peerline(args, dir.path(), 20s);
    INFO(r.out << r.err);
    REQUIRE(r.status.exited); // not still running when the timeout killed it
    CHECK(r.status.code == 1);
    return r.err;
}

} // namespace

TEST_CASE("a web root signed by the configured root is served, manifest included", "[release]") {
    ts::temp_dir dir("peerline-release");
    auto root = make_root(dir, "root");
    auto web = make_site(dir, "web", root);
    sign(dir, root, web);
    peerline_stack s({{"--web-root", web.string(), "--org-public-key", root.public_key}});
    auto manifest = tc::http_get(s.ep(), std::string(release::manifest_path));
    REQUIRE(manifest.status == 200);
    CHECK(manifest.body == ts::read_file(web / ".well-known" / "peerline-release.json"));
    auto root_key = org::parse_key_file(ts::read_file(root.path));
    auto v = release::verify(manifest.body, root_key->public_key);
    REQUIRE(v.ok());
    CHECK(v.value.files.size() == 3);
    // The manifest names the policy the server actually sends.
    CHECK(tc::http_get(s.ep(), "/").header("Content-Security-Policy") == v.value.csp);
    CHECK(tc::http_get(s.ep(), "/assets/index-1a2b.js").status == 200);
}

TEST_CASE("the server refuses to start with a web root that does not match its signed release", "[release]") {
    ts::temp_dir dir("peerline-release");
    ts::redis_process redis(dir / "redis");
    auto root = make_root(dir, "root");
    auto web = make_site(dir, "web", root);
    sign(dir, root, web);
    const std::vector<std::string> with_root{"--org-public-key", root.public_key};

    SECTION("one byte of a served script changed after signing") {
        auto js = web / "assets" / "index-1a2b.js";
        auto text = ts::read_file(js);
        text[0] = 'l'; // "const" -> "lonst"
        write(js, text);
        auto err = refused(dir, redis, web, with_root);
        CHECK(err.find("/assets/index-1a2b.js differs from the signed release") != std::string::npos);
        CHECK(err.find("sign-release") != std::string::npos);
    }
    SECTION("a file added after signing") {
        write(web / "assets" / "extra.js", "fetch('/steal')");
        CHECK(refused(dir, redis, web, with_root).find("/assets/extra.js is not in the signed release") !=
              std::string::npos);
    }
    SECTION("a signed file removed") {
        fs::remove(web / "listener.html");
        CHECK(refused(dir, redis, web, with_root).find("/listener.html is in the signed release but missing") !=
              std::string::npos);
    }
    SECTION("no manifest (an unsigned build)") {
        fs::remove(web / ".well-known" / "peerline-release.json");
        CHECK(refused(dir, redis, web, with_root).find("no signed release manifest") != std::string::npos);
    }
    SECTION("a manifest signed by another key") {
        auto rogue = make_root(dir, "rogue");
        auto rogue_web = make_site(dir, "rogue-web", rogue);
        sign(dir, rogue, rogue_web);
        CHECK(refused(dir, redis, rogue_web, with_root).find("(wrong_root)") != std::string::npos);
        // The same manifest made to name the genuine root: its signature fails.
        auto manifest = rogue_web / ".well-known" / "peerline-release.json";
        auto text = ts::read_file(manifest);
        auto at = text.find(rogue.public_key);
        REQUIRE(at != std::string::npos);
        text.replace(at, rogue.public_key.size(), root.public_key);
        write(manifest, text);
        CHECK(refused(dir, redis, rogue_web, with_root).find("(bad_signature)") != std::string::npos);
    }
    SECTION("a manifest edited by hand (another file's hash swapped in)") {
        auto manifest = web / ".well-known" / "peerline-release.json";
        auto text = ts::read_file(manifest);
        auto js = web / "assets" / "index-1a2b.js";
        auto old_hash = release::to_hex(release::sha256(ts::read_file(js)));
        write(js, "fetch('/steal')");
        auto at = text.find(old_hash);
        REQUIRE(at != std::string::npos);
        text.replace(at, old_hash.size(), release::to_hex(release::sha256("fetch('/steal')")));
        write(manifest, text);
        CHECK(refused(dir, redis, web, with_root).find("(bad_signature)") != std::string::npos);
    }
    SECTION("no root configured to check it against") {
        CHECK(refused(dir, redis, web, {}).find("give --org-public-key") != std::string::npos);
    }
}

TEST_CASE("sign-release refuses a build that pins another root", "[release]") {
    ts::temp_dir dir("peerline-release");
    auto root = make_root(dir, "root");
    auto other = make_root(dir, "other");
    auto web = make_site(dir, "web", other);
    auto r = run_peerline({"org", "sign-release", "--key", root.path.string(), "--web-root", web.string()}, dir.path());
    CHECK(r.status.exited);
    CHECK(r.status.code == 1);
    CHECK(r.err.find("pins this root's public key") != std::string::npos);
    CHECK_FALSE(fs::exists(web / ".well-known" / "peerline-release.json"));
}

TEST_CASE("demo mode checks the web root against the demo root", "[release]") {
    ts::temp_dir dir("peerline-release");
    auto demo = make_root(dir, "demo-root");
    auto web = make_site(dir, "web", demo);
    sign(dir, demo, web);
    peerline_stack s({{"--demo", "--demo-org-key", demo.path.string(), "--web-root", web.string()}});
    CHECK(tc::http_get(s.ep(), "/").status == 200);

    ts::redis_process redis(dir / "redis2");
    auto other = make_root(dir, "other-demo-root");
    CHECK(refused(dir, redis, web, {"--demo", "--demo-org-key", other.path.string()}).find("(wrong_root)") !=
          std::string::npos);
}
