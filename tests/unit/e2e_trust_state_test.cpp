// The trust set-up around a listener's certificate (docs/CRYPTO.md §3.4,
// §3.5, issue 12 findings 1 and 2): revocation lists signed only by the
// revocation key the root delegated and valid at most 48 hours, and the
// root-signed directory naming each handle's one current certificate. Each
// test performs the attack a server operator could make and shows it refused.
#include "e2e_fixture.hpp"

#include <catch2/catch.hpp>
#include <sodium.h>

#include <algorithm>

using namespace e2e_test;

namespace {

// Signs a list's fields with any Ed25519 secret, as a faulty or hostile
// signer would, bypassing the library's own checks.
bytes sign_list_raw(revocation_list l, const sign_secret& secret) {
    bytes msg = revocation_list_signed_bytes(l);
    crypto_sign_detached(l.signature.data(), nullptr, msg.data(), msg.size(), secret.data());
    return encode(l);
}

} // namespace

TEST_CASE("every single bit flipped in a revocation list, its delegation or the directory is refused",
          "[e2e-trust]") {
    org_fixture o;
    const bytes& cert = o.listener.certificate;
    REQUIRE(verify_listener_certificate(cert, o.trust).ok());
    for (bytes trust_anchor::*part : {&trust_anchor::revocation_list, &trust_anchor::revocation_delegation,
                                      &trust_anchor::directory}) {
        const bytes original = o.trust.*part;
        std::size_t accepted = 0;
        for (std::size_t i = 0; i < original.size() * 8; ++i) {
            trust_anchor t = o.trust;
            (t.*part)[i / 8] ^= static_cast<byte>(1u << (i % 8));
            if (verify_listener_certificate(cert, t).ok()) ++accepted;
        }
        CHECK(accepted == 0);
    }
}

TEST_CASE("a revocation list not signed by the root's delegated revocation key is refused", "[e2e-trust]") {
    org_fixture o;
    const bytes& cert = o.listener.certificate;
    auto genuine = decode_revocation_list(o.trust.revocation_list).value();
    genuine.serials.clear();

    SECTION("signed by the root itself (the key that never signs lists)") {
        o.trust.revocation_list = sign_list_raw(genuine, o.root.secret);
        CHECK(verify_listener_certificate(cert, o.trust).err() == error::bad_signature);
    }
    SECTION("signed by the server's own key, with a delegation it made itself") {
        deterministic_rng r(seed(77));
        auto server_key = org::parse_revocation_key_file(org::revocation_keygen(r)).value();
        auto fake_root = org::parse_key_file(org::keygen(r)).value();
        o.trust.revocation_list = sign_list_raw(genuine, server_key.secret);
        CHECK(verify_listener_certificate(cert, o.trust).err() == error::bad_signature);
        // Its own "delegation", signed by a root the GP does not pin.
        o.trust.revocation_delegation =
            org::delegate_revocation(fake_root, server_key.public_key, t0 - day, 30 * day).value();
        CHECK(verify_listener_certificate(cert, o.trust).err() == error::bad_signature);
    }
    SECTION("signed by a delegated key outside its delegation") {
        deterministic_rng r(seed(78));
        auto rev = org::parse_revocation_key_file(org::revocation_keygen(r)).value();
        o.trust.revocation_delegation = org::delegate_revocation(o.root, rev.public_key, t0 - 10 * day, 9 * day).value();
        o.trust.revocation_list = sign_list_raw(genuine, rev.secret);
        CHECK(verify_listener_certificate(cert, o.trust).err() == error::delegation_invalid);
    }
    SECTION("delegations longer than 366 days are not made") {
        deterministic_rng r(seed(79));
        auto rev = org::parse_revocation_key_file(org::revocation_keygen(r)).value();
        CHECK(org::delegate_revocation(o.root, rev.public_key, t0, 367 * day).err() == error::bad_field);
    }
}

