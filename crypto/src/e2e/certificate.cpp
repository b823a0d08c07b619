// Encoding, strict decoding, signing and verification of the organisation's
// signed structures (docs/CRYPTO.md, "Certificates").
#include "peerline/crypto/e2e/certificate.hpp"

#include "peerline/crypto/e2e/directory.hpp"
#include "peerline/crypto/e2e/limits.hpp"
#include "primitives.hpp"
#include "struct_io.hpp"
#include "wire.hpp"

#include <algorithm>

namespace peerline::crypto::e2e {

namespace {

bool valid_role(std::uint8_t r) noexcept { return r == 1 || r == 2; }

bytes cert_tbs(const listener_certificate& c) {
    wire::writer w;
    w.u8(protocol_version);
    w.u8(struct_certificate);
    w.u8(static_cast<std::uint8_t>(c.cert_role));
    w.u64(c.serial);
    w.u64(c.not_before);
    w.u64(c.not_after);
    w.put(c.identity_key);
    w.put(c.signed_key);
    w.u8(static_cast<std::uint8_t>(c.handle.size()));
    w.put(c.handle);
    return std::move(w.out);
}

bytes crl_tbs(const revocation_list& l) {
    wire::writer w;
    w.u8(protocol_version);
    w.u8(struct_revocation_list);
    w.u64(l.number);
    w.u64(l.issued_at);
    w.u64(l.next_update);
    w.u64(l.directory_number);
    w.u32(static_cast<std::uint32_t>(l.serials.size()));
    for (std::uint64_t s : l.serials) w.u64(s);
    return std::move(w.out);
}

bytes delegation_tbs(const revocation_delegation& d) {
    wire::writer w;
    w.u8(protocol_version);
    w.u8(struct_revocation_delegation);
    w.put(d.revocation_key);
    w.u64(d.not_before);
    w.u64(d.not_after);
    return std::move(w.out);
}

bytes enrolment_tbs(const enrolment_request& r) {
    wire::writer w;
    w.u8(protocol_version);
    w.u8(struct_enrolment);
    w.put(r.identity_key);
    w.put(r.signed_key);
    w.u8(static_cast<std::uint8_t>(r.handle.size()));
    w.put(r.handle);
    return std::move(w.out);
}

// Certificate fields that signing and decoding both insist on.
error check_cert_fields(const listener_certificate& c) noexcept {
    if (!valid_role(static_cast<std::uint8_t>(c.cert_role))) return error::bad_field;
    if (c.serial == 0 || c.serial > max_serial) return error::bad_field;
    if (!valid_handle(c.handle)) return error::bad_field;
    return error::ok;
}

error check_validity_period(std::uint64_t not_before, std::uint64_t not_after, std::uint64_t max) noexcept {
    if (not_after <= not_before || not_after - not_before > max) return error::cert_validity_too_long;
    return error::ok;
}

} // namespace

namespace structs {
bytes with_signature(bytes tbs, const std::array<byte, 64>& sig) {
    tbs.insert(tbs.end(), sig.begin(), sig.end());
    return tbs;
}

error read_header(wire::reader& r, std::uint8_t type) noexcept {
    std::uint8_t v = 0, t = 0;
    if (!r.u8(v) || !r.u8(t)) return error::truncated;
    if (v != protocol_version) return error::bad_version;
    if (t != type) return error::bad_type;
    return error::ok;
}

error read_handle(wire::reader& r, std::string& out) {
    std::uint8_t len = 0;
    byte_view h;
    if (!r.u8(len)) return error::truncated;
    if (len == 0 || len > max_handle_bytes) return error::bad_length;
    if (!r.take(len, h)) return error::truncated;
    out.assign(h.begin(), h.end());
    return valid_handle(out) ? error::ok : error::bad_field;
}

error read_signature_end(wire::reader& r, std::array<byte, 64>& sig) noexcept {
    if (!r.array(sig)) return error::truncated;
    return r.remaining() == 0 ? error::ok : error::trailing_bytes;
}

} // namespace structs

using structs::read_handle;
using structs::read_header;
using structs::read_signature_end;
using structs::with_signature;

bool valid_handle(std::string_view handle) noexcept {
    if (handle.empty() || handle.size() > max_handle_bytes) return false;
    return std::all_of(handle.begin(), handle.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               ch == '.' || ch == '_' || ch == '-';
    });
}

