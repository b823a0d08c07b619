// Encoding and strict decoding of the four PSC-1 frames (docs/CRYPTO.md,
// "Frames"). Sizes are checked before anything else is read.
#include "peerline/crypto/e2e/frames.hpp"

#include "wire.hpp"

#include <algorithm>

namespace peerline::crypto::e2e {

namespace {

error read_prefix(wire::reader& r, std::uint8_t expected_type, sid_t& sid) noexcept {
    std::uint8_t v = 0, t = 0;
    if (!r.u8(v) || !r.u8(t)) return error::truncated;
    if (v != protocol_version) return error::bad_version;
    if (t != expected_type) return error::bad_type;
    if (!r.array(sid)) return error::truncated;
    return error::ok;
}

void write_prefix(wire::writer& w, std::uint8_t type, const sid_t& sid) {
    w.u8(protocol_version);
    w.u8(type);
    w.put(sid);
}

bool is_bucket(std::size_t n) noexcept {
    return std::find(frame_buckets.begin(), frame_buckets.end(), n) != frame_buckets.end();
}

} // namespace

result<std::uint8_t> peek_frame_type(byte_view in) {
    if (in.size() < 2) return error::truncated;
    if (in[0] != protocol_version) return error::bad_version;
    if (in[1] < frame_hello || in[1] > frame_message) return error::bad_type;
    return in[1];
}

bytes encode(const hello_frame& f) {
    wire::writer w;
    write_prefix(w, frame_hello, f.sid);
    w.put(f.commitment);
    return std::move(w.out);
}

bytes encode_unsigned(const response_frame& f) {
    wire::writer w;
    write_prefix(w, frame_response, f.sid);
    w.put(f.ephemeral);
    w.u16(static_cast<std::uint16_t>(f.certificate.size()));
    w.put(f.certificate);
    // Zeros up to the largest certificate: every response is response_bytes
    // long whatever the handle's length (the signature covers them too).
    if (f.certificate.size() < max_cert_bytes) w.out.resize(w.out.size() + (max_cert_bytes - f.certificate.size()), 0);
    return std::move(w.out);
}

bytes encode(const response_frame& f) {
    bytes out = encode_unsigned(f);
    out.insert(out.end(), f.signature.begin(), f.signature.end());
    return out;
}

result<hello_frame> decode_hello(byte_view in) {
    wire::reader r(in);
    hello_frame f;
    if (error e = read_prefix(r, frame_hello, f.sid); e != error::ok) return e;
    if (!r.array(f.commitment)) return error::truncated;
    if (r.remaining() != 0) return error::trailing_bytes;
    return f;
}

result<response_frame> decode_response(byte_view in) {
    if (in.size() > response_bytes) return error::bad_length;
    wire::reader r(in);
    response_frame f;
    if (error e = read_prefix(r, frame_response, f.sid); e != error::ok) return e;
    std::uint16_t cert_len = 0;
    byte_view cert, padding;
    if (!r.array(f.ephemeral) || !r.u16(cert_len)) return error::truncated;
    if (cert_len < min_cert_bytes || cert_len > max_cert_bytes) return error::bad_length;
    if (!r.take(cert_len, cert) || !r.take(max_cert_bytes - cert_len, padding) || !r.array(f.signature)) {
        return error::truncated;
    }
    if (r.remaining() != 0) return error::trailing_bytes;
    // One encoding only: the padding is zeros.
    byte nonzero = 0;
    for (byte b : padding) nonzero |= b;
    if (nonzero != 0) return error::bad_padding;
    f.certificate.assign(cert.begin(), cert.end());
    return f;
}

result<encrypted_frame> decode_encrypted(byte_view in, std::uint8_t expected_type) {
    const std::size_t overhead = expected_type == frame_confirm ? confirm_overhead : message_overhead;
    wire::reader r(in);
    encrypted_frame f;
    f.type = expected_type;
    if (error e = read_prefix(r, expected_type, f.sid); e != error::ok) return e;
    // Only whole buckets exist; anything else was cut or padded by someone else.
    if (!is_bucket(in.size())) return error::bad_length;
    if (expected_type == frame_confirm && !r.array(f.gp_ephemeral)) return error::truncated;
    f.header_ad_end = r.pos();
    if (!r.array(f.header_nonce) || !r.take(enc_header_bytes, f.enc_header) || !r.array(f.body_nonce)) {
        return error::truncated;
    }
    f.body_ad_end = r.pos();
    if (!r.take(in.size() - overhead + tag_bytes, f.ciphertext)) return error::truncated;
    return f;
}

} // namespace peerline::crypto::e2e
