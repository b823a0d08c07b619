// The signed release manifest (crypto/release.hpp): what signs verifies, and
// every other text is refused with a reason — every single-byte change, every
// truncation, a wrong key, a non-canonical re-encoding, input past the limits,
// and random mutations (a property test; this runs under ASan + UBSan in
// scripts/test).
#include "peerline/crypto/crypto.hpp"
#include "peerline/crypto/release.hpp"

#include <catch2/catch.hpp>

#include <random>

namespace release = peerline::crypto::release;
namespace org = peerline::crypto::org;
namespace e2e = peerline::crypto::e2e;

namespace {

org::root_key make_root(const char* seed) {
    peerline::crypto::init();
    e2e::pub32 seed_bytes{};
    for (std::size_t i = 0; seed[i] != '\0' && i < seed_bytes.size(); ++i) seed_bytes[i] = static_cast<std::uint8_t>(seed[i]);
    e2e::deterministic_rng random(seed_bytes);
    auto key = org::parse_key_file(org::keygen(random));
    REQUIRE(key.ok());
    return key.value();
}

release::manifest sample(const org::root_key& root) {
    release::manifest m;
    m.root = root.public_key;
    m.issued = 1'790'000'000;
    m.min_revocation_number = 7;
    m.csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";
    m.files["/index.html"] = release::sha256("<!doctype html><title>GP</title>");
    m.files["/assets/index-3f9a.js"] = release::sha256("console.log('hi')");
    return m;
}

} // namespace

TEST_CASE("a signed release manifest verifies and reads back as signed", "[release]") {
    auto root = make_root("root-a");
    auto m = sample(root);
    auto text = release::sign(m, root);
    auto v = release::verify(text, root.public_key);
    REQUIRE(v.ok());
    CHECK(v.value.files == m.files);
    CHECK(v.value.csp == m.csp);
    CHECK(v.value.min_revocation_number == 7);
    CHECK(v.value.issued == m.issued);
    // One release, one text, one fingerprint (Ed25519 signatures are deterministic).
    CHECK(release::sign(m, root) == text);
    CHECK(release::fingerprint(text).size() == 19);
    CHECK(release::fingerprint(text) != release::fingerprint(text + " "));
}

TEST_CASE("every single-byte change and every truncation of a manifest is refused", "[release]") {
    auto root = make_root("root-a");
    auto text = release::sign(sample(root), root);
    for (std::size_t i = 0; i < text.size(); ++i) {
        for (int flip : {0x01, 0x20, 0x80}) {
            auto bad = text;
            bad[i] = static_cast<char>(static_cast<unsigned char>(bad[i]) ^ flip);
            INFO("byte " << i << " xor " << flip);
            CHECK_FALSE(release::verify(bad, root.public_key).ok());
        }
    }
    for (std::size_t n = 0; n < text.size(); ++n) CHECK_FALSE(release::verify(text.substr(0, n), root.public_key).ok());
}

TEST_CASE("a manifest signed by another key, or for another root, is refused", "[release]") {
    auto root = make_root("root-a");
    auto other = make_root("root-b");
    auto text = release::sign(sample(root), root);
    auto v = release::verify(text, other.public_key);
    CHECK(v.err == release::failure::wrong_root);
    CHECK(v.detail.find(org::fingerprint(other.public_key)) != std::string::npos);

    // A manifest naming the genuine root but signed with another key.
    auto m = sample(other);
    auto forged = release::sign(m, other);
    auto pos = forged.find(org::public_key_text(other.public_key));
    REQUIRE(pos != std::string::npos);
    forged.replace(pos, 43, org::public_key_text(root.public_key));
    CHECK(release::verify(forged, root.public_key).err == release::failure::bad_signature);

    // sign() refuses to sign a manifest naming another root.
    CHECK_THROWS_AS(release::sign(sample(root), other), std::invalid_argument);
}

TEST_CASE("a re-encoded manifest (same JSON, other bytes) is refused as not canonical", "[release]") {
    auto root = make_root("root-a");
    auto text = release::sign(sample(root), root);
    auto compact = text;
    std::erase(compact, '\n');
    CHECK(release::verify(compact, root.public_key).err == release::failure::not_canonical);
    CHECK(release::verify(text + "\n", root.public_key).err == release::failure::not_canonical);
    CHECK(release::verify(text.substr(0, text.size() - 1), root.public_key).err == release::failure::not_canonical);
}