bytes encode(const listener_certificate& c) { return with_signature(cert_tbs(c), c.signature); }
bytes encode(const revocation_list& l) { return with_signature(crl_tbs(l), l.signature); }
bytes encode(const enrolment_request& r) { return with_signature(enrolment_tbs(r), r.signature); }
bytes encode(const revocation_delegation& d) { return with_signature(delegation_tbs(d), d.signature); }

bytes revocation_list_signed_bytes(const revocation_list& l) {
    bytes tbs = crl_tbs(l);
    bytes out(prim::label_revocation.size() + tbs.size());
    std::copy(prim::label_revocation.begin(), prim::label_revocation.end(), out.begin());
    std::copy(tbs.begin(), tbs.end(), out.begin() + static_cast<std::ptrdiff_t>(prim::label_revocation.size()));
    return out;
}

result<listener_certificate> decode_certificate(byte_view in) {
    // The size check first bounds all work on hostile input.
    if (in.size() > max_cert_bytes) return error::bad_length;
    wire::reader r(in);
    listener_certificate c;
    if (error e = read_header(r, struct_certificate); e != error::ok) return e;
    std::uint8_t role_byte = 0;
    if (!r.u8(role_byte) || !r.u64(c.serial) || !r.u64(c.not_before) || !r.u64(c.not_after) ||
        !r.array(c.identity_key) || !r.array(c.signed_key)) {
        return error::truncated;
    }
    if (!valid_role(role_byte)) return error::bad_field;
    c.cert_role = static_cast<role>(role_byte);
    if (error e = read_handle(r, c.handle); e != error::ok) return e;
    if (error e = read_signature_end(r, c.signature); e != error::ok) return e;
    if (c.serial == 0 || c.serial > max_serial) return error::bad_field;
    return c;
}

result<revocation_list> decode_revocation_list(byte_view in) {
    wire::reader r(in);
    revocation_list l;
    if (error e = read_header(r, struct_revocation_list); e != error::ok) return e;
    std::uint32_t count = 0;
    if (!r.u64(l.number) || !r.u64(l.issued_at) || !r.u64(l.next_update) || !r.u64(l.directory_number) ||
        !r.u32(count)) {
        return error::truncated;
    }
    if (count > max_revoked_serials) return error::bad_length;
    // Exact size known now: refuse before reading serials or allocating.
    if (r.remaining() < std::size_t{count} * 8 + signature_bytes) return error::truncated;
    if (r.remaining() > std::size_t{count} * 8 + signature_bytes) return error::trailing_bytes;
    l.serials.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        std::uint64_t s = 0;
        (void)r.u64(s);
        // Strictly ascending: one canonical encoding, and no duplicates.
        if (s == 0 || s > max_serial || (!l.serials.empty() && s <= l.serials.back())) return error::bad_field;
        l.serials.push_back(s);
    }
    if (error e = read_signature_end(r, l.signature); e != error::ok) return e;
    if (l.number == 0) return error::bad_field;
    return l;
}

result<enrolment_request> decode_enrolment_request(byte_view in) {
    if (in.size() > 2 + 64 + 1 + max_handle_bytes + signature_bytes) return error::bad_length;
    wire::reader r(in);
    enrolment_request q;
    if (error e = read_header(r, struct_enrolment); e != error::ok) return e;
    if (!r.array(q.identity_key) || !r.array(q.signed_key)) return error::truncated;
    if (error e = read_handle(r, q.handle); e != error::ok) return e;
    if (error e = read_signature_end(r, q.signature); e != error::ok) return e;
    return q;
}

result<revocation_delegation> decode_revocation_delegation(byte_view in) {
    if (in.size() > delegation_bytes) return error::bad_length;
    wire::reader r(in);
    revocation_delegation d;
    if (error e = read_header(r, struct_revocation_delegation); e != error::ok) return e;
    if (!r.array(d.revocation_key) || !r.u64(d.not_before) || !r.u64(d.not_after)) return error::truncated;
    if (error e = read_signature_end(r, d.signature); e != error::ok) return e;
    return d;
}

