// Unit tests of the libsodium helpers (docs/CRYPTO.md).
// Reference vectors were computed independently with Python's hashlib.
#include "peerline/crypto/crypto.hpp"

#include <catch2/catch.hpp>
#include <sodium.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>

namespace pc = peerline::crypto;
using namespace std::string_literals;

namespace {

// Argon2id at libsodium's minimum cost keeps these tests fast.
const pc::pwhash_params fast = pc::pwhash_params::minimum();

bool all_of_chars(const std::string& s, std::string_view allowed) {
    return std::all_of(s.begin(), s.end(),
                       [&](char c) { return allowed.find(c) != std::string_view::npos; });
}

constexpr std::string_view base64url_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view lower_hex = "0123456789abcdef";

} // namespace

// ---------------------------------------------------------------------------
// Passwords
// ---------------------------------------------------------------------------

TEST_CASE("init can be called repeatedly", "[crypto]") {
    REQUIRE_NOTHROW(pc::init());
    REQUIRE_NOTHROW(pc::init());
}

TEST_CASE("a password verifies against its own hash and no other", "[crypto][password]") {
    pc::init();
    const std::string h = pc::hash_password("correct horse battery", fast);
    CHECK(pc::verify_password(h, "correct horse battery"));
    CHECK_FALSE(pc::verify_password(h, "correct horse batterY"));
    CHECK_FALSE(pc::verify_password(h, "correct horse battery "));
    CHECK_FALSE(pc::verify_password(h, "correct horse"));
    const std::string other = pc::hash_password("another password", fast);
    CHECK_FALSE(pc::verify_password(other, "correct horse battery"));
}

TEST_CASE("a password hash is an argon2id encoding", "[crypto][password]") {
    pc::init();
    const std::string h = pc::hash_password("some password", fast);
    CHECK(h.rfind("$argon2id$", 0) == 0);
    CHECK(h.find('\0') == std::string::npos);
}

TEST_CASE("two hashes of the same password differ by their salt", "[crypto][password]") {
    pc::init();
    const std::string a = pc::hash_password("same password", fast);
    const std::string b = pc::hash_password("same password", fast);
    CHECK(a != b);
    CHECK(pc::verify_password(a, "same password"));
    CHECK(pc::verify_password(b, "same password"));
}

TEST_CASE("passwords with embedded NUL bytes are hashed in full", "[crypto][password]") {
    pc::init();
    const std::string pw = "abc\0def"s;
    const std::string h = pc::hash_password(pw, fast);
    CHECK(pc::verify_password(h, pw));
    CHECK_FALSE(pc::verify_password(h, "abc"));
}

TEST_CASE("an empty or oversized password is refused by hash and verify", "[crypto][password]") {
    pc::init();
    const std::string longest(pc::max_password_bytes, 'x');
    const std::string too_long(pc::max_password_bytes + 1, 'x');

    CHECK_THROWS_AS(pc::hash_password("", fast), std::invalid_argument);
    CHECK_THROWS_AS(pc::hash_password(too_long, fast), std::invalid_argument);

    const std::string h = pc::hash_password(longest, fast);
    CHECK(pc::verify_password(h, longest));
    CHECK_FALSE(pc::verify_password(h, too_long));
    CHECK_FALSE(pc::verify_password(h, ""));
}

TEST_CASE("hash_password leaves the minimum length to the server's policy", "[crypto][password]") {
    pc::init();
    const std::string h = pc::hash_password("x", fast);
    CHECK(pc::verify_password(h, "x"));
    CHECK(pc::min_password_bytes <= pc::max_password_bytes);
}

TEST_CASE("malformed, truncated or empty hashes never verify", "[crypto][password]") {
    pc::init();
    const std::string pw = "a fine password";
    const std::string h = pc::hash_password(pw, fast);

    CHECK_FALSE(pc::verify_password("", pw));
    CHECK_FALSE(pc::verify_password("$argon2id$", pw));
    CHECK_FALSE(pc::verify_password("not a hash at all", pw));
    CHECK_FALSE(pc::verify_password(h.substr(0, h.size() - 1), pw));
    CHECK_FALSE(pc::verify_password(h.substr(0, h.size() / 2), pw));
    CHECK_FALSE(pc::verify_password(h + "A", pw));
    CHECK_FALSE(pc::verify_password(h + "\0garbage"s, pw));
    CHECK_FALSE(pc::verify_password(h + std::string(500, 'A'), pw));

    std::string flipped = h;
    flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
    CHECK_FALSE(pc::verify_password(flipped, pw));
}

