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
constexpr std::string_view revocation_key_magic = "PEERLINE-ORG-REVOCATION-KEY-V1";

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

namespace {

std::string keygen_with(e2e::rng& random, std::string_view magic) {
    e2e::key32 seed;
    random.fill(seed.b);
    root_key k;
    crypto_sign_seed_keypair(k.public_key.data(), k.secret.data(), seed.data());
    std::string text = std::string(magic) + "\npublic: " + public_key_text(k.public_key) +
                       "\nsecret: " + to_base64url(as_chars(seed.view())) + "\n";
    return text;
}

result<root_key> parse_with(std::string_view text, std::string_view magic) {
    if (text.substr(0, magic.size()) != magic || text.substr(magic.size(), 1) != "\n") return error::bad_type;
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

} // namespace

std::string keygen(e2e::rng& random) { return keygen_with(random, key_file_magic); }
result<root_key> parse_key_file(std::string_view text) { return parse_with(text, key_file_magic); }
std::string revocation_keygen(e2e::rng& random) { return keygen_with(random, revocation_key_magic); }
result<revocation_key> parse_revocation_key_file(std::string_view text) {
    return parse_with(text, revocation_key_magic);
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

std::string key_fingerprint(const e2e::pub32& identity_key) {
    const e2e::pub32 h = e2e::prim::hash({e2e::prim::as_bytes(e2e::prim::label_key_fingerprint), identity_key});
    std::string out;
    for (std::size_t g = 0; g < 6; ++g) {
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < 5; ++i) v = (v << 8) | h[g * 5 + i];
        std::string digits = std::to_string(v % 100000);
        if (g) out += ' ';
        out += std::string(5 - digits.size(), '0') + digits;
    }
    return out;
}

bool fingerprint_matches(std::string_view typed, const e2e::pub32& identity_key) {
    std::string digits;
    for (char ch : typed) {
        if (ch >= '0' && ch <= '9') digits += ch;
        else if (ch != ' ' && ch != '-') return false;
    }
    std::string want;
    for (char ch : key_fingerprint(identity_key))
        if (ch != ' ') want += ch;
    return digits == want;
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

result<bytes> update_directory(const root_key& root, byte_view current, byte_view certificate, std::uint64_t now) {
    auto cert = e2e::decode_certificate(certificate);
    if (!cert) return cert.err();
    if (error e = e2e::verify_signature(*cert, root.public_key); e != error::ok) return e;
    e2e::directory d;
    if (!current.empty()) {
        auto old = e2e::decode_directory(current);
        if (!old) return old.err();
        if (error e = e2e::verify_signature(*old, root.public_key); e != error::ok) return e;
        d = std::move(*old);
    }
    auto it = std::find_if(d.entries.begin(), d.entries.end(),
                           [&](const e2e::directory_entry& e) { return e.handle == cert->handle; });
    if (it == d.entries.end()) {
        d.entries.emplace_back();
        it = std::prev(d.entries.end());
    } else if (it->serial != cert->serial) {
        d.retired.push_back(it->serial);  // one valid certificate per handle
    }
    *it = e2e::directory_entry{cert->handle, cert->serial, cert->not_before, cert->not_after, cert->identity_key};
    d.number += 1;
    d.issued_at = now;
    auto signed_dir = e2e::sign_directory(std::move(d), root.secret);
    if (!signed_dir) return signed_dir.err();
    return e2e::encode(*signed_dir);
}

result<bytes> delegate_revocation(const root_key& root, const e2e::pub32& revocation_public,
                                  std::uint64_t not_before, std::uint64_t validity_s) {
    if (validity_s == 0 || validity_s > e2e::max_delegation_validity_s) return error::bad_field;
    e2e::revocation_delegation d;
    d.revocation_key = revocation_public;
    d.not_before = not_before;
    d.not_after = not_before + validity_s;
    auto signed_d = e2e::sign_revocation_delegation(d, root.secret);
    if (!signed_d) return signed_d.err();
    return e2e::encode(*signed_d);
}

result<e2e::revocation_list> next_revocation_list(const list_inputs& in) {
    auto delegation = e2e::decode_revocation_delegation(in.delegation);
    if (!delegation) return delegation.err();
    if (error e = e2e::verify_signature(*delegation, in.root); e != error::ok) return e;
    if (in.now < delegation->not_before || in.now >= delegation->not_after) return error::delegation_invalid;
    // No directory yet (nobody certified): the list names none (0).
    e2e::directory none;
    auto dir = in.directory.empty() ? e2e::result<e2e::directory>(none) : e2e::decode_directory(in.directory);
    if (!dir) return dir.err();
    if (!in.directory.empty())
        if (error e = e2e::verify_signature(*dir, in.root); e != error::ok) return e;
    std::vector<e2e::pub32> signers{delegation->revocation_key};
    for (const auto& d : in.previous_delegations) {
        if (d.empty()) continue;
        auto other = e2e::decode_revocation_delegation(d);
        if (!other) return other.err();
        if (error e = e2e::verify_signature(*other, in.root); e != error::ok) return e;
        signers.push_back(other->revocation_key);
    }
    e2e::revocation_list l;
    for (const auto& prev : in.previous) {
        if (prev.empty()) continue;
        auto old = e2e::decode_revocation_list(prev);
        if (!old) return old.err();
        if (std::none_of(signers.begin(), signers.end(),
                         [&](const e2e::pub32& k) { return e2e::verify_signature(*old, k) == error::ok; }))
            return error::bad_signature;
        if (old->directory_number > dir->number) return error::directory_stale;
        l.number = std::max(l.number, old->number);
        l.serials.insert(l.serials.end(), old->serials.begin(), old->serials.end());
    }
    l.number += 1;
    l.serials.insert(l.serials.end(), dir->retired.begin(), dir->retired.end());
    l.serials.insert(l.serials.end(), in.add_serials.begin(), in.add_serials.end());
    std::sort(l.serials.begin(), l.serials.end());
    l.serials.erase(std::unique(l.serials.begin(), l.serials.end()), l.serials.end());
    l.issued_at = in.now;
    l.next_update = in.now + in.validity_s;
    l.directory_number = dir->number;
    if (in.validity_s == 0 || in.validity_s > e2e::max_crl_validity_s) return error::crl_validity_too_long;
    return l;
}

result<bytes> sign_revocation_list(const revocation_key& key, const list_inputs& in) {
    auto l = next_revocation_list(in);
    if (!l) return l.err();
    auto delegation = e2e::decode_revocation_delegation(in.delegation);
    if (!delegation || delegation->revocation_key != key.public_key) return error::bad_signature;
    auto signed_list = e2e::sign_revocation_list(std::move(*l), key.secret);
    if (!signed_list) return signed_list.err();
    return e2e::encode(*signed_list);
}

result<e2e::trust_anchor> make_trust(const root_key& root, e2e::rng& random, const std::vector<bytes>& certificates,
                                     const std::vector<std::uint64_t>& revoked, std::uint64_t issued_at,
                                     std::uint64_t validity_s, std::uint64_t now) {
    auto rev = parse_revocation_key_file(revocation_keygen(random));
    if (!rev) return rev.err();
    auto delegation = delegate_revocation(root, rev->public_key, issued_at, e2e::max_delegation_validity_s);
    if (!delegation) return delegation.err();
    bytes dir;
    for (const auto& c : certificates) {
        auto next = update_directory(root, dir, c, issued_at);
        if (!next) return next.err();
        dir = std::move(*next);
    }
    if (dir.empty()) {
        e2e::directory empty;
        empty.number = 1;
        empty.issued_at = issued_at;
        auto signed_dir = e2e::sign_directory(std::move(empty), root.secret);
        if (!signed_dir) return signed_dir.err();
        dir = e2e::encode(*signed_dir);
    }
    list_inputs in;
    in.root = root.public_key;
    in.delegation = *delegation;
    in.directory = dir;
    in.add_serials = revoked;
    in.now = issued_at;
    in.validity_s = validity_s;
    auto list = sign_revocation_list(*rev, in);
    if (!list) return list.err();
    e2e::trust_anchor t;
    t.root = root.public_key;
    t.revocation_delegation = std::move(*delegation);
    t.directory = std::move(dir);
    t.revocation_list = std::move(*list);
    t.now = now;
    return t;
}

result<demo_setup> make_demo(e2e::rng& random, std::string handle, std::uint64_t now) {
    demo_setup d;
    d.root_key_file = keygen(random);
    auto root = parse_key_file(d.root_key_file);
    if (!root) return root.err();
    d.revocation_key_file = revocation_keygen(random);
    auto rev = parse_revocation_key_file(d.revocation_key_file);
    if (!rev) return rev.err();
    auto delegation = delegate_revocation(*root, rev->public_key, now, e2e::max_delegation_validity_s);
    if (!delegation) return delegation.err();
    d.delegation = std::move(*delegation);
    d.listener = e2e::generate_listener_identity(random);
    auto req = e2e::make_enrolment_request(d.listener, std::move(handle));
    if (!req) return req.err();
    auto cert = certify(*root, e2e::encode(*req), e2e::role::listener, random_serial(random), now,
                        e2e::max_cert_validity_s);
    if (!cert) return cert.err();
    d.certificate = *cert;
    d.listener.certificate = *cert;
    auto dir = update_directory(*root, {}, d.certificate, now);
    if (!dir) return dir.err();
    d.directory = std::move(*dir);
    list_inputs in;
    in.root = root->public_key;
    in.delegation = d.delegation;
    in.directory = d.directory;
    in.now = now;
    auto crl = sign_revocation_list(*rev, in);
    if (!crl) return crl.err();
    d.revocation_list = std::move(*crl);
    return d;
}

} // namespace peerline::crypto::org
