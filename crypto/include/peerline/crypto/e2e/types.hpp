// Common vocabulary of the end-to-end protocol PSC-1 (docs/CRYPTO.md, part 2):
// byte strings, secret keys that wipe themselves, typed errors and a small
// result type. Pure: no I/O.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace peerline::crypto::e2e {

using byte = std::uint8_t;
using bytes = std::vector<byte>;
using byte_view = std::span<const byte>;

// A public value of 32 bytes (X25519 or Ed25519 public key, hash).
using pub32 = std::array<byte, 32>;

// A 32-byte secret. Copies are allowed (the ratchet works on a copy of its
// state so that a failed decryption changes nothing), and every copy wipes
// itself with sodium_memzero when it dies.
class key32 {
public:
    key32() noexcept = default;
    key32(const key32&) = default;
    key32& operator=(const key32&) = default;
    ~key32();
    std::array<byte, 32> b{};
    byte* data() noexcept { return b.data(); }
    const byte* data() const noexcept { return b.data(); }
    static constexpr std::size_t size() noexcept { return 32; }
    byte_view view() const noexcept { return {b.data(), b.size()}; }
};

// Every way an operation of the protocol can fail. The names (error_name) are
// part of the specification: the JavaScript implementation uses the same
// strings, and the shared test vectors compare them.
enum class error {
    ok = 0,
    // strict decoders
    truncated,            // input ends before a required field
    trailing_bytes,       // input continues after the last field
    bad_version,          // version byte is not 1
    bad_type,             // structure or frame type byte is not the expected one
    bad_length,           // a length field or the total size is outside its limits
    bad_field,            // a field value is out of range (role, handle, serial, order)
    // certificates and revocation
    bad_signature,        // an Ed25519 signature does not verify
    cert_not_yet_valid,
    cert_expired,
    cert_validity_too_long,  // not_after - not_before > 30 days, or not_after <= not_before
    cert_revoked,
    cert_wrong_role,
    crl_stale,            // now >= next_update of the revocation list
    crl_rollback,         // revocation list number lower than one already seen
    crl_validity_too_long,  // next_update - issued_at > 48 hours, or next_update <= issued_at
    delegation_invalid,   // the revocation key's delegation is outside its validity (now or at the list's issue)
    directory_stale,      // the directory is older than the one the revocation list names
    not_in_directory,     // the certificate is not the directory's current one for its handle
    // handshake
    weak_key,             // an X25519 result was all zero (low-order point)
    replayed_handshake,   // a hello whose session id was already answered
    sid_mismatch,         // frame belongs to another session
    commitment_mismatch,  // revealed GP key does not match the hello's commitment
    unexpected_frame,     // frame type not valid in this state
    // ratchet
    header_auth_failed,   // no header key opens the header (forged, corrupt, or too old)
    body_auth_failed,     // header opened but the body does not authenticate
    duplicate_message,    // message number already received (replay or duplicate)
    too_many_skipped,     // jump of more than max_skip in one chain
    skipped_store_full,   // storing the skipped keys would exceed max_skipped_keys
    bad_padding,
    message_too_large,
    counter_exhausted,    // 2^32 - 1 messages in one chain
    session_closed,
};

// The specification's name for an error, e.g. "cert_expired".
std::string_view error_name(error e) noexcept;

// Either a value or an error (std::expected arrives only with C++23).
template <class T>
class [[nodiscard]] result {
public:
    result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    result(error e) : v_(std::in_place_index<1>, e) {}
    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    error err() const noexcept { return ok() ? error::ok : std::get<1>(v_); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

private:
    std::variant<T, error> v_;
};

} // namespace peerline::crypto::e2e