TEST_CASE("a genuine argon2i hash is refused and marked for rehashing", "[crypto][password]") {
    pc::init();
    // libsodium's own verifier would accept this; Peerline stores only Argon2id.
    const std::string pw = "a fine password";
    char out[crypto_pwhash_STRBYTES];
    REQUIRE(crypto_pwhash_str_alg(out, pw.data(), pw.size(), 3, fast.memlimit,
                                  crypto_pwhash_ALG_ARGON2I13) == 0);
    const std::string argon2i = out;
    REQUIRE(argon2i.rfind("$argon2i$", 0) == 0);
    REQUIRE(crypto_pwhash_str_verify(argon2i.c_str(), pw.data(), pw.size()) == 0);
    CHECK_FALSE(pc::verify_password(argon2i, pw));
    CHECK(pc::password_needs_rehash(argon2i, fast));
}

TEST_CASE("a hash needs rehashing only when made with other parameters", "[crypto][password]") {
    pc::init();
    const std::string h = pc::hash_password("rehash me please", fast);
    CHECK_FALSE(pc::password_needs_rehash(h, fast));
    CHECK(pc::password_needs_rehash(h, pc::pwhash_params::interactive()));
    CHECK(pc::password_needs_rehash(h, pc::pwhash_params::moderate()));
    CHECK(pc::password_needs_rehash(h, {fast.opslimit + 1, fast.memlimit}));
    CHECK(pc::password_needs_rehash(h, {fast.opslimit, fast.memlimit * 2}));
}

TEST_CASE("a malformed hash always needs rehashing", "[crypto][password]") {
    pc::init();
    CHECK(pc::password_needs_rehash("", fast));
    CHECK(pc::password_needs_rehash("$argon2id$v=19$garbage", fast));
    CHECK(pc::password_needs_rehash("plain text", fast));
}

TEST_CASE("the parameter presets grow in cost", "[crypto][password]") {
    const auto min = pc::pwhash_params::minimum();
    const auto inter = pc::pwhash_params::interactive();
    const auto mod = pc::pwhash_params::moderate();
    CHECK(min.opslimit <= inter.opslimit);
    CHECK(min.memlimit < inter.memlimit);
    CHECK(inter.opslimit < mod.opslimit);
    CHECK(inter.memlimit < mod.memlimit);
}

TEST_CASE("generated passwords are six dash-separated groups without look-alikes",
          "[crypto][password]") {
    pc::init();
    constexpr std::string_view alphabet = "23456789abcdefghijkmnpqrstuvwxyz";
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const std::string p = pc::generate_password();
        REQUIRE(p.size() == 29);
        for (std::size_t j = 0; j < p.size(); ++j) {
            if (j % 5 == 4) {
                CHECK(p[j] == '-');
            } else {
                CHECK(alphabet.find(p[j]) != std::string_view::npos);
            }
        }
        CHECK(p.find_first_of("0O1lI") == std::string::npos);
        CHECK(p.size() >= pc::min_password_bytes);
        seen.insert(p);
    }
    CHECK(seen.size() == 200);
}

TEST_CASE("a generated password hashes and verifies", "[crypto][password]") {
    pc::init();
    const std::string p = pc::generate_password();
    CHECK(pc::verify_password(pc::hash_password(p, fast), p));
}

// ---------------------------------------------------------------------------
// Session tokens
// ---------------------------------------------------------------------------

TEST_CASE("a token is 43 base64url characters and well-formed", "[crypto][token]") {
    pc::init();
    const std::string t = pc::generate_token();
    CHECK(t.size() == pc::token_chars);
    CHECK(t.size() == 43);
    CHECK(all_of_chars(t, base64url_alphabet));
    CHECK(pc::is_well_formed_token(t));
    const auto raw = pc::from_base64url(t);
    REQUIRE(raw.has_value());
    CHECK(raw->size() == 32);
}

