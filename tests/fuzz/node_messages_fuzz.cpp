// libFuzzer target for the messages between nodes
// (peerline/protocol/node_messages.hpp): the node-channel, broadcast and
// detached-record decoders. The first input byte picks the decoder. Whatever
// decodes must encode back to something that decodes to the same value (and,
// for relay frames, to the same bytes: relay frames have one format, 'B',
// whatever the number of frames): a decoder that accepted what its encoder
// cannot reproduce would lose or change messages between nodes.
// Built by PEERLINE_FUZZ with clang; run by tests/fuzz/run.sh.
#include "peerline/protocol/node_messages.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

namespace pc = peerline::protocol::cluster;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

void node_message(std::string_view in, const pc::node_limits& lim) {
    auto m = pc::decode_node_message(in, lim);
    check(m.value.has_value() != m.err.has_value());
    if (!m) return;
    if (auto* e = std::get_if<pc::addressed_event>(&*m.value)) {
        auto again = pc::decode_node_message(pc::encode_addressed_event(e->sid, e->event), lim);
        check(again.value.has_value());
        auto* e2 = std::get_if<pc::addressed_event>(&*again.value);
        check(e2 != nullptr && e2->sid == e->sid && e2->event == e->event);
        return;
    }
    const auto& batch = std::get<pc::relay_batch>(*m.value);
    check(!batch.parts.empty());
    std::string out;
    for (const auto& p : batch.parts) {
        check(p.sid.size() == pc::session_id_bytes && !p.frame.empty() &&
              p.frame.size() <= lim.max_relay_frame_bytes);
        // The offset is where the router rewrites the frame's channel.
        auto at = pc::append_relay_frame(out, p.sid, p.frame);
        check(std::string_view(out).substr(at) == p.frame);
        // Every part is a view into the message it came from.
        check(p.frame.data() >= in.data() && p.frame.data() + p.frame.size() <= in.data() + in.size());
    }
    // One format: a batch of one frame is written as it was read.
    check(in[0] == 'B' && out == in);
}

void broadcast(std::string_view in, const pc::node_limits& lim) {
    auto b = pc::decode_broadcast(in, lim);
    check(b.value.has_value() != b.err.has_value());
    if (!b) return;
    auto again = pc::decode_broadcast(pc::encode(*b.value), lim);
    check(again.value.has_value() && *again.value == *b.value);
}

void detached(std::string_view in, const pc::node_limits& lim) {
    auto d = pc::decode_detached_session(in, lim);
    check(d.value.has_value() != d.err.has_value());
    if (!d) return;
    check(d.value->conversations.size() <= lim.max_detached_conversations);
    auto again = pc::decode_detached_session(pc::encode(*d.value), lim);
    check(again.value.has_value() && *again.value == *d.value);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    pc::node_limits lim;
    lim.max_relay_frame_bytes = 1024; // small, so the fuzzer meets the limit
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 3) {
    case 0: node_message(in, lim); break;
    case 1: broadcast(in, lim); break;
    default: detached(in, lim); break;
    }
    return 0;
}
