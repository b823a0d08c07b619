// The Double Ratchet as PSC-1 uses it: ordering, gaps, replays, tampering,
// limits, forward secrecy and healing, and that failures change nothing.
#include "e2e_fixture.hpp"

#include <sodium.h>

#include <catch2/catch.hpp>

#include <map>
#include <random>

using namespace e2e_test;

namespace {

struct pair_fixture {
    org_fixture o;
    deterministic_rng g{seed(20)}, l{seed(21)};
    sid_cache seen;
    conversation c = connect(o, g, l, seen);
    session& gp() { return *c.gp; }
    session& listener() { return *c.listener; }
    bytes gp_says(std::string_view s) { return gp().encrypt(to_bytes(s), g).value(); }
    bytes listener_says(std::string_view s) { return listener().encrypt(to_bytes(s), l).value(); }
    std::string listener_reads(const bytes& f) { return to_string(listener().decrypt(f, l).value().payload); }
    std::string gp_reads(const bytes& f) { return to_string(gp().decrypt(f, g).value().payload); }
};

} // namespace

TEST_CASE("messages in both directions decrypt, across many DH ratchet steps", "[e2e-ratchet]") {
    pair_fixture p;
    for (int round = 0; round < 20; ++round) {
        for (int i = 0; i <= round % 3; ++i) {
            const std::string m = "gp " + std::to_string(round) + "." + std::to_string(i);
            CHECK(p.listener_reads(p.gp_says(m)) == m);
        }
        const std::string r = "listener " + std::to_string(round);
        CHECK(p.gp_reads(p.listener_says(r)) == r);
    }
    CHECK(p.gp().skipped_key_count() == 0);
    CHECK(p.listener().skipped_key_count() == 0);
}

TEST_CASE("frames are padded to size buckets", "[e2e-ratchet]") {
    pair_fixture p;
    for (std::size_t n : {0u, 1u, 100u, 881u, 882u, 1000u, 4000u, 16000u, 60000u}) {
        auto f = p.gp().encrypt(bytes(n, 'x'), p.g).value();
        CHECK(std::find(frame_buckets.begin(), frame_buckets.end(), f.size()) != frame_buckets.end());
        CHECK(f.size() == bucket_for(n + seq_bytes, message_overhead));
        CHECK(p.listener().decrypt(f, p.l).value().payload.size() == n);
    }
    CHECK(bucket_for(1024 - message_overhead - 1, message_overhead) == 1024);
    CHECK(bucket_for(1024 - message_overhead, message_overhead) == 4096);
    CHECK(p.gp().encrypt(bytes(max_payload_bytes, 'x'), p.g).ok());
    CHECK(p.gp().encrypt(bytes(max_payload_bytes + 1, 'x'), p.g).err() == error::message_too_large);
}

TEST_CASE("reordered and dropped messages are reported to the interface", "[e2e-ratchet]") {
    pair_fixture p;
    std::vector<bytes> f;
    for (int i = 1; i <= 5; ++i) f.push_back(p.gp_says("m" + std::to_string(i)));  // seq 1..5

    auto m4 = p.listener().decrypt(f[3], p.l).value();
    CHECK(m4.seq == 4);
    CHECK(m4.gap_before == 3);
    CHECK_FALSE(m4.late);
    CHECK(p.listener().missing() == std::vector<std::uint32_t>{1, 2, 3});
    auto m2 = p.listener().decrypt(f[1], p.l).value();
    CHECK(m2.late);
    CHECK(to_string(m2.payload) == "m2");
    CHECK(p.listener().missing() == std::vector<std::uint32_t>{1, 3});
    CHECK(p.listener().skipped_key_count() == 2);

    // A reply makes both sides step the DH ratchet; late messages of the old
    // chain still decrypt afterwards.
    CHECK(p.gp_reads(p.listener_says("ok")) == "ok");
    auto n1 = p.gp_says("new chain");
    CHECK(p.listener_reads(n1) == "new chain");
    CHECK(to_string(p.listener().decrypt(f[0], p.l).value().payload) == "m1");
    CHECK(to_string(p.listener().decrypt(f[4], p.l).value().payload) == "m5");

    // m3 is never delivered: after skipped_key_max_age messages it is given up.
    std::vector<std::uint32_t> expired;
    for (std::uint64_t i = 0; i <= skipped_key_max_age; ++i) {
        auto m = p.listener().decrypt(p.gp_says("filler"), p.l).value();
        expired.insert(expired.end(), m.expired.begin(), m.expired.end());
    }
    CHECK(expired == std::vector<std::uint32_t>{3});
    CHECK(p.listener().skipped_key_count() == 0);
    CHECK(p.listener().decrypt(f[2], p.l).err() == error::header_auth_failed);  // its key is gone
}

