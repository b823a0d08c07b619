// PSC-1's three-message handshake (docs/CRYPTO.md, "Handshake").
#include "peerline/crypto/e2e/handshake.hpp"

#include "peerline/crypto/e2e/limits.hpp"
#include "primitives.hpp"
#include "ratchet.hpp"

#include <sodium.h>

#include <algorithm>

namespace peerline::crypto::e2e {

namespace {

pub32 commitment(const sid_t& sid, const pub32& gp_ephemeral) {
    return prim::hash({prim::as_bytes(prim::label_commit), sid, gp_ephemeral});
}

pub32 transcript(byte_view hello, byte_view response, const pub32& gp_ephemeral) {
    return prim::hash({prim::as_bytes(prim::label_transcript), hello, response, gp_ephemeral});
}

// PRK = BLAKE2b-256(dh1 || dh2 || TH, key = "PSC1/handshake-key");
// RK0, HKa, NHKb = kdf(PRK, 1..3, "PSC1_hs_").
ratchet_seed derive(const sid_t& sid, const pub32& th, const key32& dh1, const key32& dh2) {
    key32 prk;
    prk.b = prim::hash({dh1.view(), dh2.view(), th}, prim::as_bytes(prim::key_handshake));
    ratchet_seed seed;
    seed.sid = sid;
    seed.th = th;
    seed.root = prim::kdf(prk, 1, prim::ctx_handshake);
    seed.header_a = prim::kdf(prk, 2, prim::ctx_handshake);
    seed.next_header_b = prim::kdf(prk, 3, prim::ctx_handshake);
    return seed;
}

bytes concat(byte_view a, byte_view b) {
    bytes out(a.begin(), a.end());
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

} // namespace

// ---------------------------------------------------------------------------
// Listener identity and enrolment
// ---------------------------------------------------------------------------

listener_identity::~listener_identity() { sodium_memzero(identity_secret.data(), identity_secret.size()); }

pub32 listener_identity::identity_public() const {
    pub32 pk{};
    std::copy(identity_secret.begin() + 32, identity_secret.end(), pk.begin());
    return pk;
}

pub32 listener_identity::signed_public() const { return prim::dh_public(signed_secret).value_or(pub32{}); }

listener_identity generate_listener_identity(rng& random) {
    listener_identity id;
    key32 seed;
    random.fill(seed.b);
    pub32 pk{};
    crypto_sign_seed_keypair(pk.data(), id.identity_secret.data(), seed.data());
    random.fill(id.signed_secret.b);
    return id;
}

result<enrolment_request> make_enrolment_request(const listener_identity& id, std::string handle) {
    enrolment_request r;
    r.identity_key = id.identity_public();
    r.signed_key = id.signed_public();
    r.handle = std::move(handle);
    return sign_enrolment_request(std::move(r), id.identity_secret);
}

// ---------------------------------------------------------------------------
// sid_cache
// ---------------------------------------------------------------------------

sid_cache::sid_cache(std::size_t capacity) : capacity_(capacity == 0 ? sid_cache_entries : capacity) {}

bool sid_cache::insert(const sid_t& sid) {
    if (!seen_.insert(sid).second) return false;
    order_.push_back(sid);
    if (order_.size() > capacity_) {
        seen_.erase(order_.front());
        order_.pop_front();
    }
    return true;
}

// ---------------------------------------------------------------------------
// GP side
// ---------------------------------------------------------------------------

gp_handshake gp_handshake::start(rng& random) {
    gp_handshake hs;
    random.fill(hs.sid_);
    // A secret whose public key is degenerate cannot come from 32 random
    // bytes in practice; drawing again keeps the contract total.
    for (;;) {
        random.fill(hs.ephemeral_secret_.b);
        if (auto pk = prim::dh_public(hs.ephemeral_secret_)) {
            hs.ephemeral_public_ = *pk;
            break;
        }
    }
    hs.hello_ = encode(hello_frame{hs.sid_, commitment(hs.sid_, hs.ephemeral_public_)});
    return hs;
}

result<gp_established> gp_handshake::on_response(byte_view response, const trust_anchor& trust,
                                                 byte_view first_payload, rng& random) {
    if (done_) return error::unexpected_frame;
    auto f = decode_response(response);
    if (!f) return f.err();
    if (!prim::equal(f->sid, sid_)) return error::sid_mismatch;
    auto cert = verify_listener_certificate(f->certificate, trust);
    if (!cert) return cert.err();
    // The listener's device proves it holds the certified identity key and
    // binds its fresh ephemeral to this hello.
    if (!prim::verify(prim::label_response, concat(hello_, encode_unsigned(*f)), f->signature,
                      cert->identity_key)) {
        return error::bad_signature;
    }
    auto dh1 = prim::dh(ephemeral_secret_, f->ephemeral);
    auto dh2 = prim::dh(ephemeral_secret_, cert->signed_key);
    if (!dh1 || !dh2) return error::weak_key;

    const pub32 th = transcript(hello_, response, ephemeral_public_);
    const ratchet_seed seed = derive(sid_, th, *dh1, *dh2);
    auto st = init_alice(seed, f->ephemeral, random);
    if (!st) return st.err();
    auto confirm = encrypt_frame(*st.value(), frame_confirm, &ephemeral_public_, first_payload, random);
    if (!confirm) return confirm.err();

    done_ = true;
    ephemeral_secret_ = key32{};  // forward secrecy: the handshake secret is gone
    return gp_established{session(std::move(st.value())), std::move(confirm.value()), std::move(cert.value())};
}

// ---------------------------------------------------------------------------
// Listener side
// ---------------------------------------------------------------------------

result<listener_handshake> listener_handshake::respond(const listener_identity& id, byte_view hello,
                                                       sid_cache& seen, rng& random) {
    auto h = decode_hello(hello);
    if (!h) return h.err();
    if (!seen.insert(h->sid)) return error::replayed_handshake;

    listener_handshake hs;
    hs.sid_ = h->sid;
    hs.commitment_ = h->commitment;
    hs.hello_.assign(hello.begin(), hello.end());
    hs.signed_secret_ = id.signed_secret;
    for (;;) {
        random.fill(hs.ephemeral_secret_.b);
        if (auto pk = prim::dh_public(hs.ephemeral_secret_)) {
            hs.ephemeral_public_ = *pk;
            break;
        }
    }
    response_frame r;
    r.sid = hs.sid_;
    r.ephemeral = hs.ephemeral_public_;
    r.certificate = id.certificate;
    r.signature = prim::sign(prim::label_response, concat(hs.hello_, encode_unsigned(r)), id.identity_secret);
    hs.response_ = encode(r);
    return hs;
}

result<listener_established> listener_handshake::on_confirm(byte_view confirm, rng& random) {
    if (done_) return error::unexpected_frame;
    auto f = decode_encrypted(confirm, frame_confirm);
    if (!f) return f.err();
    if (!prim::equal(f->sid, sid_)) return error::sid_mismatch;
    if (!prim::equal(commitment(sid_, f->gp_ephemeral), commitment_)) return error::commitment_mismatch;
    auto dh1 = prim::dh(ephemeral_secret_, f->gp_ephemeral);
    auto dh2 = prim::dh(signed_secret_, f->gp_ephemeral);
    if (!dh1 || !dh2) return error::weak_key;

    const pub32 th = transcript(hello_, response_, f->gp_ephemeral);
    auto st = init_bob(derive(sid_, th, *dh1, *dh2), ephemeral_secret_, ephemeral_public_);
    auto first = decrypt_frame(*st, *f, confirm, random);
    if (!first) return first.err();

    done_ = true;
    ephemeral_secret_ = key32{};  // now lives only in the ratchet until its next step
    signed_secret_ = key32{};
    return listener_established{session(std::move(st)), std::move(first.value())};
}

} // namespace peerline::crypto::e2e