TEST_CASE("the well-formedness check rejects wrong lengths and characters", "[crypto][token]") {
    pc::init();
    const std::string t = pc::generate_token();
    CHECK_FALSE(pc::is_well_formed_token(""));
    CHECK_FALSE(pc::is_well_formed_token(t.substr(0, 42)));
    CHECK_FALSE(pc::is_well_formed_token(t + "A"));
    CHECK_FALSE(pc::is_well_formed_token(t + "="));

    for (const char bad : {'+', '/', '=', ' ', '.', '\0', '\n'}) {
        std::string s = t;
        s[10] = bad;
        CHECK_FALSE(pc::is_well_formed_token(s));
    }
    // 43 characters carry 258 bits: the last one must leave the 2 spare bits
    // zero, as generate_token does ('A' = 0 does, 'B' = 1 does not).
    std::string spare = t;
    spare.back() = 'A';
    CHECK(pc::is_well_formed_token(spare));
    spare.back() = 'B';
    CHECK_FALSE(pc::is_well_formed_token(spare));
}

TEST_CASE("a thousand tokens are all different", "[crypto][token]") {
    pc::init();
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        seen.insert(pc::generate_token());
    }
    CHECK(seen.size() == 1000);
}

TEST_CASE("a token hash is 64 lowercase hex characters and deterministic", "[crypto][token]") {
    pc::init();
    const std::string t = pc::generate_token();
    const std::string h = pc::token_hash(t);
    CHECK(h.size() == 64);
    CHECK(all_of_chars(h, lower_hex));
    CHECK(pc::token_hash(t) == h);
    CHECK(pc::token_hash(pc::generate_token()) != h);
}