TEST_CASE("replayed and duplicated messages are refused without changing state", "[e2e-ratchet]") {
    pair_fixture p;
    auto a = p.gp_says("a");
    auto b = p.gp_says("b");
    CHECK(p.listener_reads(b) == "b");
    CHECK(p.listener().decrypt(b, p.l).err() == error::duplicate_message);
    CHECK(p.listener_reads(a) == "a");
    CHECK(p.listener().decrypt(a, p.l).err() == error::duplicate_message);
    CHECK(p.listener().decrypt(p.c.first.payload, p.l).ok() == false);
    // After a DH step the old chain's header key is gone too.
    CHECK(p.gp_reads(p.listener_says("r")) == "r");
    CHECK(p.listener_reads(p.gp_says("c")) == "c");
    CHECK_FALSE(p.listener().decrypt(b, p.l).ok());
    CHECK(p.listener_reads(p.gp_says("d")) == "d");
}

TEST_CASE("any single bit flipped anywhere in a frame is detected and changes nothing", "[e2e-ratchet]") {
    pair_fixture p;
    // One frame in the current chain and one that would start a DH step.
    auto same_chain = p.gp_says("same chain");
    CHECK(p.gp_reads(p.listener_says("step")) == "step");
    auto new_chain = p.gp_says("new chain");
    for (const bytes* frame : {&same_chain, &new_chain}) {
        for (std::size_t i = 0; i < frame->size() * 8; ++i) {
            bytes bad = *frame;
            bad[i / 8] ^= static_cast<byte>(1u << (i % 8));
            REQUIRE_FALSE(p.listener().decrypt(bad, p.l).ok());
        }
    }
    CHECK(p.listener_reads(new_chain) == "new chain");
    CHECK(p.listener_reads(same_chain) == "same chain");
    // A frame cut short or lengthened is not a bucket.
    auto f = p.gp_says("x");
    CHECK(p.listener().decrypt(byte_view(f).first(f.size() - 1), p.l).err() == error::bad_length);
    CHECK(p.listener_reads(f) == "x");
}

TEST_CASE("skipped-key limits are enforced before any key is derived", "[e2e-ratchet]") {
    pair_fixture p;
    SECTION("a jump of more than max_skip in one chain") {
        bytes last;
        for (std::uint32_t i = 0; i <= max_skip + 1; ++i) last = p.gp_says("m");
        CHECK(p.listener().decrypt(last, p.l).err() == error::too_many_skipped);
        CHECK(p.listener().skipped_key_count() == 0);
    }
    SECTION("exactly max_skip is fine") {
        bytes last;
        for (std::uint32_t i = 0; i <= max_skip; ++i) last = p.gp_says("m");
        CHECK(p.listener().decrypt(last, p.l).ok());
        CHECK(p.listener().skipped_key_count() == max_skip);
    }
    SECTION("the store of skipped keys is capped") {
        // Five chains with max_skip skipped each fill the store; the sixth
        // jump would exceed it.
        for (int chain = 0; chain < 6; ++chain) {
            bytes last;
            for (std::uint32_t i = 0; i <= max_skip; ++i) last = p.gp_says("m");
            auto r = p.listener().decrypt(last, p.l);
            if (chain < 5) {
                REQUIRE(r.ok());
            } else {
                CHECK(r.err() == error::skipped_store_full);
                CHECK(p.listener().skipped_key_count() == max_skipped_keys);
                break;
            }
            CHECK(p.gp_reads(p.listener_says("step")) == "step");
        }
    }
}

