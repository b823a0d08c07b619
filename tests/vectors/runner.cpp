// The C++ side of the shared vectors; web-client/tests/crypto/runner.js is
// the JavaScript twin and must compute the same outputs from the same spec.
#include "runner.hpp"

#include "peerline/crypto/crypto.hpp"
#include "peerline/crypto/e2e.hpp"
#include "peerline/crypto/org.hpp"

#include <sodium.h>

#include <algorithm>
#include <optional>
#include <random>
#include <stdexcept>

namespace peerline::vectors {

using namespace peerline::crypto::e2e;
namespace org = peerline::crypto::org;
using nlohmann::json;

namespace {

std::string hex(byte_view b) { return peerline::crypto::to_hex(std::string_view(reinterpret_cast<const char*>(b.data()), b.size())); }

bytes unhex(const json& j) {
    auto s = peerline::crypto::from_hex(j.get<std::string>());
    if (!s) throw std::runtime_error("vectors: bad hex");
    return bytes(s->begin(), s->end());
}

pub32 seed_of(const json& j) {
    bytes b = unhex(j);
    if (b.size() != 32) throw std::runtime_error("vectors: seed must be 32 bytes");
    pub32 s{};
    std::copy(b.begin(), b.end(), s.begin());
    return s;
}

struct org_setup {
    org::root_key root;
    org::revocation_key revocation;
    listener_identity listener;
};

org_setup make_org(const json& o) {
    org_setup s;
    deterministic_rng rr(seed_of(o["root_seed"]));
    s.root = org::parse_key_file(org::keygen(rr)).value();
    deterministic_rng vr(seed_of(o["revocation_seed"]));
    s.revocation = org::parse_revocation_key_file(org::revocation_keygen(vr)).value();
    deterministic_rng lr(seed_of(o["listener_seed"]));
    s.listener = generate_listener_identity(lr);
    return s;
}

// Signs whatever it is given, as a faulty tool would (validity > 30 days).
bytes sign_raw(listener_certificate c, const sign_secret& secret) {
    bytes tbs = encode(c);
    tbs.resize(tbs.size() - 64);
    const std::string_view label = "PSC1/certificate";
    bytes m(label.begin(), label.end());
    m.resize(label.size() + tbs.size());
    std::copy(tbs.begin(), tbs.end(), m.begin() + static_cast<std::ptrdiff_t>(label.size()));
    crypto_sign_detached(c.signature.data(), nullptr, m.data(), m.size(), secret.data());
    return encode(c);
}

bytes make_cert(const org_setup& s, const org::root_key& signer, const json& c) {
    const auto validity = c["validity"].get<std::uint64_t>();
    if (validity > max_cert_validity_s) {
        listener_certificate lc;
        lc.cert_role = static_cast<role>(c["role"].get<int>());
        lc.serial = c["serial"].get<std::uint64_t>();
        lc.not_before = c["not_before"].get<std::uint64_t>();
        lc.not_after = lc.not_before + validity;
        lc.identity_key = s.listener.identity_public();
        lc.signed_key = s.listener.signed_public();
        lc.handle = c["handle"].get<std::string>();
        return sign_raw(lc, signer.secret);
    }
    auto req = make_enrolment_request(s.listener, c["handle"].get<std::string>()).value();
    return org::certify(signer, encode(req), static_cast<role>(c["role"].get<int>()), c["serial"].get<std::uint64_t>(),
                        c["not_before"].get<std::uint64_t>(), validity)
        .value();
}

// The trust state a case runs under: the revocation key delegated from the
// list's issue for 366 days; a directory naming the case's certificate (made
// by the root; `directory_serial` names another serial instead); a list with
// number n built by n successive signings, the last adding the revoked
// serials, exactly as administrators produce them — or, for a faulty or
// hostile signer (`signer: "root"`, validity over 48 hours), signed raw.
trust_anchor make_trust(const org_setup& s, const json& cert, const json& l, const json& c) {
    trust_anchor t;
    t.root = s.root.public_key;
    const auto issued_at = l["issued_at"].get<std::uint64_t>();
    const auto validity = l["validity"].get<std::uint64_t>();
    t.revocation_delegation =
        org::delegate_revocation(s.root, s.revocation.public_key, issued_at, max_delegation_validity_s).value();
    json dir_cert = cert;
    if (c.contains("directory_serial")) dir_cert["serial"] = c["directory_serial"];
    t.directory = org::update_directory(s.root, {}, make_cert(s, s.root, dir_cert), issued_at).value();
    const auto n = l["number"].get<std::uint64_t>();
    const auto revoked = l["revoked"].get<std::vector<std::uint64_t>>();
    if (l.value("signer", "revocation") != "revocation" || validity > max_crl_validity_s) {
        revocation_list raw;
        raw.number = n;
        raw.issued_at = issued_at;
        raw.next_update = issued_at + validity;
        raw.directory_number = decode_directory(t.directory).value().number;
        raw.serials = revoked;
        std::sort(raw.serials.begin(), raw.serials.end());
        const bytes m = revocation_list_signed_bytes(raw);
        const auto& secret = l.value("signer", "revocation") == "root" ? s.root.secret : s.revocation.secret;
        crypto_sign_detached(raw.signature.data(), nullptr, m.data(), m.size(), secret.data());
        t.revocation_list = encode(raw);
        return t;
    }
    org::list_inputs in;
    in.root = s.root.public_key;
    in.delegation = t.revocation_delegation;
    in.directory = t.directory;
    in.now = issued_at;
    in.validity_s = validity;
    for (std::uint64_t i = 1; i <= n; ++i) {
        in.previous = {t.revocation_list};
        in.add_serials.clear();
        if (i == n) in.add_serials = revoked;
        t.revocation_list = org::sign_revocation_list(s.revocation, in).value();
    }
    return t;
}

void mutate(bytes& b, const json& c) {
    if (c.contains("flip_bit")) {
        const auto bit = c["flip_bit"].get<std::size_t>();
        b.at(bit / 8) ^= static_cast<byte>(1u << (bit % 8));
    }
    if (c.contains("truncate")) b.resize(b.size() - c["truncate"].get<std::size_t>());
    if (c.contains("append")) b.push_back(0);
}

json run_org(const org_setup& s, const json& o) {
    json out = o;
    out["root_public"] = hex(s.root.public_key);
    out["fingerprint"] = org::fingerprint(s.root.public_key);
    out["listener_identity_public"] = hex(s.listener.identity_public());
    out["listener_signed_public"] = hex(s.listener.signed_public());
    out["listener_fingerprint"] = org::key_fingerprint(s.listener.identity_public());
    out["revocation_public"] = hex(s.revocation.public_key);
    out["enrolment"] = hex(encode(make_enrolment_request(s.listener, o["handle"].get<std::string>()).value()));
    return out;
}

json run_certificate_case(const org_setup& s, const json& c) {
    json out = c;
    std::optional<org::root_key> other;
    if (c.value("signer", "root") == "other") {
        deterministic_rng r(seed_of(c["other_seed"]));
        other = org::parse_key_file(org::keygen(r)).value();
    }
    bytes cert = make_cert(s, other ? *other : s.root, c["cert"]);
    mutate(cert, c);
    trust_anchor t = make_trust(s, c["cert"], c["crl"], c);
    if (c.contains("flip_list_bit")) {
        const auto bit = c["flip_list_bit"].get<std::size_t>();
        t.revocation_list.at(bit / 8) ^= static_cast<byte>(1u << (bit % 8));
    }
    t.now = c["now"].get<std::uint64_t>();
    t.allowed_roles.clear();
    for (int r : c["allowed_roles"]) t.allowed_roles.push_back(static_cast<role>(r));
    t.min_crl_number = c["min_crl_number"].get<std::uint64_t>();
    out["certificate"] = hex(cert);
    out["revocation_list"] = hex(t.revocation_list);
    out["revocation_delegation"] = hex(t.revocation_delegation);
    out["directory"] = hex(t.directory);
    auto v = verify_listener_certificate(cert, t);
    out["result"] = std::string(error_name(v.err()));
    if (v) out["handle"] = v->handle;
    return out;
}

json result_json(const result<received_message>& r) {
    if (!r) return json{{"error", std::string(error_name(r.err()))}};
    return json{{"payload", hex(r->payload)},
                {"seq", r->seq},
                {"late", r->late},
                {"gap_before", r->gap_before},
                {"expired", r->expired}};
}

json run_conversation(const org_setup& s, const json& c) {
    json out = c;
    // Trust as the GP's client has it: a certificate from the org section.
    const json& o = c["org"];
    listener_identity listener = s.listener;
    listener.certificate = make_cert(s, s.root, o["cert"]);
    trust_anchor t = make_trust(s, o["cert"], o["crl"], o);
    t.now = c["now"].get<std::uint64_t>();

    deterministic_rng g(seed_of(c["gp_seed"])), l(seed_of(c["listener_seed"]));
    sid_cache seen;
    auto gp = gp_handshake::start(g);
    const bool verifying = c.contains("hello");
    out["hello"] = hex(gp.hello());
    auto lh = listener_handshake::respond(listener, verifying ? unhex(c["hello"]) : gp.hello(), seen, l).value();
    out["response"] = hex(lh.response());
    auto ge = gp.on_response(verifying ? unhex(c["response"]) : lh.response(), t, unhex(c["first_payload"]), g).value();
    out["confirm"] = hex(ge.confirm);
    auto le = lh.on_confirm(verifying ? unhex(c["confirm"]) : ge.confirm, l).value();
    out["transcript_hash"] = hex(ge.conversation.transcript_hash());
    out["safety_code_gp"] = ge.conversation.safety_code();
    out["safety_code_listener"] = le.conversation.safety_code();
    out["first"] = result_json(le.first);
    out["listener_handle"] = ge.listener.handle;

    std::vector<bytes> frames;
    std::vector<std::string> senders;
    json steps = json::array();
    for (json step : c["steps"]) {
        if (step["op"] == "send") {
            const bool from_gp = step["from"] == "gp";
            auto f = (from_gp ? ge.conversation : le.conversation).encrypt(unhex(step["payload"]), from_gp ? g : l).value();
            if (step.contains("frame")) {
                frames.push_back(unhex(step["frame"]));  // deliver the other implementation's bytes
            } else {
                frames.push_back(f);
            }
            senders.push_back(step["from"]);
            step["frame"] = hex(f);
        } else {
            const auto i = step["index"].get<std::size_t>();
            const bool to_listener = senders.at(i) == "gp";
            auto r = to_listener ? le.conversation.decrypt(frames.at(i), l) : ge.conversation.decrypt(frames.at(i), g);
            step["result"] = result_json(r);
        }
        steps.push_back(step);
    }
    out["steps"] = steps;
    return out;
}

json run_padding(const json& p) {
    json out = p;
    const auto n = p["payload_bytes"].get<std::size_t>();
    out["message_frame"] = bucket_for(n + seq_bytes, message_overhead);
    out["confirm_frame"] = bucket_for(n + seq_bytes, confirm_overhead);
    if (n <= 64) {
        bytes inner(n, 0xab);
        out["padded_in_128"] = hex(pad(inner, 128));
    }
    return out;
}

} // namespace

json run(const json& spec) {
    peerline::crypto::init();
    json out = spec;
    for (auto& r : out["rng"]) {
        deterministic_rng d(seed_of(r["seed"]));
        bytes b(r["bytes"].get<std::size_t>());
        // Drawn in two uneven pieces: the stream must not depend on chunking.
        d.fill(std::span<byte>(b).first(b.size() / 3));
        d.fill(std::span<byte>(b).subspan(b.size() / 3));
        r["output"] = hex(b);
    }
    for (auto& p : out["padding"]) p = run_padding(p);
    const org_setup s = make_org(spec["org"]);
    out["org"] = run_org(s, spec["org"]);
    for (auto& c : out["certificates"]) c = run_certificate_case(s, c);
    for (auto& c : out["conversations"]) c = run_conversation(s, c);
    if (spec.contains("ed25519")) {
        // Raw Ed25519 edge cases: both libsodium builds must agree on each.
        for (auto& e : out["ed25519"]) {
            const bytes pk = unhex(e["public_key"]), m = unhex(e["message"]), sig = unhex(e["signature"]);
            e["valid"] = pk.size() == 32 && sig.size() == 64 &&
                         crypto_sign_verify_detached(sig.data(), m.data(), m.size(), pk.data()) == 0;
        }
    }
    return out;
}

namespace {

std::string seed_hex(int n) {
    pub32 s{};
    s.fill(static_cast<byte>(n));
    return hex(s);
}

// A long interleaved exchange: bursts from both sides, 15% of frames held
// back and delivered late, some dropped for good, some delivered twice.
json schedule(std::uint32_t seed, int messages) {
    std::mt19937 net(seed);
    json steps = json::array();
    std::vector<std::size_t> held;
    std::size_t sent = 0;
    int from_gp_burst = 0;
    bool gp_turn = true;
    for (int m = 0; m < messages; ++m) {
        if (from_gp_burst-- <= 0) {
            gp_turn = !gp_turn;
            from_gp_burst = static_cast<int>(net() % 4);
        }
        const std::string payload = (gp_turn ? "gp message " : "listener message ") + std::to_string(m);
        steps.push_back({{"op", "send"}, {"from", gp_turn ? "gp" : "listener"},
                         {"payload", hex(byte_view(reinterpret_cast<const byte*>(payload.data()), payload.size()))}});
        const std::size_t idx = sent++;
        const auto roll = static_cast<unsigned>(net() % 100);
        if (roll < 15) {
            held.push_back(idx);
        } else if (roll < 18) {
            // dropped for good
        } else {
            steps.push_back({{"op", "deliver"}, {"index", idx}});
            if (roll > 96) steps.push_back({{"op", "deliver"}, {"index", idx}});  // duplicate
        }
        if (!held.empty() && net() % 5 == 0) {
            const std::size_t k = net() % held.size();
            steps.push_back({{"op", "deliver"}, {"index", held[k]}});
            held.erase(held.begin() + static_cast<std::ptrdiff_t>(k));
        }
    }
    for (std::size_t h : held) steps.push_back({{"op", "deliver"}, {"index", h}});
    return steps;
}

json cert_params(int role, std::uint64_t serial, std::uint64_t nb, std::uint64_t validity) {
    return {{"handle", "dr.ames"}, {"role", role}, {"serial", serial}, {"not_before", nb}, {"validity", validity}};
}

} // namespace

json cpp_spec() {
    const std::uint64_t now = 1'750'000'000, day = 86400;
    const json crl = {{"number", 1}, {"issued_at", now - day}, {"validity", 2 * day}, {"revoked", json::array()}};
    const json crl_revoked = {{"number", 2}, {"issued_at", now - day}, {"validity", 2 * day}, {"revoked", {7, 42, 99}}};
    const json crl_stale = {{"number", 1}, {"issued_at", now - 3 * day}, {"validity", day}, {"revoked", json::array()}};
    const json good = cert_params(1, 42, now - day, 30 * day);
    auto cert_case = [&](std::string name, json cert, json list, std::uint64_t at) {
        return json{{"name", std::move(name)}, {"cert", std::move(cert)}, {"crl", std::move(list)}, {"now", at},
                    {"allowed_roles", {1}}, {"min_crl_number", 0}};
    };
    json certs = json::array();
    certs.push_back(cert_case("valid", good, crl, now));
    certs.push_back(cert_case("expired", cert_params(1, 42, now - 31 * day, 30 * day), crl, now));
    certs.push_back(cert_case("expires at exactly now", cert_params(1, 42, now - 30 * day, 30 * day), crl, now));
    certs.push_back(cert_case("not yet valid", cert_params(1, 42, now + 1, 30 * day), crl, now));
    certs.push_back(cert_case("revoked", good, crl_revoked, now));
    certs.push_back(cert_case("wrong role", cert_params(2, 43, now - day, 30 * day), crl, now));
    auto sup_ok = cert_case("supervisor allowed", cert_params(2, 43, now - day, 30 * day), crl, now);
    sup_ok["allowed_roles"] = {1, 2};
    certs.push_back(sup_ok);
    certs.push_back(cert_case("validity 31 days", cert_params(1, 42, now - day, 31 * day), crl, now));
    auto other = cert_case("signed by another root", good, crl, now);
    other["signer"] = "other";
    other["other_seed"] = seed_hex(0x77);
    certs.push_back(other);
    for (int bit : {0, 17, 100, 300, 736, 1000, 1250}) {
        auto flip = cert_case("bit " + std::to_string(bit) + " flipped", good, crl, now);
        flip["flip_bit"] = bit;
        certs.push_back(flip);
    }
    auto cut = cert_case("truncated", good, crl, now);
    cut["truncate"] = 1;
    certs.push_back(cut);
    auto longer = cert_case("trailing byte", good, crl, now);
    longer["append"] = true;
    certs.push_back(longer);
    certs.push_back(cert_case("stale revocation list", good, crl_stale, now));
    auto rollback = cert_case("revocation list rollback", good, crl, now);
    rollback["min_crl_number"] = 2;
    certs.push_back(rollback);
    json crl_long = crl;
    crl_long["validity"] = 30 * day;
    certs.push_back(cert_case("revocation list valid 30 days", good, crl_long, now));
    json crl_by_root = crl;
    crl_by_root["signer"] = "root";
    certs.push_back(cert_case("revocation list signed by the root", good, crl_by_root, now));
    auto replaced = cert_case("not the directory's current certificate", good, crl, now);
    replaced["directory_serial"] = 4242;
    certs.push_back(replaced);
    for (int bit : {0, 8 * 20 + 1, 8 * 34, 8 * 40 + 7, 8 * 60 + 2}) {
        auto flip = cert_case("revocation list bit " + std::to_string(bit) + " flipped", good, crl, now);
        flip["flip_list_bit"] = bit;
        certs.push_back(flip);
    }

    json padding = json::array();
    for (std::size_t n : {0u, 1u, 60u, 64u, 881u, 882u, 849u, 850u, 4000u, 16000u, 65361u, 65362u, 65393u, 65394u}) {
        padding.push_back({{"payload_bytes", n}});
    }

    const json conv_org = {{"cert", good}, {"crl", crl}};
    json conversations = json::array();
    conversations.push_back({{"name", "long interleaved exchange with loss, reordering and duplicates"},
                             {"org", conv_org}, {"now", now}, {"gp_seed", seed_hex(0x31)},
                             {"listener_seed", seed_hex(0x32)}, {"first_payload", hex(bytes{'h', 'i'})},
                             {"steps", schedule(2024, 160)}});
    conversations.push_back({{"name", "strict ping-pong with a large message"},
                             {"org", conv_org}, {"now", now}, {"gp_seed", seed_hex(0x41)},
                             {"listener_seed", seed_hex(0x42)}, {"first_payload", ""},
                             {"steps", {{{"op", "send"}, {"from", "listener"}, {"payload", hex(bytes(5000, 'x'))}},
                                        {{"op", "deliver"}, {"index", 0}},
                                        {{"op", "send"}, {"from", "gp"}, {"payload", ""}},
                                        {{"op", "deliver"}, {"index", 1}},
                                        {{"op", "deliver"}, {"index", 1}}}}});

    // One message lost for good: after skipped_key_max_age later messages it
    // is reported expired, and its late copy no longer decrypts.
    json lost = json::array();
    lost.push_back({{"op", "send"}, {"from", "gp"}, {"payload", hex(bytes{'l', 'o', 's', 't'})}});
    for (std::size_t i = 1; i <= 102; ++i) {
        lost.push_back({{"op", "send"}, {"from", "gp"}, {"payload", hex(bytes{'m'})}});
        lost.push_back({{"op", "deliver"}, {"index", i}});
    }
    lost.push_back({{"op", "deliver"}, {"index", 0}});
    conversations.push_back({{"name", "a lost message expires"}, {"org", conv_org}, {"now", now},
                             {"gp_seed", seed_hex(0x61)}, {"listener_seed", seed_hex(0x62)},
                             {"first_payload", ""}, {"steps", lost}});

    // Ed25519 edge cases (non-canonical S, small-order and non-canonical
    // keys and R): libsodium 1.0.18 and the wrappers' build must agree.
    peerline::crypto::init();
    json ed = json::array();
    {
        pub32 sd = pub32{};
        sd.fill(0x44);
        pub32 pk{};
        std::array<byte, 64> sk{}, sig{};
        crypto_sign_seed_keypair(pk.data(), sk.data(), sd.data());
        const bytes msg{'P', 'S', 'C', '1', ' ', 'e', 'd', 'g', 'e'};
        crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), sk.data());
        auto add = [&](std::string name, byte_view p, byte_view m, byte_view sg) {
            ed.push_back({{"name", std::move(name)}, {"public_key", hex(p)}, {"message", hex(m)}, {"signature", hex(sg)}});
        };
        add("valid", pk, msg, sig);
        bytes flipped = msg;
        flipped[0] ^= 1;
        add("message changed", pk, flipped, sig);
        // S + L: the same scalar, not canonical.
        const bytes L = unhex(json("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"));
        auto s_plus_l = sig;
        unsigned carry = 0;
        for (std::size_t i = 0; i < 32; ++i) {
            const unsigned v = s_plus_l[32 + i] + L[i] + carry;
            s_plus_l[32 + i] = static_cast<byte>(v);
            carry = v >> 8;
        }
        add("S not canonical (S + L)", pk, msg, s_plus_l);
        bytes identity(32, 0);
        identity[0] = 1;
        bytes trivial(64, 0);
        trivial[0] = 1;  // R = identity, S = 0
        add("identity public key, trivial signature", identity, msg, trivial);
        const bytes order8 = unhex(json("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"));
        add("order-8 public key, trivial signature", order8, msg, trivial);
        const bytes noncanon = unhex(json("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"));
        add("non-canonical public key", noncanon, msg, sig);
        auto small_r = sig;
        std::copy(order8.begin(), order8.end(), small_r.begin());
        add("small-order R", pk, msg, small_r);
    }

    return {{"format", "peerline-psc1-vectors/1"},
            {"ed25519", ed},
            {"generator", "cpp"},
            {"rng", {{{"seed", seed_hex(1)}, {"bytes", 200}}, {{"seed", seed_hex(0xfe)}, {"bytes", 65}}}},
            {"padding", padding},
            {"org",
             {{"root_seed", seed_hex(0x11)},
              {"revocation_seed", seed_hex(0x13)},
              {"listener_seed", seed_hex(0x12)},
              {"handle", "dr.ames"}}},
            {"certificates", certs},
            {"conversations", conversations}};
}

} // namespace peerline::vectors