result<listener_certificate> sign_certificate(listener_certificate c, const sign_secret& root_secret) {
    if (error e = check_cert_fields(c); e != error::ok) return e;
    if (error e = check_validity_period(c.not_before, c.not_after, max_cert_validity_s); e != error::ok) return e;
    c.signature = prim::sign(prim::label_certificate, cert_tbs(c), root_secret);
    return c;
}

result<revocation_list> sign_revocation_list(revocation_list l, const sign_secret& revocation_secret) {
    std::sort(l.serials.begin(), l.serials.end());
    l.serials.erase(std::unique(l.serials.begin(), l.serials.end()), l.serials.end());
    if (l.number == 0 || l.serials.size() > max_revoked_serials) return error::bad_field;
    if (!l.serials.empty() && (l.serials.front() == 0 || l.serials.back() > max_serial)) return error::bad_field;
    if (l.next_update <= l.issued_at || l.next_update - l.issued_at > max_crl_validity_s)
        return error::crl_validity_too_long;
    l.signature = prim::sign(prim::label_revocation, crl_tbs(l), revocation_secret);
    return l;
}

result<revocation_delegation> sign_revocation_delegation(revocation_delegation d, const sign_secret& root_secret) {
    if (d.not_after <= d.not_before || d.not_after - d.not_before > max_delegation_validity_s) return error::bad_field;
    d.signature = prim::sign(prim::label_delegation, delegation_tbs(d), root_secret);
    return d;
}

result<enrolment_request> sign_enrolment_request(enrolment_request r, const sign_secret& identity_secret) {
    if (!valid_handle(r.handle)) return error::bad_field;
    r.signature = prim::sign(prim::label_enrolment, enrolment_tbs(r), identity_secret);
    return r;
}

error verify_signature(const listener_certificate& c, const pub32& root) noexcept {
    try {
        return prim::verify(prim::label_certificate, cert_tbs(c), c.signature, root) ? error::ok
                                                                                       : error::bad_signature;
    } catch (...) {
        return error::bad_signature;
    }
}

error verify_signature(const revocation_list& l, const pub32& revocation_key) noexcept {
    try {
        return prim::verify(prim::label_revocation, crl_tbs(l), l.signature, revocation_key)
                   ? error::ok
                   : error::bad_signature;
    } catch (...) {
        return error::bad_signature;
    }
}

error verify_signature(const revocation_delegation& d, const pub32& root) noexcept {
    try {
        return prim::verify(prim::label_delegation, delegation_tbs(d), d.signature, root) ? error::ok
                                                                                          : error::bad_signature;
    } catch (...) {
        return error::bad_signature;
    }
}

error verify_signature(const enrolment_request& r) noexcept {
    try {
        return prim::verify(prim::label_enrolment, enrolment_tbs(r), r.signature, r.identity_key)
                   ? error::ok
                   : error::bad_signature;
    } catch (...) {
        return error::bad_signature;
    }
}

result<listener_certificate> verify_listener_certificate(byte_view cert, const trust_anchor& trust) {
    auto c = decode_certificate(cert);
    if (!c) return c.err();
    if (error e = verify_signature(*c, trust.root); e != error::ok) return e;
    if (error e = check_validity_period(c->not_before, c->not_after, max_cert_validity_s); e != error::ok) return e;
    if (trust.now < c->not_before) return error::cert_not_yet_valid;
    if (trust.now >= c->not_after) return error::cert_expired;

    // Without a current, genuine trust state the GP cannot know the
    // certificate is neither revoked nor replaced.
    auto state = verify_trust_state(trust);
    if (!state) return state.err();
    const auto& serials = state->list.serials;
    if (std::binary_search(serials.begin(), serials.end(), c->serial)) return error::cert_revoked;
    const directory_entry* entry = find_entry(state->dir, c->handle);
    if (!entry || entry->serial != c->serial || !prim::equal(entry->identity_key, c->identity_key))
        return error::not_in_directory;

    if (std::find(trust.allowed_roles.begin(), trust.allowed_roles.end(), c->cert_role) ==
        trust.allowed_roles.end()) {
        return error::cert_wrong_role;
    }
    return c;
}

} // namespace peerline::crypto::e2e