// Forward secrecy (the old key is gone from a seized state): e2e_attack_test.cpp.

TEST_CASE("healing: one DH round trip locks out a passive attacker with an old state", "[e2e-ratchet]") {
    pair_fixture p;
    CHECK(p.gp_reads(p.listener_says("before")) == "before");
    session eve = p.gp().clone();  // GP's state stolen here
    deterministic_rng eve_rng(seed(99));

    // Eve reads the current chain: the compromise is real.
    auto m1 = p.gp_says("m1");
    CHECK(p.listener_reads(m1) == "m1");
    auto r1 = p.listener_says("r1");
    CHECK(to_string(eve.decrypt(r1, eve_rng).value().payload) == "r1");
    CHECK(p.gp_reads(r1) == "r1");

    // The GP draws a ratchet key Eve never sees; after the listener's next
    // step Eve is out.
    CHECK(p.listener_reads(p.gp_says("m2")) == "m2");
    auto r2 = p.listener_says("r2");
    CHECK_FALSE(eve.decrypt(r2, eve_rng).ok());
    CHECK(p.gp_reads(r2) == "r2");
}

TEST_CASE("a closed session has no keys and refuses everything", "[e2e-ratchet]") {
    pair_fixture p;
    auto f = p.gp_says("x");
    p.listener().close();
    CHECK(p.listener().closed());
    CHECK(p.listener().decrypt(f, p.l).err() == error::session_closed);
    CHECK(p.listener().encrypt(to_bytes("y"), p.l).err() == error::session_closed);
}

TEST_CASE("random drops, duplicates and reordering never yield a wrong or repeated plaintext", "[e2e-ratchet]") {
    // An adversarial network: every frame may be dropped, duplicated or held
    // back and delivered later. Each delivered plaintext must be the one that
    // was sent, at most once; everything else must fail cleanly.
    pair_fixture p;
    std::mt19937 net(12345);
    struct in_flight {
        bytes frame;
        std::string text;
        bool to_listener;
    };
    std::vector<in_flight> wire;
    std::map<std::string, int> delivered;
    int sent = 0, failures = 0;
    for (int step = 0; step < 1500; ++step) {
        const int action = static_cast<int>(net() % 10);
        if (action < 4) {
            const bool from_gp = net() % 2 == 0;
            const std::string text = (from_gp ? "g" : "l") + std::to_string(sent++);
            auto f = from_gp ? p.gp_says(text) : p.listener_says(text);
            if (net() % 10 != 0) wire.push_back({f, text, from_gp});  // 10% dropped
        } else if (!wire.empty()) {
            const std::size_t i = net() % wire.size();
            in_flight m = wire[i];
            if (net() % 4 != 0) wire.erase(wire.begin() + static_cast<std::ptrdiff_t>(i));  // else: duplicate later
            auto r = m.to_listener ? p.listener().decrypt(m.frame, p.l) : p.gp().decrypt(m.frame, p.g);
            if (r) {
                REQUIRE(to_string(r->payload) == m.text);
                REQUIRE(++delivered[m.text] == 1);
            } else {
                ++failures;
                const error e = r.err();
                REQUIRE((e == error::duplicate_message || e == error::header_auth_failed ||
                         e == error::too_many_skipped || e == error::skipped_store_full));
            }
        }
    }
    CHECK(delivered.size() > 300);
    // Both sides still talk after all that.
    CHECK(p.gp_reads(p.listener_says("still here")) == "still here");
    CHECK(p.listener_reads(p.gp_says("me too")) == "me too");
}
