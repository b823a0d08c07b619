// See incoming.hpp.
#include "peerline/client/incoming.hpp"

namespace peerline::client {

namespace {

// Payloads may be binary: show a bounded, printable excerpt.
std::string excerpt(const std::string& bytes) {
    constexpr std::size_t max_shown = 200;
    std::string out;
    for (std::size_t i = 0; i < bytes.size() && i < max_shown; ++i) {
        auto c = static_cast<unsigned char>(bytes[i]);
        out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
    }
    if (bytes.size() > max_shown)
        out += "...";
    return out;
}

struct describer {
    std::string operator()(const control_frame& c) const {
        return std::string(protocol::type_name(c.message)) + " " + c.raw;
    }
    std::string operator()(const relay_frame& r) const {
        return "relay frame on channel " + std::to_string(r.channel) + " (" +
               std::to_string(r.payload.size()) + " bytes: '" + excerpt(r.payload) + "')";
    }
    std::string operator()(const closed& c) const {
        std::string out = "connection closed (code " + std::to_string(c.code);
        if (!c.reason.empty())
            out += ", reason '" + c.reason + "'";
        if (!c.error.empty())
            out += ", " + c.error;
        return out + ")";
    }
    std::string operator()(const bad_frame& b) const {
        return std::string("undecodable ") + (b.text ? "text" : "binary") + " frame (" + b.problem +
               "): '" + excerpt(b.raw) + "'";
    }
    std::string operator()(const timed_out& t) const {
        return "nothing within " + std::to_string(t.waited.count()) + " ms";
    }
};

} // namespace

std::string describe(const incoming& in) {
    return std::visit(describer{}, in);
}

} // namespace peerline::client
