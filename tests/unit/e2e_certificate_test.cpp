// Listener certificates, revocation lists, enrolment requests and the
// organisation's root-key operations: every way a GP's client must refuse.
#include "e2e_fixture.hpp"

#include <catch2/catch.hpp>
#include <sodium.h>

using namespace e2e_test;

TEST_CASE("a certificate issued by the organisation verifies and says who the listener is", "[e2e-cert]") {
    org_fixture o;
    auto c = verify_listener_certificate(o.listener.certificate, o.trust);
    REQUIRE(c.ok());
    CHECK(c->handle == "dr.ames");
    CHECK(c->serial == 42);
    CHECK(c->cert_role == role::listener);
    CHECK(c->identity_key == o.listener.identity_public());
    CHECK(c->signed_key == o.listener.signed_public());
    CHECK(encode(*c) == o.listener.certificate);
}

TEST_CASE("a GP's client refuses bad, expired, revoked and wrong-role certificates", "[e2e-cert]") {
    org_fixture o;
    const bytes& cert = o.listener.certificate;

    SECTION("any single bit flipped anywhere") {
        for (std::size_t i = 0; i < cert.size() * 8; ++i) {
            bytes bad = cert;
            bad[i / 8] ^= static_cast<byte>(1u << (i % 8));
            CHECK_FALSE(verify_listener_certificate(bad, o.trust).ok());
        }
    }
    SECTION("signed by another root") {
        deterministic_rng other(seed(9));
        auto stranger = org::parse_key_file(org::keygen(other)).value();
        auto req = make_enrolment_request(o.listener, "dr.ames").value();
        auto forged = org::certify(stranger, encode(req), role::listener, 42, t0 - day, 30 * day).value();
        CHECK(verify_listener_certificate(forged, o.trust).err() == error::bad_signature);
    }
    SECTION("expired, at the exact second") {
        o.trust = o.trust_with({cert}, {}, t0 + 27 * day, 2 * day);  // a list current then
        o.trust.now = t0 - day + 30 * day;
        CHECK(verify_listener_certificate(cert, o.trust).err() == error::cert_expired);
        o.trust.now -= 1;
        CHECK(verify_listener_certificate(cert, o.trust).ok());
    }
    SECTION("not yet valid") {
        o.trust.now = t0 - day - 1;
        CHECK(verify_listener_certificate(cert, o.trust).err() == error::cert_not_yet_valid);
    }
    SECTION("revoked") {
        o.trust = o.trust_with({cert}, {7, 42});
        CHECK(verify_listener_certificate(cert, o.trust).err() == error::cert_revoked);
    }
    SECTION("wrong role") {
        auto sup = o.certify(o.listener, role::supervisor, 43, t0 - day, 30 * day);
        o.trust = o.trust_with({sup});
        CHECK(verify_listener_certificate(sup, o.trust).err() == error::cert_wrong_role);
        o.trust.allowed_roles = {role::listener, role::supervisor};
        CHECK(verify_listener_certificate(sup, o.trust).ok());
    }
    SECTION("validity over 30 days is refused by signing and by verification") {
        auto req = make_enrolment_request(o.listener, "dr.ames").value();
        CHECK(org::certify(o.root, encode(req), role::listener, 5, t0, 30 * day + 1).err() ==
              error::cert_validity_too_long);
        // A faulty tool that signs a 31-day certificate anyway is still not believed.
        auto c = decode_certificate(cert).value();
        c.not_after = c.not_before + 31 * day;
        bytes tbs = encode(c);
        tbs.resize(tbs.size() - 64);
        bytes msg = labelled("PSC1/certificate", tbs);
        crypto_sign_detached(c.signature.data(), nullptr, msg.data(), msg.size(), o.root.secret.data());
        CHECK(verify_signature(c, o.root.public_key) == error::ok);
        CHECK(verify_listener_certificate(encode(c), o.trust).err() == error::cert_validity_too_long);
    }
    SECTION("a stale or forged revocation list") {
        o.trust.now = t0 + day;  // certificate still valid, list stale from this second
        CHECK(verify_listener_certificate(cert, o.trust).err() == error::crl_stale);
        o.trust.now = t0;
        bytes forged = o.crl;
        forged.back() ^= 1;
        o.trust.revocation_list = forged;
        CHECK(verify_listener_certificate(cert, o.trust).err() == error::bad_signature);
        o.trust.revocation_list.clear();
        CHECK(verify_listener_certificate(cert, o.trust).err() == error::truncated);
    }
    SECTION("an older revocation list than one already seen") {
        o.trust.min_crl_number = 2;
        CHECK(verify_listener_certificate(cert, o.trust).err() == error::crl_rollback);
    }
}

