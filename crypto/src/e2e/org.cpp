// Root key files, certification and revocation (docs/CRYPTO.md,
// "Organisation root key").
#include "peerline/crypto/org.hpp"

#include "peerline/crypto/crypto.hpp"
#include "primitives.hpp"

#include <sodium.h>

#include <algorithm>

namespace peerline::crypto::org {

namespace {

constexpr std::string_view key_file_magic = "PEERLINE-ORG-ROOT-KEY-V1";

std::string_view as_chars(byte_view b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// The value of "name: value" on its own line, or nullopt.
std::optional<std::string_view> field(std::string_view text, std::string_view name) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.size() > name.size() + 2 && line.substr(0, name.size()) == name &&
            line.substr(name.size(), 2) == ": ") {
            return line.substr(name.size() + 2);
        }
        pos = end + 1;
    }
    return std::nullopt;
}

} // namespace

root_key::~root_key() { sodium_memzero(secret.data(), secret.size()); }

std::string keygen(e2e::rng& random) {
    e2e::key32 seed;
    random.fill(seed.b);
    root_key k;
    crypto_sign_seed_keypair(k.public_key.data(), k.secret.data(), seed.data());
    std::string text = std::string(key_file_magic) + "\npublic: " + public_key_text(k.public_key) +
                       "\nsecret: " + to_base64url(as_chars(seed.view())) + "\n";
    return text;
}

result<root_key> parse_key_file(std::string_view text) {
    if (text.substr(0, key_file_magic.size()) != key_file_magic) return error::bad_type;
    auto pub = field(text, "public");
    auto sec = field(text, "secret");
    if (!pub || !sec) return error::truncated;
    auto pub_raw = from_base64url(*pub);
    auto seed = from_base64url(*sec);
    if (!pub_raw || !seed || pub_raw->size() != 32 || seed->size() != 32) {
        if (seed) sodium_memzero(seed->data(), seed->size());
        return error::bad_field;
    }
    root_key k;
    crypto_sign_seed_keypair(k.public_key.data(), k.secret.data(), reinterpret_cast<const e2e::byte*>(seed->data()));
    sodium_memzero(seed->data(), seed->size());
    if (!e2e::prim::equal(k.public_key, e2e::byte_view(reinterpret_cast<const e2e::byte*>(pub_raw->data()), 32))) {
        return error::bad_field;
    }
    return k;
}

std::string public_key_text(const e2e::pub32& root) { return to_base64url(as_chars(root)); }

std::string fingerprint(const e2e::pub32& root) {
    const e2e::pub32 h = e2e::prim::hash({e2e::prim::as_bytes("PSC1/root-fingerprint"), root});
    const std::string hex = to_hex(as_chars(byte_view(h).first(16)));
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 4) {
        if (i) out += ' ';
        out += hex.substr(i, 4);
    }
    return out;
}

std::uint64_t random_serial(e2e::rng& random) {
    for (;;) {
        std::array<e2e::byte, 8> b{};
        random.fill(b);
        std::uint64_t v = 0;
        for (auto x : b) v = (v << 8) | x;
        v &= e2e::max_serial;
        if (v != 0) return v;
    }
}

result<bytes> certify(const root_key& root, byte_view enrolment_request, e2e::role r, std::uint64_t serial,
                      std::uint64_t not_before, std::uint64_t validity_s) {
    auto req = e2e::decode_enrolment_request(enrolment_request);
    if (!req) return req.err();
    if (error e = e2e::verify_signature(*req); e != error::ok) return e;
    if (validity_s == 0 || validity_s > e2e::max_cert_validity_s) return error::cert_validity_too_long;
    e2e::listener_certificate c;
    c.cert_role = r;
    c.serial = serial;
    c.not_before = not_before;
    c.not_after = not_before + validity_s;
    c.identity_key = req->identity_key;
    c.signed_key = req->signed_key;
    c.handle = req->handle;
    auto signed_cert = e2e::sign_certificate(std::move(c), root.secret);
    if (!signed_cert) return signed_cert.err();
    return e2e::encode(*signed_cert);
}

result<bytes> revoke(const root_key& root, byte_view current, const std::vector<std::uint64_t>& add_serials,
                     std::uint64_t now, std::uint64_t validity_s) {
    e2e::revocation_list l;
    if (!current.empty()) {
        auto old = e2e::decode_revocation_list(current);
        if (!old) return old.err();
        if (error e = e2e::verify_signature(*old, root.public_key); e != error::ok) return e;
        l.number = old->number;
        l.serials = old->serials;
    }
    l.number += 1;
    l.serials.insert(l.serials.end(), add_serials.begin(), add_serials.end());
    l.issued_at = now;
    l.next_update = now + validity_s;
    auto signed_list = e2e::sign_revocation_list(std::move(l), root.secret);
    if (!signed_list) return signed_list.err();
    return e2e::encode(*signed_list);
}

result<demo_setup> make_demo(e2e::rng& random, std::string handle, std::uint64_t now) {
    demo_setup d;
    d.root_key_file = keygen(random);
    auto root = parse_key_file(d.root_key_file);
    if (!root) return root.err();
    d.listener = e2e::generate_listener_identity(random);
    auto req = e2e::make_enrolment_request(d.listener, std::move(handle));
    if (!req) return req.err();
    auto cert = certify(*root, e2e::encode(*req), e2e::role::listener, random_serial(random), now,
                        e2e::max_cert_validity_s);
    if (!cert) return cert.err();
    d.certificate = *cert;
    d.listener.certificate = *cert;
    auto crl = revoke(*root, {}, {}, now, e2e::max_crl_validity_s);
    if (!crl) return crl.err();
    d.revocation_list = std::move(crl.value());
    return d;
}

} // namespace peerline::crypto::org
