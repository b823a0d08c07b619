// libFuzzer target for what a proxy (or someone pretending to be one) sends
// to learn a client's address: the PROXY protocol v2 header decoder, IP and
// CIDR text, and X-Forwarded-For read past trusted proxies
// (protocol/ip_address, proxy_v2, forwarded_for). The first input byte picks
// the target; the rest is the input. Besides not crashing, each target
// checks the decoder's contract and aborts when it is broken. Built by
// PEERLINE_FUZZ with clang; run by tests/fuzz/run.sh with the seed corpus in
// tests/fuzz/corpus/proxy_address/.
#include "peerline/protocol/forwarded_for.hpp"
#include "peerline/protocol/ip_address.hpp"
#include "peerline/protocol/proxy_v2.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

using namespace peerline::protocol;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

void fuzz_proxy_v2(std::string_view in) {
    auto r = decode_proxy_v2(in);
    using kind = proxy_v2_result::kind;
    switch (r.what) {
    case kind::need_more:
        // It asks for more than it has, never beyond the limit.
        check(r.length > in.size() && r.length <= max_proxy_v2_bytes);
        break;
    case kind::invalid:
        check(!r.problem.empty());
        break;
    case kind::local:
    case kind::proxied:
        check(r.length >= proxy_v2_fixed_bytes && r.length <= in.size() && r.length <= max_proxy_v2_bytes);
        check((r.what == kind::proxied) == r.source.has_value());
        // The same header alone decodes the same; a cut one asks for the rest.
        check(decode_proxy_v2(in.substr(0, r.length)).what == r.what);
        check(decode_proxy_v2(in.substr(0, r.length - 1)).what == kind::need_more);
        break;
    }
}

void fuzz_ip(std::string_view in) {
    if (auto a = parse_ip(in)) {
        // Canonical text parses back to the same address.
        auto again = parse_ip(a->to_string());
        check(again && *again == *a);
    }
    if (auto c = parse_cidr(in)) {
        check(c->prefix <= (c->base.v6 ? 128u : 32u));
        check(c->contains(c->base));
    }
}

void fuzz_forwarded_for(std::string_view in) {
    static const std::vector<cidr> trusted = {*parse_cidr("10.0.0.0/8"), *parse_cidr("2001:db8::/32"),
                                              *parse_cidr("192.0.2.1")};
    static const ip_address peer = *parse_ip("10.0.0.1");
    // Newlines separate header fields.
    std::vector<std::string_view> fields;
    for (std::size_t at = 0; at <= in.size();) {
        auto nl = in.find('\n', at);
        if (nl == std::string_view::npos) nl = in.size();
        fields.push_back(in.substr(at, nl - at));
        at = nl + 1;
    }
    auto r = client_from_forwarded_for(peer, fields, trusted);
    check(r.client.has_value() != !r.problem.empty());
    // An untrusted peer is always itself, whatever it sent.
    auto untrusted = *parse_ip("203.0.113.1");
    auto u = client_from_forwarded_for(untrusted, fields, trusted);
    check(u.client && *u.client == untrusted);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 3) {
    case 0: fuzz_proxy_v2(in); break;
    case 1: fuzz_ip(in); break;
    default: fuzz_forwarded_for(in); break;
    }
    return 0;
}