TEST_CASE("certificate and list decoders are strict", "[e2e-cert]") {
    org_fixture o;
    const bytes& cert = o.listener.certificate;
    for (std::size_t n = 0; n < cert.size(); ++n) {
        CHECK_FALSE(decode_certificate(byte_view(cert).first(n)).ok());
    }
    bytes longer = cert;
    longer.push_back(0);
    CHECK(decode_certificate(longer).err() == error::trailing_bytes);
    bytes v2 = cert;
    v2[0] = 2;
    CHECK(decode_certificate(v2).err() == error::bad_version);
    bytes as_list = cert;
    as_list[1] = struct_revocation_list;
    CHECK(decode_certificate(as_list).err() == error::bad_type);
    bytes bad_role = cert;
    bad_role[2] = 9;
    CHECK(decode_certificate(bad_role).err() == error::bad_field);
    bytes bad_handle = cert;
    bad_handle[92] = ' ';
    CHECK(decode_certificate(bad_handle).err() == error::bad_field);

    auto crl = o.trust_with({cert}, {3, 1, 2}).revocation_list;
    auto l = decode_revocation_list(crl).value();
    CHECK(l.number == 1);
    CHECK(l.serials == std::vector<std::uint64_t>{1, 2, 3});
    for (std::size_t n = 0; n < crl.size(); ++n) {
        CHECK_FALSE(decode_revocation_list(byte_view(crl).first(n)).ok());
    }
    bytes unsorted = crl;
    std::swap(unsorted[38 + 7], unsorted[38 + 15]);  // serials 2,1,3
    CHECK(decode_revocation_list(unsorted).err() == error::bad_field);
    bytes huge_count = crl;
    huge_count[34] = 0xff;
    CHECK(decode_revocation_list(huge_count).err() == error::bad_length);
}

TEST_CASE("the organisation certifies only self-signed enrolment requests", "[e2e-cert]") {
    org_fixture o;
    auto req = make_enrolment_request(o.listener, "dr.ames").value();
    bytes raw = encode(req);
    CHECK(decode_enrolment_request(raw).ok());
    raw[10] ^= 1;  // someone swapped the identity key
    CHECK(org::certify(o.root, raw, role::listener, 1, t0, day).err() == error::bad_signature);
    CHECK(make_enrolment_request(o.listener, "not a handle").err() == error::bad_field);
    CHECK(make_enrolment_request(o.listener, std::string(65, 'a')).err() == error::bad_field);
}

TEST_CASE("root key files round-trip and fingerprints are stable", "[e2e-cert]") {
    peerline::crypto::init();
    deterministic_rng r(seed(3));
    const std::string file = org::keygen(r);
    auto k = org::parse_key_file(file);
    REQUIRE(k.ok());
    CHECK(file.find(org::public_key_text(k->public_key)) != std::string::npos);
    CHECK(org::fingerprint(k->public_key).size() == 39);
    std::string tampered = file;
    tampered[tampered.find("public: ") + 8] ^= 1;
    CHECK_FALSE(org::parse_key_file(tampered).ok());
    CHECK_FALSE(org::parse_key_file("nonsense").ok());

    system_rng sys;
    auto d = org::make_demo(sys, "demo.listener", t0);
    REQUIRE(d.ok());
    auto root = org::parse_key_file(d->root_key_file).value();
    trust_anchor t;
    t.root = root.public_key;
    t.revocation_list = d->revocation_list;
    t.revocation_delegation = d->delegation;
    t.directory = d->directory;
    t.now = t0 + 1;
    CHECK(verify_listener_certificate(d->certificate, t).ok());
}
