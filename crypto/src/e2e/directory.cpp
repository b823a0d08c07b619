// The root-signed directory and the check of a whole trust state
// (delegation, revocation list, directory). docs/CRYPTO.md §3.5.
#include "peerline/crypto/e2e/directory.hpp"

#include "peerline/crypto/e2e/limits.hpp"
#include "primitives.hpp"
#include "struct_io.hpp"
#include "wire.hpp"

#include <algorithm>

namespace peerline::crypto::e2e {

namespace {

bytes directory_tbs(const directory& d) {
    wire::writer w;
    w.u8(protocol_version);
    w.u8(struct_directory);
    w.u64(d.number);
    w.u64(d.issued_at);
    w.u32(static_cast<std::uint32_t>(d.entries.size()));
    for (const auto& e : d.entries) {
        w.u8(static_cast<std::uint8_t>(e.handle.size()));
        w.put(e.handle);
        w.u64(e.serial);
        w.u64(e.not_before);
        w.u64(e.not_after);
        w.put(e.identity_key);
    }
    w.u32(static_cast<std::uint32_t>(d.retired.size()));
    for (std::uint64_t s : d.retired) w.u64(s);
    return std::move(w.out);
}

bool valid_serial(std::uint64_t s) noexcept { return s != 0 && s <= max_serial; }

// One canonical form: handles strictly ascending (so unique), serials valid,
// retired serials strictly ascending; the same rules for signing and decoding.
error check_directory(const directory& d) {
    if (d.number == 0) return error::bad_field;
    if (d.entries.size() > max_directory_entries || d.retired.size() > max_revoked_serials) return error::bad_length;
    for (std::size_t i = 0; i < d.entries.size(); ++i) {
        const auto& e = d.entries[i];
        if (!valid_handle(e.handle) || !valid_serial(e.serial) || e.not_after <= e.not_before) return error::bad_field;
        if (i > 0 && !(d.entries[i - 1].handle < e.handle)) return error::bad_field;
    }
    for (std::size_t i = 0; i < d.retired.size(); ++i) {
        if (!valid_serial(d.retired[i]) || (i > 0 && d.retired[i] <= d.retired[i - 1])) return error::bad_field;
    }
    return error::ok;
}

} // namespace

bytes encode(const directory& d) { return structs::with_signature(directory_tbs(d), d.signature); }

result<directory> decode_directory(byte_view in) {
    constexpr std::size_t max_bytes = 2 + 8 + 8 + 4 + max_directory_entries * (directory_entry_fixed_bytes + 64) + 4 +
                                      std::size_t{max_revoked_serials} * 8 + signature_bytes;
    if (in.size() > max_bytes) return error::bad_length;
    wire::reader r(in);
    directory d;
    if (error e = structs::read_header(r, struct_directory); e != error::ok) return e;
    std::uint32_t count = 0;
    if (!r.u64(d.number) || !r.u64(d.issued_at) || !r.u32(count)) return error::truncated;
    if (count > max_directory_entries) return error::bad_length;
    // Each entry needs at least its fixed part and a 1-byte handle.
    if (r.remaining() < std::size_t{count} * (directory_entry_fixed_bytes + 1)) return error::truncated;
    d.entries.resize(count);
    for (auto& e : d.entries) {
        if (error err = structs::read_handle(r, e.handle); err != error::ok) return err;
        if (!r.u64(e.serial) || !r.u64(e.not_before) || !r.u64(e.not_after) || !r.array(e.identity_key))
            return error::truncated;
    }
    std::uint32_t retired = 0;
    if (!r.u32(retired)) return error::truncated;
    if (retired > max_revoked_serials) return error::bad_length;
    if (r.remaining() < std::size_t{retired} * 8 + signature_bytes) return error::truncated;
    if (r.remaining() > std::size_t{retired} * 8 + signature_bytes) return error::trailing_bytes;
    d.retired.resize(retired);
    for (auto& s : d.retired) (void)r.u64(s);
    if (error e = structs::read_signature_end(r, d.signature); e != error::ok) return e;
    if (error e = check_directory(d); e != error::ok) return e;
    return d;
}

result<directory> sign_directory(directory d, const sign_secret& root_secret) {
    std::sort(d.entries.begin(), d.entries.end(),
              [](const directory_entry& a, const directory_entry& b) { return a.handle < b.handle; });
    std::sort(d.retired.begin(), d.retired.end());
    d.retired.erase(std::unique(d.retired.begin(), d.retired.end()), d.retired.end());
    if (error e = check_directory(d); e != error::ok) return e;
    d.signature = prim::sign(prim::label_directory, directory_tbs(d), root_secret);
    return d;
}

error verify_signature(const directory& d, const pub32& root) noexcept {
    try {
        return prim::verify(prim::label_directory, directory_tbs(d), d.signature, root) ? error::ok
                                                                                         : error::bad_signature;
    } catch (...) {
        return error::bad_signature;
    }
}

const directory_entry* find_entry(const directory& d, std::string_view handle) noexcept {
    auto it = std::lower_bound(d.entries.begin(), d.entries.end(), handle,
                               [](const directory_entry& e, std::string_view h) { return e.handle < h; });
    return it != d.entries.end() && it->handle == handle ? &*it : nullptr;
}

result<verified_trust_state> verify_trust_state(const trust_anchor& trust) {
    verified_trust_state out;
    // The revocation key: delegated by the root, and valid now.
    auto delegation = decode_revocation_delegation(trust.revocation_delegation);
    if (!delegation) return delegation.err();
    if (error e = verify_signature(*delegation, trust.root); e != error::ok) return e;
    if (delegation->not_after <= delegation->not_before ||
        delegation->not_after - delegation->not_before > max_delegation_validity_s)
        return error::delegation_invalid;
    if (trust.now < delegation->not_before || trust.now >= delegation->not_after) return error::delegation_invalid;
    out.delegation = std::move(*delegation);

    // The list: signed by that key while the delegation held, at most 48
    // hours long, not stale, and not below the floor.
    auto list = decode_revocation_list(trust.revocation_list);
    if (!list) return list.err();
    if (error e = verify_signature(*list, out.delegation.revocation_key); e != error::ok) return e;
    if (list->next_update <= list->issued_at || list->next_update - list->issued_at > max_crl_validity_s)
        return error::crl_validity_too_long;
    if (list->issued_at < out.delegation.not_before || list->issued_at >= out.delegation.not_after)
        return error::delegation_invalid;
    if (trust.now >= list->next_update) return error::crl_stale;
    if (list->number < trust.min_crl_number) return error::crl_rollback;
    out.list = std::move(*list);

    // The directory: root-signed, and at least as new as the one the list
    // was signed against (so the server can hold back a new directory for at
    // most the life of one list).
    auto dir = decode_directory(trust.directory);
    if (!dir) return dir.err();
    if (error e = verify_signature(*dir, trust.root); e != error::ok) return e;
    if (dir->number < out.list.directory_number) return error::directory_stale;
    out.dir = std::move(*dir);
    return out;
}

} // namespace peerline::crypto::e2e
