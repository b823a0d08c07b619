// Attacks that need frames or state the public API does not give out: a
// seized ratchet state searched for an old message key (forward secrecy), a
// low-order ratchet key inside an authentic header, and a body that
// authenticates but is badly padded. These tests include the internal
// headers of crypto/src/e2e (ratchet.hpp, primitives.hpp) on purpose; the
// JavaScript twins are in web-client/tests/crypto/ratchet.test.js.
#include "e2e_fixture.hpp"
#include "primitives.hpp"
#include "ratchet.hpp"

#include <catch2/catch.hpp>

#include <memory>

using namespace e2e_test;

namespace {

const char* const low_order_hex[] = {
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
};

pub32 point(const char* hex) {
    auto raw = peerline::crypto::from_hex(hex).value();
    pub32 p{};
    std::copy(raw.begin(), raw.end(), p.begin());
    return p;
}

bytes ad_for(const ratchet_state& st, byte_view frame, std::size_t end) {
    bytes ad(st.th.begin(), st.th.end());
    ad.insert(ad.end(), frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(end));
    return ad;
}

// An attacker who seized `st` tries to open the recorded frame's body with
// every key the state holds, and with every message key its chains lead to
// (KDF_CK only runs forward). True if any opens it.
bool seize_and_open(const ratchet_state& st, const bytes& frame) {
    auto f = decode_encrypted(frame, frame_message).value();
    const bytes ad = ad_for(st, frame, f.body_ad_end);
    std::vector<key32> keys = {st.dhs_secret, st.rk, st.cks, st.ckr, st.hks, st.hkr, st.nhks, st.nhkr};
    for (const auto& s : st.skipped) {
        keys.push_back(s.message_key);
        keys.push_back(s.header_key);
    }
    for (const key32& k : keys) {
        key32 chain = k;
        for (std::uint32_t step = 0; step <= max_skip; ++step) {
            if (prim::open(chain, f.body_nonce, f.ciphertext, ad)) return true;
            if (prim::open(prim::kdf(chain, 1, prim::ctx_chain), f.body_nonce, f.ciphertext, ad)) return true;
            chain = prim::kdf(chain, 2, prim::ctx_chain);
        }
    }
    return false;
}

// Both ends of a ratchet from a fixed seed, without the handshake, so a test
// can hold and edit the raw states.
struct raw_pair {
    deterministic_rng r{seed(40)};
    std::unique_ptr<ratchet_state> alice, bob;
    raw_pair() {
        peerline::crypto::init();
        ratchet_seed s;
        r.fill(s.sid);
        r.fill(s.th);
        r.fill(s.root.b);
        r.fill(s.header_a.b);
        r.fill(s.next_header_b.b);
        key32 bob_secret;
        r.fill(bob_secret.b);
        const pub32 bob_public = prim::dh_public(bob_secret).value();
        alice = init_alice(s, bob_public, r).value();
        bob = init_bob(s, bob_secret, bob_public);
    }
    bytes alice_says(ratchet_state& st, std::string_view text) {
        return encrypt_frame(st, frame_message, nullptr, to_bytes(text), r).value();
    }
    // As session::decrypt does: on a copy, committed only on success.
    result<received_message> bob_reads(const bytes& frame) {
        auto f = decode_encrypted(frame, frame_message);
        if (!f) return f.err();
        ratchet_state work = *bob;
        auto m = decrypt_frame(work, *f, frame, r);
        if (m) *bob = std::move(work);
        return m;
    }
};

} // namespace

TEST_CASE("forward secrecy: once a message is read, its key is gone from the state", "[e2e-ratchet]") {
    raw_pair p;
    CHECK(to_string(p.bob_reads(p.alice_says(*p.alice, "first")).value().payload) == "first");
    const bytes early = p.alice_says(*p.alice, "early secret");

    // Control: the state just before reading holds the way to the key, and
    // the attack finds it.
    CHECK(seize_and_open(*p.bob, early));
    CHECK(to_string(p.bob_reads(early).value().payload) == "early secret");

    // The device is seized now: nothing in its state opens the frame, in the
    // same chain, after more messages, or after DH steps; nor the sender's.
    CHECK_FALSE(seize_and_open(*p.bob, early));
    CHECK(p.bob_reads(p.alice_says(*p.alice, "more")).ok());
    CHECK_FALSE(seize_and_open(*p.bob, early));
    CHECK_FALSE(seize_and_open(*p.alice, early));

    // A skipped message's stored key is gone once the message is read.
    const bytes late = p.alice_says(*p.alice, "late");
    CHECK(p.bob_reads(p.alice_says(*p.alice, "overtakes")).ok());
    CHECK(p.bob->skipped.size() == 1);
    CHECK(seize_and_open(*p.bob, late));  // control: the stored key opens it
    CHECK(to_string(p.bob_reads(late).value().payload) == "late");
    CHECK_FALSE(seize_and_open(*p.bob, late));
    CHECK_FALSE(seize_and_open(*p.bob, early));
}

TEST_CASE("a ratchet key of low order in an authentic header is refused and changes nothing", "[e2e-ratchet]") {
    // A peer (or anyone holding its header key) announces a low-order ratchet
    // key: the header authenticates, so only the DH check stops the step.
    for (const char* hex : low_order_hex) {
        INFO(hex);
        raw_pair p;
        ratchet_state forged = *p.alice;
        forged.dhs_public = point(hex);
        const bytes bad = p.alice_says(forged, "x");
        CHECK(p.bob_reads(bad).err() == error::weak_key);
        CHECK(to_string(p.bob_reads(p.alice_says(*p.alice, "genuine")).value().payload) == "genuine");
    }
}

TEST_CASE("a body that authenticates but is badly padded is refused and changes nothing", "[e2e-ratchet]") {
    const auto spoilers = {
        +[](bytes& pt) { std::fill(pt.begin(), pt.end(), 0); },              // no 0x80 marker at all
        +[](bytes& pt) { pt.back() = 1; },                                     // non-zero after the marker
        +[](bytes& pt) { std::fill(pt.begin(), pt.end(), 0); pt[0] = 0x7f; },  // a wrong marker only
    };
    for (auto spoil : spoilers) {
        raw_pair p;
        const key32 mk = prim::kdf(p.alice->cks, 1, prim::ctx_chain);  // this frame's body key
        ratchet_state copy = *p.alice;
        const bytes frame = p.alice_says(copy, "x");
        auto f = decode_encrypted(frame, frame_message).value();
        const bytes ad = ad_for(*p.alice, frame, f.body_ad_end);
        bytes pt = prim::open(mk, f.body_nonce, f.ciphertext, ad).value();
        spoil(pt);
        bytes bad(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(f.body_ad_end));
        const bytes ct = prim::seal(mk, f.body_nonce, pt, ad);
        bad.insert(bad.end(), ct.begin(), ct.end());
        REQUIRE(bad.size() == frame.size());
        CHECK(p.bob_reads(bad).err() == error::bad_padding);
        CHECK(to_string(p.bob_reads(frame).value().payload) == "x");  // nothing moved
    }
}
