// Listener trust material over the JSON API: enrolment, certificates and the
// revocation list, in demo mode (the server certifies with a demo root key)
// and in production mode (certificates and lists are made offline and only
// stored and handed out). Real server, real Redis; the keys and signatures
// are made here with the project's own crypto library.
#include "fixture.hpp"

#include "peerline/test_support/files.hpp"

#include "peerline/crypto/crypto.hpp"
#include "peerline/crypto/e2e.hpp"
#include "peerline/crypto/org.hpp"

#include <catch2/catch.hpp>

#include <sodium.h>

#include <fstream>
#include <map>
#include <sstream>

using namespace peerline::integration;
namespace e2e = peerline::crypto::e2e;
namespace org = peerline::crypto::org;
using nlohmann::json;

namespace {

std::string b64(const e2e::bytes& b) {
    return peerline::crypto::to_base64url(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}
e2e::bytes unb64(const std::string& s) {
    auto raw = peerline::crypto::from_base64url(s);
    REQUIRE(raw);
    return {raw->begin(), raw->end()};
}
std::uint64_t now_s() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

struct device {
    e2e::listener_identity identity;
    std::string request; // base64url enrolment request
};
device new_device(e2e::rng& random, const std::string& handle) {
    device d{e2e::generate_listener_identity(random), {}};
    auto req = e2e::make_enrolment_request(d.identity, handle);
    REQUIRE(req);
    d.request = b64(e2e::encode(*req));
    return d;
}

tc::http_response put_json(const tc::endpoint& ep, const std::string& target, const json& body,
                           const std::string& token) {
    return tc::http_request(ep, "PUT", target, body.dump(), tc::bearer(token));
}

std::string admin_token(peerline_stack& s, const std::string& name) {
    auto pw = "pw-" + ts::random_hex(12);
    s.admin.create_admin(name, pw);
    return tc::login(s.ep(), name, pw).token;
}

org::root_key new_root(e2e::rng& random) {
    auto key = org::parse_key_file(org::keygen(random));
    REQUIRE(key);
    return *key;
}

} // namespace

TEST_CASE("in demo mode a listener's enrolment is certified at once by the demo root key, and the "
          "certificate, directory and revocation list (signed by a delegated demo revocation key) verify in a "
          "GP's client",
          "[http][trust][demo]") {
    peerline::crypto::init();
    ts::temp_dir keys("peerline-demo-key");
    auto key_file = (keys / "demo-root.key").string();
    peerline_stack s({{"--demo", "--demo-org-key", key_file}});
    std::ifstream in(key_file);
    std::stringstream text;
    text << in.rdbuf();
    auto root = org::parse_key_file(text.str());
    REQUIRE(root); // created by the server, a real root key file

    auto a = s.new_listener("demo-enrolee");
    auto token = tc::login(s.ep(), a.name, a.password).token;
    auto none = tc::http_get(s.ep(), "/api/listener/certificate", tc::bearer(token));
    REQUIRE(none.status == 200);
    CHECK(none.json()["state"] == "none");

    e2e::system_rng random;
    auto dev = new_device(random, a.name);
    auto res = put_json(s.ep(), "/api/listener/enrolment", {{"enrolment_request", dev.request}}, token);
    REQUIRE(res.status == 200);
    auto body = res.json();
    REQUIRE(body["state"] == "certified");
    auto list = tc::http_get(s.ep(), "/api/revocation-list");
    REQUIRE(list.status == 200);

    e2e::trust_anchor trust;
    trust.root = root->public_key;
    trust.revocation_list = unb64(list.json()["revocation_list"]);
    trust.revocation_delegation = unb64(list.json()["revocation_delegation"]);
    trust.directory = unb64(list.json()["directory"]);
    trust.now = now_s();
    auto cert = e2e::verify_listener_certificate(unb64(body["certificate"]), trust);
    REQUIRE(cert);
    // The list is signed by the delegated revocation key, not the root, and lives 48 hours.
    auto l = e2e::decode_revocation_list(trust.revocation_list).value();
    CHECK(e2e::verify_signature(l, root->public_key) == e2e::error::bad_signature);
    CHECK(l.next_update - l.issued_at == e2e::max_crl_validity_s);
    // A second device for the same listener replaces the first: the old serial is revoked at once.
    auto second = new_device(random, a.name);
    auto res2 = put_json(s.ep(), "/api/listener/enrolment", {{"enrolment_request", second.request}}, token);
    REQUIRE(res2.status == 200);
    auto list2 = tc::http_get(s.ep(), "/api/revocation-list").json();
    trust.revocation_list = unb64(list2["revocation_list"]);
    trust.directory = unb64(list2["directory"]);
    CHECK(e2e::verify_listener_certificate(unb64(body["certificate"]), trust).err() == e2e::error::cert_revoked);
    CHECK(e2e::verify_listener_certificate(unb64(res2.json()["certificate"]), trust).ok());
    REQUIRE(put_json(s.ep(), "/api/listener/enrolment", {{"enrolment_request", dev.request}}, token).status == 200);
    CHECK(cert->handle == a.name);
    CHECK(cert->identity_key == dev.identity.identity_public());
    CHECK(body["serial"] == std::to_string(cert->serial));
    CHECK(body["not_after_ms"].get<std::uint64_t>() == cert->not_after * 1000);
    // The listener reads the same later.
    CHECK(tc::http_get(s.ep(), "/api/listener/certificate", tc::bearer(token)).json()["state"] == "certified");
}

TEST_CASE("enrolment requests are checked: the listener's own handle, a valid self-signature, the "
          "listener role",
          "[http][trust]") {
    peerline::crypto::init();
    peerline_stack s;
    auto a = s.new_listener("careful-enrolee");
    auto token = tc::login(s.ep(), a.name, a.password).token;
    e2e::system_rng random;

    auto someone_else = new_device(random, "someone-else");
    auto res = put_json(s.ep(), "/api/listener/enrolment", {{"enrolment_request", someone_else.request}}, token);
    CHECK(res.status == 400);
    CHECK(error_code_of(res) == "invalid_enrolment");

    auto dev = new_device(random, a.name);
    auto tampered = unb64(dev.request);
    tampered[40] ^= 1; // inside the signed key: the self-signature no longer holds
    res = put_json(s.ep(), "/api/listener/enrolment", {{"enrolment_request", b64(tampered)}}, token);
    CHECK(res.status == 400);
    CHECK(error_code_of(res) == "invalid_enrolment");
    res = put_json(s.ep(), "/api/listener/enrolment", {{"enrolment_request", "not base64url!"}}, token);
    CHECK(error_code_of(res) == "invalid_enrolment");
    res = put_json(s.ep(), "/api/listener/enrolment", {{"enrolment_request", std::string(2000, 'A')}}, token);
    CHECK(error_code_of(res) == "invalid_enrolment");
    res = put_json(s.ep(), "/api/listener/enrolment", json::array(), token);
    CHECK(error_code_of(res) == "invalid_enrolment");
    // Nothing was stored by any of those.
    CHECK(tc::http_get(s.ep(), "/api/listener/certificate", tc::bearer(token)).json()["state"] == "none");

    auto gp = tc::gp_session(s.ep());
    res = put_json(s.ep(), "/api/listener/enrolment", {{"enrolment_request", dev.request}}, gp);
    CHECK(res.status == 403);
    CHECK(error_code_of(res) == "wrong_role");
    res = tc::http_request(s.ep(), "PUT", "/api/listener/enrolment", json{{"enrolment_request", dev.request}}.dump());
    CHECK(res.status == 401);
    // Without demo mode the request waits for an administrator.
    res = put_json(s.ep(), "/api/listener/enrolment", {{"enrolment_request", dev.request}}, token);
    REQUIRE(res.status == 200);
    CHECK(res.json()["state"] == "pending");
    CHECK(res.json()["enrolment_request"] == dev.request);
}

TEST_CASE("an administrator uploads certificates with the directory made offline, and the server refuses any "
          "not signed by the organisation, not for the enrolled keys, or not the handle's one current certificate",
          "[http][trust]") {
    peerline::crypto::init();
    e2e::system_rng random;
    auto root = new_root(random);
    auto rogue = new_root(random);
    peerline_stack s({{"--org-public-key", org::public_key_text(root.public_key)}});
    auto admin = admin_token(s, "trust-admin");
    auto a = s.new_listener("offline-enrolee");
    auto token = tc::login(s.ep(), a.name, a.password).token;
    auto dev = new_device(random, a.name);
    REQUIRE(put_json(s.ep(), "/api/listener/enrolment", {{"enrolment_request", dev.request}}, token).status == 200);

    auto pending = tc::http_get(s.ep(), "/api/admin/enrolments", tc::bearer(admin));
    REQUIRE(pending.status == 200);
    REQUIRE(pending.json()["enrolments"].size() == 1);
    auto entry = pending.json()["enrolments"][0];
    CHECK(entry["username"] == a.name);
    CHECK(entry["enrolment_request"] == dev.request);
    CHECK(entry["identity_fingerprint"] == org::key_fingerprint(dev.identity.identity_public()));

    // What `peerline org certify --directory` does: a certificate and the next directory.
    std::map<const org::root_key*, e2e::bytes> directories;
    struct issued {
        std::string cert, directory;
    };
    auto certify = [&](const org::root_key& by, const std::string& request) {
        auto c = org::certify(by, unb64(request), e2e::role::listener, org::random_serial(random), now_s(),
                              e2e::max_cert_validity_s);
        REQUIRE(c);
        auto d = org::update_directory(by, directories[&by], *c, now_s());
        REQUIRE(d);
        directories[&by] = *d;
        return issued{b64(*c), b64(*d)};
    };
    auto upload = [&](const issued& i, const std::string& who) {
        return put_json(s.ep(), "/api/admin/accounts/" + a.name + "/certificate",
                        {{"certificate", i.cert}, {"directory", i.directory}}, who);
    };
    auto res = upload(certify(rogue, dev.request), admin);
    CHECK(res.status == 400);
    CHECK(error_code_of(res) == "invalid_certificate");
    auto other_device = new_device(random, a.name); // same handle, other keys
    res = upload(certify(root, other_device.request), admin);
    CHECK(error_code_of(res) == "invalid_certificate");
    res = upload(certify(root, dev.request), token); // a listener
    CHECK(res.status == 403);
    auto no_directory = certify(root, dev.request);
    res = put_json(s.ep(), "/api/admin/accounts/" + a.name + "/certificate", {{"certificate", no_directory.cert}},
                   admin);
    CHECK(error_code_of(res) == "invalid_certificate");
    CHECK(tc::http_get(s.ep(), "/api/listener/certificate", tc::bearer(token)).json()["state"] == "pending");

    // Two certificates for the same key (say, certified twice): only the directory's current one is stored,
    // and the older one can never be stored afterwards.
    auto older = certify(root, dev.request);
    auto good = certify(root, dev.request);
    res = put_json(s.ep(), "/api/admin/accounts/" + a.name + "/certificate",
                   {{"certificate", older.cert}, {"directory", good.directory}}, admin);
    CHECK(error_code_of(res) == "invalid_certificate");
    REQUIRE(upload(good, admin).status == 204);
    res = upload(older, admin); // with its own, older directory
    CHECK(error_code_of(res) == "invalid_certificate");
    auto mine = tc::http_get(s.ep(), "/api/listener/certificate", tc::bearer(token)).json();
    CHECK(mine["state"] == "certified");
    CHECK(mine["certificate"] == good.cert);
    auto published = tc::http_get(s.ep(), "/api/revocation-list");
    REQUIRE(published.status == 200); // the directory is out, though no list is yet
    CHECK(published.json()["directory"] == good.directory);
    CHECK(published.json()["revocation_list"] == "");
    CHECK(tc::http_get(s.ep(), "/api/admin/enrolments", tc::bearer(admin)).json()["enrolments"].empty());
    auto accounts = tc::http_get(s.ep(), "/api/admin/accounts", tc::bearer(admin)).json()["accounts"];
    bool listed = false;
    for (auto& acc : accounts)
        if (acc["username"] == a.name) {
            listed = true;
            CHECK(acc["certificate"]["state"] == "certified");
        }
    CHECK(listed);

    // A new enrolment (a new device) puts the listener back to pending.
    auto replacement = new_device(random, a.name);
    REQUIRE(put_json(s.ep(), "/api/listener/enrolment", {{"enrolment_request", replacement.request}}, token).status ==
            200);
    CHECK(tc::http_get(s.ep(), "/api/listener/certificate", tc::bearer(token)).json()["state"] == "pending");
}

TEST_CASE("the server stores only revocation lists signed by a revocation key the root delegated, valid at most "
          "48 hours, and never an older one",
          "[http][trust]") {
    peerline::crypto::init();
    e2e::system_rng random;
    auto root = new_root(random);
    auto rogue = new_root(random);
    peerline_stack s({{"--org-public-key", org::public_key_text(root.public_key)}});
    auto admin = admin_token(s, "revocation-admin");
    auto rev = org::parse_revocation_key_file(org::revocation_keygen(random)).value();
    auto delegation = b64(org::delegate_revocation(root, rev.public_key, now_s() - 60, 30 * 86400).value());
    auto rogue_delegation = b64(org::delegate_revocation(rogue, rev.public_key, now_s() - 60, 30 * 86400).value());
    org::list_inputs in;
    in.root = root.public_key;
    in.delegation = unb64(delegation);
    in.now = now_s();
    in.add_serials = {42};
    auto first = b64(org::sign_revocation_list(rev, in).value());
    auto put = [&](const json& body) { return put_json(s.ep(), "/api/admin/revocation-list", body, admin); };

    CHECK(tc::http_get(s.ep(), "/api/revocation-list").status == 404);
    // No delegation yet, or a delegation from another root: refused.
    auto res = put({{"revocation_list", first}});
    CHECK(res.status == 400);
    CHECK(error_code_of(res) == "invalid_revocation_list");
    res = put({{"revocation_list", first}, {"revocation_delegation", rogue_delegation}});
    CHECK(error_code_of(res) == "invalid_revocation_list");
    // Signed by the root itself, or valid 30 days: refused.
    auto fields = e2e::decode_revocation_list(unb64(first)).value();
    auto by_root = e2e::sign_revocation_list(fields, root.secret);
    REQUIRE(by_root);
    res = put({{"revocation_list", b64(e2e::encode(*by_root))}, {"revocation_delegation", delegation}});
    CHECK(error_code_of(res) == "invalid_revocation_list");
    auto long_fields = fields;
    long_fields.next_update = long_fields.issued_at + 30 * 86400;
    e2e::bytes tbs = e2e::revocation_list_signed_bytes(long_fields);
    crypto_sign_detached(long_fields.signature.data(), nullptr, tbs.data(), tbs.size(), rev.secret.data());
    res = put({{"revocation_list", b64(e2e::encode(long_fields))}, {"revocation_delegation", delegation}});
    CHECK(error_code_of(res) == "invalid_revocation_list");

    REQUIRE(put({{"revocation_list", first}, {"revocation_delegation", delegation}}).status == 204);
    res = put({{"revocation_list", first}}); // the stored delegation checks it now
    CHECK(res.status == 409);
    CHECK(error_code_of(res) == "stale_number");
    in.previous = {unb64(first)};
    in.add_serials = {7};
    auto second = b64(org::sign_revocation_list(rev, in).value());
    REQUIRE(put({{"revocation_list", second}}).status == 204);
    auto published = tc::http_get(s.ep(), "/api/revocation-list");
    REQUIRE(published.status == 200);
    CHECK(published.json()["revocation_list"] == second);
    CHECK(published.json()["revocation_delegation"] == delegation);
    CHECK(e2e::decode_revocation_list(unb64(second)).value().serials == std::vector<std::uint64_t>{7, 42});
}