TEST_CASE("manifest fields outside their limits are refused when signing and when verifying", "[release]") {
    auto root = make_root("root-a");
    auto bad_path = [&](const std::string& path) {
        auto m = sample(root);
        m.files[path] = release::sha256("x");
        return m;
    };
    for (std::string p : std::vector<std::string>{"index.html", "/", "/a//b", "/a/../b", "/./a", "/a/", "/a b", "/a%2e", "/a?x", "/a#x",
                          "/a\"b", "/a\\b", "/caf\xc3\xa9", std::string(release::manifest_path),
                          "/" + std::string(release::max_path_bytes, 'a')}) {
        INFO(p);
        CHECK_FALSE(release::path_problem(p).empty());
        CHECK_THROWS_AS(release::sign(bad_path(p), root), std::invalid_argument);
    }
    CHECK(release::path_problem("/assets/index-3f9a_x.js").empty());
    auto m = sample(root);
    m.csp = "";
    CHECK_THROWS_AS(release::sign(m, root), std::invalid_argument);
    m.csp = std::string(release::max_csp_bytes + 1, 'a');
    CHECK_THROWS_AS(release::sign(m, root), std::invalid_argument);
    m = sample(root);
    m.min_revocation_number = release::max_number + 1;
    CHECK_THROWS_AS(release::sign(m, root), std::invalid_argument);
    m = sample(root);
    m.files.clear();
    CHECK_THROWS_AS(release::sign(m, root), std::invalid_argument);
    for (std::size_t i = 0; i <= release::max_files; ++i) m.files["/f" + std::to_string(i)] = {};
    CHECK_THROWS_AS(release::sign(m, root), std::invalid_argument);

    CHECK(release::verify(std::string(release::max_manifest_bytes + 1, ' '), root.public_key).err ==
          release::failure::too_large);
    CHECK(release::verify(std::string(100000, '[') + std::string(100000, ']'), root.public_key).err ==
          release::failure::not_json);
    CHECK(release::verify(R"({"files":{"/a":{"x":1}}})", root.public_key).err == release::failure::not_json);
    CHECK(release::verify("[]", root.public_key).err == release::failure::bad_field);
}

TEST_CASE("random mutations of a manifest never verify and never crash (property)", "[release]") {
    auto root = make_root("root-a");
    auto text = release::sign(sample(root), root);
    std::mt19937 gen(20261202);
    for (int round = 0; round < 3000; ++round) {
        auto bad = text;
        auto edits = 1 + gen() % 4;
        for (unsigned e = 0; e < edits; ++e) {
            auto pos = gen() % (bad.size() + 1);
            switch (gen() % 3) {
            case 0: if (pos < bad.size()) bad[pos] = static_cast<char>(gen()); break;
            case 1: bad.insert(pos, 1, "{}[]\",:0a/\\ \n"[gen() % 13]); break;
            default: if (pos < bad.size()) bad.erase(pos, 1 + gen() % 8); break;
            }
        }
        if (bad == text) continue;
        INFO(bad);
        CHECK_FALSE(release::verify(bad, root.public_key).ok());
    }
}

TEST_CASE("comparing files with the manifest names the first difference", "[release]") {
    auto root = make_root("root-a");
    auto m = sample(root);
    std::map<std::string, std::string, std::less<>> files{{"/index.html", "<!doctype html><title>GP</title>"},
                                                          {"/assets/index-3f9a.js", "console.log('hi')"}};
    CHECK_FALSE(release::compare(m, files).has_value());
    auto tampered = files;
    tampered["/assets/index-3f9a.js"] += ";fetch('/x')";
    auto d = release::compare(m, tampered);
    REQUIRE(d);
    CHECK(d->path == "/assets/index-3f9a.js");
    CHECK(d->what.find("differs") != std::string::npos);
    auto extra = files;
    extra["/assets/extra.js"] = "";
    CHECK(release::compare(m, extra)->what == "is not in the signed release");
    auto missing = files;
    missing.erase("/index.html");
    CHECK(release::compare(m, missing)->what == "is in the signed release but missing");
}