TEST_CASE("token_hash is BLAKE2b-256 of the token text", "[crypto][token]") {
    pc::init();
    // python3: hashlib.blake2b(b"peerline-session-token", digest_size=32).hexdigest()
    CHECK(pc::token_hash("peerline-session-token") ==
          "f0456b8da089bf7e91db0fd79e23c15eea05d25f3a13b46ccf5dc9b21907a2bc");
    // python3: hashlib.blake2b(b"", digest_size=32).hexdigest()
    CHECK(pc::token_hash("") == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}

// ---------------------------------------------------------------------------
// Keyed hashes
// ---------------------------------------------------------------------------

TEST_CASE("keyed_hash_hex matches keyed BLAKE2b-256 and depends on the key", "[crypto][hash]") {
    pc::init();
    const std::string key = "0123456789abcdef0123456789abcdef";
    const std::string h = pc::keyed_hash_hex("192.0.2.1", key);
    // python3: hashlib.blake2b(b"192.0.2.1", key=b"0123456789abcdef0123456789abcdef",
    //                          digest_size=32).hexdigest()
    CHECK(h == "2330dca4120101af9eca4b185e9973764792738720111eb8746b017945b6c552");
    CHECK(pc::keyed_hash_hex("192.0.2.1", key) == h);
    CHECK(pc::keyed_hash_hex("192.0.2.2", key) != h);
    CHECK(pc::keyed_hash_hex("192.0.2.1", "fedcba9876543210fedcba9876543210") != h);
}

TEST_CASE("keyed_hash_hex with an empty key equals the unkeyed hash", "[crypto][hash]") {
    pc::init();
    CHECK(pc::keyed_hash_hex("peerline-session-token", "") ==
          pc::token_hash("peerline-session-token"));
}

TEST_CASE("keyed_hash_hex refuses keys BLAKE2b cannot take", "[crypto][hash]") {
    pc::init();
    CHECK_THROWS_AS(pc::keyed_hash_hex("x", std::string(15, 'k')), std::invalid_argument);
    CHECK_THROWS_AS(pc::keyed_hash_hex("x", std::string(65, 'k')), std::invalid_argument);
    CHECK_NOTHROW(pc::keyed_hash_hex("x", std::string(16, 'k')));
    CHECK_NOTHROW(pc::keyed_hash_hex("x", std::string(64, 'k')));
}

// ---------------------------------------------------------------------------
// Encodings
// ---------------------------------------------------------------------------

TEST_CASE("hex round-trips every byte value", "[crypto][encoding]") {
    pc::init();
    std::string all;
    for (int i = 0; i < 256; ++i) {
        all.push_back(static_cast<char>(i));
    }
    const std::string hex = pc::to_hex(all);
    CHECK(hex.size() == 512);
    CHECK(all_of_chars(hex, lower_hex));
    CHECK(hex.substr(0, 8) == "00010203");
    CHECK(pc::from_hex(hex) == all);
    CHECK(pc::to_hex("") == "");
    CHECK(pc::from_hex("") == ""s);
    CHECK(pc::from_hex("DEADbeef") == "\xde\xad\xbe\xef"s);
}

TEST_CASE("from_hex rejects odd lengths, non-hex characters and trailing garbage",
          "[crypto][encoding]") {
    pc::init();
    CHECK_FALSE(pc::from_hex("a").has_value());
    CHECK_FALSE(pc::from_hex("abc").has_value());
    CHECK_FALSE(pc::from_hex("zz").has_value());
    CHECK_FALSE(pc::from_hex("0g").has_value());
    CHECK_FALSE(pc::from_hex("00 11").has_value());
    CHECK_FALSE(pc::from_hex("0011 ").has_value());
    CHECK_FALSE(pc::from_hex("0011\0\0"s).has_value());
    CHECK_FALSE(pc::from_hex("0x00").has_value());
    CHECK_FALSE(pc::from_hex("00:11").has_value());
}

TEST_CASE("base64url round-trips every length and uses the URL-safe alphabet",
          "[crypto][encoding]") {
    pc::init();
    std::string data;
    for (int i = 0; i < 70; ++i) {
        const std::string enc = pc::to_base64url(data);
        CHECK(enc.find('=') == std::string::npos);
        CHECK(all_of_chars(enc, base64url_alphabet));
        CHECK(pc::from_base64url(enc) == data);
        data.push_back(static_cast<char>(0xfb + i)); // 0xfb.. exercises '-' and '_'
    }
    CHECK(pc::to_base64url("\xfb\xff") == "-_8");
    CHECK(pc::to_base64url("hello") == "aGVsbG8");
    CHECK(pc::from_base64url("") == ""s);
}

TEST_CASE("from_base64url rejects invalid characters, padding and trailing garbage",
          "[crypto][encoding]") {
    pc::init();
    CHECK_FALSE(pc::from_base64url("aGVsbG8=").has_value());  // padding
    CHECK_FALSE(pc::from_base64url("+/8").has_value());       // standard alphabet
    CHECK_FALSE(pc::from_base64url("aGVs bG8").has_value());
    CHECK_FALSE(pc::from_base64url("aGVsbG8 ").has_value());
    CHECK_FALSE(pc::from_base64url("aGVsbG8\0"s).has_value());
    CHECK_FALSE(pc::from_base64url("a").has_value());         // 6 bits: no whole byte
    CHECK_FALSE(pc::from_base64url("aGVsb").has_value());
    CHECK_FALSE(pc::from_base64url("aGVsbG9").has_value());   // non-zero spare bits
    CHECK_FALSE(pc::from_base64url("!!!!").has_value());
}

// ---------------------------------------------------------------------------
// Random values and comparison
// ---------------------------------------------------------------------------

TEST_CASE("random_hex gives twice as many hex characters as bytes", "[crypto][random]") {
    pc::init();
    CHECK(pc::random_hex().size() == 32);
    CHECK(pc::random_hex(0).empty());
    CHECK(pc::random_hex(1).size() == 2);
    const std::string h = pc::random_hex(64);
    CHECK(h.size() == 128);
    CHECK(all_of_chars(h, lower_hex));
    CHECK(pc::random_hex() != pc::random_hex());
}

TEST_CASE("random_uniform stays below its bound and covers it", "[crypto][random]") {
    pc::init();
    std::set<std::uint32_t> seen;
    for (int i = 0; i < 2000; ++i) {
        const std::uint32_t v = pc::random_uniform(10);
        REQUIRE(v < 10);
        seen.insert(v);
    }
    CHECK(seen.size() == 10);
    CHECK(pc::random_uniform(1) == 0);
    CHECK(pc::random_uniform(UINT32_MAX) < UINT32_MAX);
    CHECK_THROWS_AS(pc::random_uniform(0), std::invalid_argument);
}

TEST_CASE("constant_time_equal compares contents and lengths", "[crypto][compare]") {
    pc::init();
    CHECK(pc::constant_time_equal("", ""));
    CHECK(pc::constant_time_equal("abc", "abc"));
    CHECK(pc::constant_time_equal("a\0b"s, "a\0b"s));
    CHECK_FALSE(pc::constant_time_equal("abc", "abd"));
    CHECK_FALSE(pc::constant_time_equal("abc", "ab"));
    CHECK_FALSE(pc::constant_time_equal("", "a"));
    CHECK_FALSE(pc::constant_time_equal("a\0b"s, "a\0c"s));
    const std::string t = pc::generate_token();
    CHECK(pc::constant_time_equal(pc::token_hash(t), pc::token_hash(t)));
}
