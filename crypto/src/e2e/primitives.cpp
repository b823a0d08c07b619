// libsodium calls behind primitives.hpp. Temporary secrets are wiped here.
#include "primitives.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace peerline::crypto::e2e::prim {

pub32 hash(std::initializer_list<byte_view> parts, byte_view key) {
    crypto_generichash_state st;
    if (crypto_generichash_init(&st, key.empty() ? nullptr : key.data(), key.size(), 32) != 0) {
        throw std::logic_error("crypto_generichash_init: bad key length");
    }
    for (byte_view p : parts) crypto_generichash_update(&st, p.data(), p.size());
    pub32 out{};
    crypto_generichash_final(&st, out.data(), out.size());
    sodium_memzero(&st, sizeof st);
    return out;
}

key32 kdf(const key32& key, std::uint64_t id, const char (&ctx)[9]) {
    key32 out;
    crypto_kdf_derive_from_key(out.data(), out.size(), id, ctx, key.data());
    return out;
}

std::optional<key32> dh(const key32& secret, const pub32& peer_public) {
    key32 out;
    // libsodium returns -1 when the shared point is all zero (low order).
    if (crypto_scalarmult(out.data(), secret.data(), peer_public.data()) != 0) {
        return std::nullopt;
    }
    return out;
}

std::optional<pub32> dh_public(const key32& secret) {
    pub32 out{};
    if (crypto_scalarmult_base(out.data(), secret.data()) != 0) return std::nullopt;
    return out;
}

std::array<byte, 64> sign(std::string_view label, byte_view message, const std::array<byte, 64>& secret) {
    bytes m(label.begin(), label.end());
    m.insert(m.end(), message.begin(), message.end());
    std::array<byte, 64> sig{};
    crypto_sign_detached(sig.data(), nullptr, m.data(), m.size(), secret.data());
    return sig;
}

bool verify(std::string_view label, byte_view message, const std::array<byte, 64>& sig, const pub32& pk) noexcept {
    try {
        bytes m(label.begin(), label.end());
        m.insert(m.end(), message.begin(), message.end());
        return crypto_sign_verify_detached(sig.data(), m.data(), m.size(), pk.data()) == 0;
    } catch (...) {
        return false;  // allocation failure
    }
}

bytes seal(const key32& key, const std::array<byte, 24>& nonce, byte_view plain, byte_view ad) {
    bytes out(plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    unsigned long long n = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), &n, plain.data(), plain.size(), ad.data(),
                                               ad.size(), nullptr, nonce.data(), key.data());
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<bytes> open(const key32& key, const std::array<byte, 24>& nonce, byte_view cipher, byte_view ad) {
    if (cipher.size() < crypto_aead_xchacha20poly1305_ietf_ABYTES) return std::nullopt;
    bytes out(cipher.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES);
    unsigned long long n = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), &n, nullptr, cipher.data(), cipher.size(),
                                                   ad.data(), ad.size(), nonce.data(), key.data()) != 0) {
        return std::nullopt;
    }
    out.resize(static_cast<std::size_t>(n));
    return out;
}

bool equal(byte_view a, byte_view b) noexcept {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace peerline::crypto::e2e::prim
