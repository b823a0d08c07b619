// libFuzzer target for everything in PSC-1 that parses bytes from the
// network or from storage: the certificate, list and request decoders, the
// four frame decoders, the GP's and the listener's handshake steps, a
// session's decrypt, and the web client's signed release manifest. The first input byte picks the target. Targets 7-9
// patch the rest of the input into a valid frame, so the fuzzer reaches
// the checks behind the decoders without a corpus. Built by PEERLINE_FUZZ
// with clang; run by tests/fuzz/run.sh (scripts/test).
#include "peerline/crypto/crypto.hpp"
#include "peerline/crypto/e2e.hpp"
#include "peerline/crypto/org.hpp"
#include "peerline/crypto/release.hpp"

#include <cstdlib>
#include <optional>

using namespace peerline::crypto::e2e;
namespace org = peerline::crypto::org;

namespace {

pub32 seed(std::uint8_t n) {
    pub32 s{};
    s.fill(n);
    return s;
}

// One organisation, listener and established conversation, made once.
struct world {
    deterministic_rng random{seed(1)};
    trust_anchor trust;
    pub32 root_public{};
    listener_identity listener;
    bytes hello, response, confirm, message;
    std::optional<gp_handshake> gp;  // waiting for a response
    std::optional<listener_handshake> lh;  // waiting for a confirm
    std::optional<session> receiver;

    world() {
        peerline::crypto::init();
        const std::uint64_t now = 1'700'000'000;
        auto root = org::parse_key_file(org::keygen(random)).value();
        root_public = root.public_key;
        listener = generate_listener_identity(random);
        auto req = make_enrolment_request(listener, "fuzz.listener").value();
        listener.certificate = org::certify(root, encode(req), role::listener, 5, now - 10, 86400).value();
        trust = org::make_trust(root, random, {listener.certificate}, {3}, now - 10, 86400, now).value();

        sid_cache seen;
        gp.emplace(gp_handshake::start(random));
        hello = gp->hello();
        lh.emplace(listener_handshake::respond(listener, hello, seen, random).value());
        response = lh->response();
        // A second pair of handshakes, completed, gives a session and frames.
        auto gp2 = gp_handshake::start(random);
        auto lh2 = listener_handshake::respond(listener, gp2.hello(), seen, random).value();
        auto est = gp2.on_response(lh2.response(), trust, bytes{'h', 'i'}, random).value();
        confirm = est.confirm;
        auto lest = lh2.on_confirm(confirm, random).value();
        message = est.conversation.encrypt(bytes{'x'}, random).value();
        receiver.emplace(std::move(lest.conversation));
    }
};

world& w() {
    static world instance;
    return instance;
}

// base with data[2..] written at offset (u16 from data[0..1]); bit 0 of
// data[0] also cuts the result there.
bytes patched(const bytes& base, const std::uint8_t* data, std::size_t size) {
    bytes out = base;
    if (size < 2) return out;
    const std::size_t offset = ((std::size_t{data[0]} << 8) | data[1]) % out.size();
    for (std::size_t i = 2; i < size && offset + i - 2 < out.size(); ++i) out[offset + i - 2] = data[i];
    if (data[0] & 1) out.resize(std::min(out.size(), offset + size - 2));
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    world& s = w();
    const byte_view in(data + 1, size - 1);
    deterministic_rng r(seed(9));
    switch (data[0] % 14) {
    case 0: (void)decode_certificate(in); break;
    case 1: (void)decode_revocation_list(in); break;
    case 2: (void)decode_enrolment_request(in); break;
    case 3: (void)decode_hello(in); break;
    case 4: (void)decode_response(in); break;
    case 5: (void)decode_encrypted(in, frame_confirm); break;
    case 6: (void)decode_encrypted(in, frame_message); break;
    case 7: {
        // Must never succeed unless the patch was a no-op, and never change state.
        const bytes f = patched(s.message, in.data(), in.size());
        auto m = s.receiver->clone().decrypt(f, r);
        if (m && f != s.message) std::abort();
        break;
    }
    case 8: {
        // The unpatched response would complete the shared handshake; skip it.
        const bytes f = patched(s.response, in.data(), in.size());
        if (f == s.response) break;
        if (s.gp->on_response(f, s.trust, {}, r)) std::abort();
        break;
    }
    case 9: {
        const bytes f = patched(s.confirm, in.data(), in.size());
        (void)s.lh->on_confirm(f, r);  // confirm belongs to another handshake: must fail
        break;
    }
    case 10: (void)verify_listener_certificate(in, s.trust); break;
    case 11: {
        // The release manifest a node reads from its web root and verify-web
        // from the network: text, not bytes. Never verifies without the root's key.
        const std::string_view text(reinterpret_cast<const char*>(in.data()), in.size());
        if (peerline::crypto::release::verify(text, s.root_public).ok()) std::abort();
        break;
    }
    case 12: (void)decode_directory(in); break;
    case 13: (void)decode_revocation_delegation(in); break;
    default: (void)unpad(in); (void)peek_frame_type(in); break;
    }
    return 0;
}