TEST_CASE("a revocation list is valid for at most 48 hours, so an old one cannot be replayed", "[e2e-trust]") {
    org_fixture o;
    const bytes& cert = o.listener.certificate;

    SECTION("a list the signer made valid for 30 days is refused (it was accepted before issue 12)") {
        deterministic_rng r(seed(80));
        auto rev = org::parse_revocation_key_file(org::revocation_keygen(r)).value();
        o.trust.revocation_delegation = org::delegate_revocation(o.root, rev.public_key, t0 - day, 300 * day).value();
        auto l = decode_revocation_list(o.trust.revocation_list).value();
        l.next_update = l.issued_at + 30 * day;
        o.trust.revocation_list = sign_list_raw(l, rev.secret);
        CHECK(verify_listener_certificate(cert, o.trust).err() == error::crl_validity_too_long);
        org::list_inputs in;
        in.root = o.root.public_key;
        in.delegation = o.trust.revocation_delegation;
        in.directory = o.trust.directory;
        in.now = t0;
        in.validity_s = 48 * 3600 + 1;
        CHECK(org::sign_revocation_list(rev, in).err() == error::crl_validity_too_long);
    }
    SECTION("a fresh GP handed a list from 48 hours ago refuses it") {
        o.trust = o.trust_with({cert}, {}, t0 - 2 * day, 2 * day);
        CHECK(verify_listener_certificate(cert, o.trust).err() == error::crl_stale);
    }
    SECTION("a list below the build's floor is refused even when fresh") {
        o.trust.min_crl_number = 2;  // the release says lists below 2 are from before it
        CHECK(verify_listener_certificate(cert, o.trust).err() == error::crl_rollback);
    }
    SECTION("a revoked listener is refused within 48 hours, whatever list the server keeps serving") {
        const std::uint64_t revoked_at = t0;
        // Every list the server could hold from before the revocation: the
        // longest-lived is issued the second before, for the full 48 hours.
        auto before = o.trust_with({cert}, {}, revoked_at - 1, 48 * 3600);
        before.now = revoked_at + 48 * 3600 - 2;
        CHECK(verify_listener_certificate(cert, before).ok());  // the window the design allows
        before.now = revoked_at + 48 * 3600 - 1;  // 48 hours after the revocation at the latest
        CHECK(verify_listener_certificate(cert, before).err() == error::crl_stale);
        // The only lists that verify after that were signed after the revocation.
        auto after = o.trust_with({cert}, {42}, revoked_at + day, 48 * 3600);
        after.now = revoked_at + 48 * 3600;
        CHECK(verify_listener_certificate(cert, after).err() == error::cert_revoked);
    }
}

TEST_CASE("a signer never forgets a revocation: the next list carries every earlier one's", "[e2e-trust]") {
    org_fixture o;
    deterministic_rng r(seed(81));
    auto rev = org::parse_revocation_key_file(org::revocation_keygen(r)).value();
    org::list_inputs in;
    in.root = o.root.public_key;
    in.delegation = org::delegate_revocation(o.root, rev.public_key, t0 - day, 300 * day).value();
    in.directory = o.trust.directory;
    in.now = t0;
    in.add_serials = {7, 9};
    auto first = org::sign_revocation_list(rev, in).value();
    in.previous = {first};
    in.add_serials = {3};
    auto second = decode_revocation_list(org::sign_revocation_list(rev, in).value()).value();
    CHECK(second.number == 2);
    CHECK(second.serials == std::vector<std::uint64_t>{3, 7, 9});
    // A "previous list" the server forged (say, with a revocation dropped) is refused outright.
    auto forged = decode_revocation_list(first).value();
    forged.serials = {9};
    in.previous = {sign_list_raw(forged, o.root.secret)};
    CHECK(org::sign_revocation_list(rev, in).err() == error::bad_signature);
}

