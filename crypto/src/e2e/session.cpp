// The Double Ratchet with header encryption (Signal's specification, section
// 4) as PSC-1 instantiates it: docs/CRYPTO.md, "Ratchet".
#include "peerline/crypto/e2e/limits.hpp"
#include "peerline/crypto/e2e/padding.hpp"
#include "primitives.hpp"
#include "ratchet.hpp"
#include "wire.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdio>

namespace peerline::crypto::e2e {

namespace {

struct header {
    pub32 dh{};
    std::uint32_t pn = 0;
    std::uint32_t n = 0;
};

struct root_step {
    key32 root, chain, next_header;
};

// KDF_RK_HE: PRK = BLAKE2b-256(dh_out, key = RK); RK', CK, NHK = kdf(PRK, 1..3).
root_step kdf_rk(const key32& rk, const key32& dh_out) {
    key32 prk;
    prk.b = prim::hash({dh_out.view()}, rk.view());
    return {prim::kdf(prk, 1, prim::ctx_root), prim::kdf(prk, 2, prim::ctx_root),
            prim::kdf(prk, 3, prim::ctx_root)};
}

// KDF_CK: MK = kdf(CK, 1), CK' = kdf(CK, 2).
key32 next_message_key(key32& ck) {
    key32 mk = prim::kdf(ck, 1, prim::ctx_chain);
    ck = prim::kdf(ck, 2, prim::ctx_chain);
    return mk;
}

bytes ad_for(const ratchet_state& st, byte_view frame, std::size_t end) {
    bytes ad(st.th.begin(), st.th.end());
    ad.insert(ad.end(), frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(end));
    return ad;
}

std::optional<header> open_header(const key32& hk, const encrypted_frame& f, byte_view ad) {
    auto plain = prim::open(hk, f.header_nonce, f.enc_header, ad);
    if (!plain || plain->size() != header_bytes) return std::nullopt;
    wire::reader r(*plain);
    header h;
    (void)r.array(h.dh);
    (void)r.u32(h.pn);
    (void)r.u32(h.n);
    sodium_memzero(plain->data(), plain->size());
    return h;
}

// Stores the message keys of the current receiving chain up to (excluding)
// `until`. Limits are checked before any key is derived.
error skip_message_keys(ratchet_state& st, std::uint32_t until) {
    if (until <= st.nr) return error::ok;
    if (until - st.nr > max_skip) return error::too_many_skipped;
    if (!st.has_ckr) return error::ok;  // no chain yet: nothing can be derived
    if (st.skipped.size() + (until - st.nr) > max_skipped_keys) return error::skipped_store_full;
    while (st.nr < until) {
        skipped_key s;
        s.header_key = st.hkr;
        s.n = st.nr;
        s.message_key = next_message_key(st.ckr);
        s.stored_at = st.received;
        st.skipped.push_back(std::move(s));
        ++st.nr;
    }
    return error::ok;
}

// Application-level ordering: the sender numbers every message (seq), so the
// receiver can tell the interface about gaps and late arrivals.
void track_sequence(ratchet_state& st, received_message& m) {
    if (m.seq >= st.recv_next) {
        const std::uint64_t gap = std::uint64_t{m.seq} - st.recv_next;
        m.gap_before = static_cast<std::uint32_t>(gap);
        // Only the newest max_skipped_keys missing numbers are remembered.
        const std::uint64_t keep = std::min<std::uint64_t>(gap, max_skipped_keys);
        for (std::uint64_t s = m.seq - keep; s < m.seq; ++s) {
            st.missing.push_back({static_cast<std::uint32_t>(s), st.received});
        }
        st.recv_next = m.seq + 1;  // seq < 2^32 - 1 is checked by the caller
        while (st.missing.size() > max_skipped_keys) {
            m.expired.push_back(st.missing.front().seq);
            st.missing.erase(st.missing.begin());
        }
    } else {
        // Earlier than expected: a late arrival. If the number was given up
        // already it is still delivered (the ratchet has ruled out replays).
        m.late = true;
        auto it = std::find_if(st.missing.begin(), st.missing.end(),
                               [&](const missing_seq& x) { return x.seq == m.seq; });
        if (it != st.missing.end()) st.missing.erase(it);
    }
}

// Forgets skipped keys and missing numbers older than skipped_key_max_age
// received messages (Signal's specification, section 6.4).
void expire_old(ratchet_state& st, received_message& m) {
    std::erase_if(st.skipped, [&](const skipped_key& s) { return st.received - s.stored_at > skipped_key_max_age; });
    for (auto it = st.missing.begin(); it != st.missing.end();) {
        if (st.received - it->since > skipped_key_max_age) {
            m.expired.push_back(it->seq);
            it = st.missing.erase(it);
        } else {
            ++it;
        }
    }
}

result<received_message> finish_body(ratchet_state& st, const key32& mk, const encrypted_frame& f,
                                     byte_view frame) {
    auto padded = prim::open(mk, f.body_nonce, f.ciphertext, ad_for(st, frame, f.body_ad_end));
    if (!padded) return error::body_auth_failed;
    auto inner = unpad(*padded);
    sodium_memzero(padded->data(), padded->size());
    if (!inner) return inner.err();
    if (inner->size() < seq_bytes) return error::bad_length;
    received_message m;
    wire::reader r(*inner);
    (void)r.u32(m.seq);
    if (m.seq == UINT32_MAX) return error::bad_field;
    m.payload.assign(inner->begin() + seq_bytes, inner->end());
    sodium_memzero(inner->data(), inner->size());
    return m;
}

// Message accepted: count it, order it, expire what is too old.
received_message accept(ratchet_state& st, received_message m) {
    ++st.received;
    track_sequence(st, m);
    expire_old(st, m);
    return m;
}

} // namespace

result<std::unique_ptr<ratchet_state>> init_alice(const ratchet_seed& seed, const pub32& listener_ratchet,
                                                  rng& random) {
    auto st = std::make_unique<ratchet_state>();
    st->sid = seed.sid;
    st->th = seed.th;
    random.fill(st->dhs_secret.b);
    auto pub = prim::dh_public(st->dhs_secret);
    if (!pub) return error::weak_key;
    st->dhs_public = *pub;
    st->dhr = listener_ratchet;
    auto shared = prim::dh(st->dhs_secret, st->dhr);
    if (!shared) return error::weak_key;
    auto step = kdf_rk(seed.root, *shared);
    st->rk = step.root;
    st->cks = step.chain;
    st->nhks = step.next_header;
    st->has_cks = true;
    st->hks = seed.header_a;
    st->has_hks = true;
    st->nhkr = seed.next_header_b;
    return st;
}

std::unique_ptr<ratchet_state> init_bob(const ratchet_seed& seed, const key32& ephemeral_secret,
                                        const pub32& ephemeral_public) {
    auto st = std::make_unique<ratchet_state>();
    st->sid = seed.sid;
    st->th = seed.th;
    st->dhs_secret = ephemeral_secret;
    st->dhs_public = ephemeral_public;
    st->rk = seed.root;
    st->nhks = seed.next_header_b;
    st->nhkr = seed.header_a;
    return st;
}

result<bytes> encrypt_frame(ratchet_state& st, std::uint8_t type, const pub32* gp_ephemeral,
                            byte_view payload, rng& random) {
    if (st.closed) return error::session_closed;
    if (!st.has_cks || !st.has_hks) return error::unexpected_frame;
    if (st.ns == UINT32_MAX || st.send_seq == UINT32_MAX - 1) return error::counter_exhausted;
    const std::size_t overhead = type == frame_confirm ? confirm_overhead : message_overhead;
    const std::size_t inner_size = seq_bytes + payload.size();
    const std::size_t bucket = payload.size() > max_payload_bytes ? 0 : bucket_for(inner_size, overhead);
    if (bucket == 0) return error::message_too_large;

    wire::writer w;
    w.u8(protocol_version);
    w.u8(type);
    w.put(st.sid);
    if (type == frame_confirm) w.put(*gp_ephemeral);
    const std::size_t header_ad_end = w.out.size();

    wire::writer h;
    h.put(st.dhs_public);
    h.u32(st.pn);
    h.u32(st.ns);
    nonce_t hnonce{};
    random.fill(hnonce);
    bytes enc_header = prim::seal(st.hks, hnonce, h.out, ad_for(st, w.out, header_ad_end));
    w.put(hnonce);
    w.put(enc_header);

    nonce_t bnonce{};
    random.fill(bnonce);
    w.put(bnonce);
    const std::size_t body_ad_end = w.out.size();

    wire::writer inner;
    inner.u32(st.send_seq);
    inner.put(payload);
    bytes padded = pad(inner.out, bucket - overhead);
    sodium_memzero(inner.out.data(), inner.out.size());
    key32 mk = next_message_key(st.cks);
    bytes ct = prim::seal(mk, bnonce, padded, ad_for(st, w.out, body_ad_end));
    sodium_memzero(padded.data(), padded.size());
    w.put(ct);
    ++st.ns;
    ++st.send_seq;
    return std::move(w.out);
}

result<received_message> decrypt_frame(ratchet_state& st, const encrypted_frame& f, byte_view frame,
                                       rng& random) {
    if (st.closed) return error::session_closed;
    if (!prim::equal(f.sid, st.sid)) return error::sid_mismatch;
    const bytes header_ad = ad_for(st, frame, f.header_ad_end);

    // 1. A message we skipped earlier: its key is stored with its chain's header key.
    bool opened_by_old_key = false;
    for (auto it = st.skipped.begin(); it != st.skipped.end(); ++it) {
        auto h = open_header(it->header_key, f, header_ad);
        if (!h) continue;
        opened_by_old_key = true;
        if (h->n != it->n) continue;
        auto m = finish_body(st, it->message_key, f, frame);
        if (!m) return m.err();
        st.skipped.erase(it);
        return accept(st, std::move(m.value()));
    }

    // 2. The current receiving chain, or 3. the next one (a DH ratchet step).
    std::optional<header> h;
    if (st.has_hkr) h = open_header(st.hkr, f, header_ad);
    if (h) {
        if (h->n < st.nr) return error::duplicate_message;
        if (error e = skip_message_keys(st, h->n); e != error::ok) return e;
        if (st.nr == UINT32_MAX) return error::counter_exhausted;
        key32 mk = next_message_key(st.ckr);
        ++st.nr;
        auto m = finish_body(st, mk, f, frame);
        if (!m) return m.err();
        return accept(st, std::move(m.value()));
    }
    h = open_header(st.nhkr, f, header_ad);
    if (!h) return opened_by_old_key ? error::duplicate_message : error::header_auth_failed;

    // DH ratchet step, receiving half: finish the old chain, then derive the new one.
    if (error e = skip_message_keys(st, h->pn); e != error::ok) return e;
    st.pn = st.ns;
    st.ns = 0;
    st.nr = 0;
    st.hks = st.nhks;
    st.has_hks = true;
    st.hkr = st.nhkr;
    st.has_hkr = true;
    st.dhr = h->dh;
    auto shared = prim::dh(st.dhs_secret, st.dhr);
    if (!shared) return error::weak_key;
    auto recv = kdf_rk(st.rk, *shared);
    st.rk = recv.root;
    st.ckr = recv.chain;
    st.has_ckr = true;
    st.nhkr = recv.next_header;
    if (error e = skip_message_keys(st, h->n); e != error::ok) return e;
    key32 mk = next_message_key(st.ckr);
    ++st.nr;
    auto m = finish_body(st, mk, f, frame);
    if (!m) return m.err();

    // Sending half, only now that the frame is genuine: a fresh ratchet key.
    random.fill(st.dhs_secret.b);
    auto pub = prim::dh_public(st.dhs_secret);
    if (!pub) return error::weak_key;
    st.dhs_public = *pub;
    auto shared2 = prim::dh(st.dhs_secret, st.dhr);
    if (!shared2) return error::weak_key;
    auto send = kdf_rk(st.rk, *shared2);
    st.rk = send.root;
    st.cks = send.chain;
    st.has_cks = true;
    st.nhks = send.next_header;
    return accept(st, std::move(m.value()));
}

// ---------------------------------------------------------------------------
// session: the public face; decrypt() commits a copy only on success.
// ---------------------------------------------------------------------------

session::session(std::unique_ptr<ratchet_state> st) noexcept : st_(std::move(st)) {}
session::session(session&&) noexcept = default;
session& session::operator=(session&&) noexcept = default;
session::~session() = default;

result<bytes> session::encrypt(byte_view payload, rng& random) {
    if (!st_ || st_->closed) return error::session_closed;
    return encrypt_frame(*st_, frame_message, nullptr, payload, random);
}

result<received_message> session::decrypt(byte_view frame, rng& random) {
    if (!st_ || st_->closed) return error::session_closed;
    auto f = decode_encrypted(frame, frame_message);
    if (!f) return f.err();
    ratchet_state work = *st_;
    auto m = decrypt_frame(work, *f, frame, random);
    if (m) *st_ = std::move(work);
    return m;
}

std::string session::safety_code() const { return safety_code_for(st_->th); }
const pub32& session::transcript_hash() const { return st_->th; }

std::vector<std::uint32_t> session::missing() const {
    std::vector<std::uint32_t> out;
    for (const auto& m : st_->missing) out.push_back(m.seq);
    std::sort(out.begin(), out.end());
    return out;
}

std::size_t session::skipped_key_count() const { return st_ ? st_->skipped.size() : 0; }

session session::clone() const { return session(std::make_unique<ratchet_state>(*st_)); }

void session::close() noexcept {
    if (!st_) return;
    // Replacing the state destroys (and so wipes) every key it held.
    st_ = std::make_unique<ratchet_state>();
    st_->closed = true;
}

bool session::closed() const noexcept { return !st_ || st_->closed; }

std::string safety_code_for(const pub32& th) {
    const pub32 h = prim::hash({prim::as_bytes(prim::label_safety), th});
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | h[static_cast<std::size_t>(i)];
    v %= 100000000ull;
    char buf[10];
    std::snprintf(buf, sizeof buf, "%04u %04u", static_cast<unsigned>(v / 10000), static_cast<unsigned>(v % 10000));
    return buf;
}

} // namespace peerline::crypto::e2e