TEST_CASE("a certificate is accepted only as the directory's one current certificate for its handle",
          "[e2e-trust]") {
    org_fixture o;
    const bytes& genuine = o.listener.certificate;

    SECTION("a key substituted under the listener's handle (enrolment substitution) is refused") {
        // The server's own key, certified under dr.ames, while the directory
        // names the listener's real key.
        auto server_identity = generate_listener_identity(o.random);
        auto substituted = o.certify(server_identity, role::listener, 99, t0 - day, 30 * day);
        CHECK(verify_listener_certificate(substituted, o.trust).err() == error::not_in_directory);
    }
    SECTION("if the root was tricked into it, the directory shows the key the listener did not make") {
        auto server_identity = generate_listener_identity(o.random);
        auto substituted = o.certify(server_identity, role::listener, 99, t0 - day, 30 * day);
        o.trust = o.trust_with({genuine, substituted});
        auto state = verify_trust_state(o.trust).value();
        const auto* entry = find_entry(state.dir, "dr.ames");
        REQUIRE(entry);
        CHECK(entry->identity_key != o.listener.identity_public());  // what the listener's console alarms on
        // ...and the genuine certificate it replaced is revoked with the next list.
        CHECK(verify_listener_certificate(genuine, o.trust).err() == error::cert_revoked);
    }
    SECTION("one valid certificate per handle: a new device key retires the old serial") {
        auto new_device = generate_listener_identity(o.random);
        auto replacement = o.certify(new_device, role::listener, 43, t0 - day, 30 * day);
        o.trust = o.trust_with({genuine, replacement});
        auto dir = decode_directory(o.trust.directory).value();
        CHECK(dir.retired == std::vector<std::uint64_t>{42});
        CHECK(verify_listener_certificate(replacement, o.trust).ok());
        CHECK(verify_listener_certificate(genuine, o.trust).err() == error::cert_revoked);
        // Even under a list that failed to revoke it, the directory refuses it.
        auto l = decode_revocation_list(o.trust.revocation_list).value();
        CHECK(l.directory_number == dir.number);
    }
    SECTION("a directory older than the one the list names is refused") {
        auto new_device = generate_listener_identity(o.random);
        auto replacement = o.certify(new_device, role::listener, 43, t0 - day, 30 * day);
        auto newer = o.trust_with({genuine, replacement});
        auto old_dir = org::update_directory(o.root, {}, genuine, t0 - day).value();
        // The server serves the old directory (naming the old key) with the current list.
        newer.directory = old_dir;
        CHECK(verify_listener_certificate(genuine, newer).err() == error::directory_stale);
        CHECK(verify_listener_certificate(replacement, newer).err() == error::directory_stale);
    }
    SECTION("a directory not signed by the root is refused") {
        deterministic_rng r(seed(82));
        auto stranger = org::parse_key_file(org::keygen(r)).value();
        // A stranger cannot extend the root's directory...
        CHECK(org::update_directory(stranger, o.trust.directory, genuine, t0).err() == error::bad_signature);
        // ...nor re-sign its entries.
        auto dir = decode_directory(o.trust.directory).value();
        auto forged = sign_directory(dir, stranger.secret).value();
        o.trust.directory = encode(forged);
        CHECK(verify_listener_certificate(genuine, o.trust).err() == error::bad_signature);
    }
    SECTION("the directory decoder is strict") {
        const bytes d = o.trust.directory;
        for (std::size_t n = 0; n < d.size(); ++n) CHECK_FALSE(decode_directory(byte_view(d).first(n)).ok());
        bytes longer = d;
        longer.push_back(0);
        CHECK_FALSE(decode_directory(longer).ok());
        bytes huge = d;
        huge[18] = 0xff;  // entry count
        CHECK(decode_directory(huge).err() == error::bad_length);
    }
}

TEST_CASE("certify refuses a key whose fingerprint is not the one the listener read out", "[e2e-trust]") {
    org_fixture o;
    const std::string fp = org::key_fingerprint(o.listener.identity_public());
    REQUIRE(fp.size() == 35);  // six groups of five digits
    CHECK(fp.find_first_not_of("0123456789 ") == std::string::npos);
    CHECK(org::fingerprint_matches(fp, o.listener.identity_public()));
    std::string dashed = fp;
    std::replace(dashed.begin(), dashed.end(), ' ', '-');
    CHECK(org::fingerprint_matches(dashed, o.listener.identity_public()));
    auto other = generate_listener_identity(o.random);
    CHECK_FALSE(org::fingerprint_matches(fp, other.identity_public()));
    CHECK_FALSE(org::fingerprint_matches(fp.substr(0, 30), o.listener.identity_public()));
    CHECK_FALSE(org::fingerprint_matches(fp + "x", o.listener.identity_public()));
}
