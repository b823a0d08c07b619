// Who the client is, from X-Forwarded-For, the way nginx's realip module
// does it with `set_real_ip_from` and `real_ip_recursive on`: each proxy
// appends the address it received the request from, so the list is read
// from the right, skipping proxies we trust; the first address that is not
// one of them is the client. Everything to its left was written by the
// client (or proxies we do not know) and is never believed.
//
// Pure. The caller decides whether to look at the header at all: only when
// the TCP peer itself is a trusted proxy (server/net/proxy_trust.cpp).
#pragma once

#include "peerline/protocol/ip_address.hpp"

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace peerline::protocol {

// Most list elements looked at (from the right). A chain longer than this
// is refused rather than walked.
inline constexpr std::size_t max_forwarded_hops = 32;
// Most bytes of all X-Forwarded-For fields together.
inline constexpr std::size_t max_forwarded_for_bytes = 2048;

struct forwarded_for_result {
    std::optional<ip_address> client; // set unless problem is
    std::string_view problem;         // static text
};

// `peer`: the TCP peer (a trusted proxy). `fields`: the X-Forwarded-For field
// values in the order they appear (several fields are one comma-separated
// list, RFC 9110 5.3). `trusted`: the trusted proxies. Returns the right-most
// address not in `trusted`; the left-most address if all are trusted; the
// peer itself if there is no address at all. A malformed element met on the
// way (a name, a port, "unknown", an over-long or over-deep list) is a
// problem: the request is refused rather than guessed at.
forwarded_for_result client_from_forwarded_for(const ip_address& peer,
                                               const std::vector<std::string_view>& fields,
                                               const std::vector<cidr>& trusted);

// True if some range in `trusted` contains `a`.
bool is_trusted(const ip_address& a, const std::vector<cidr>& trusted);

} // namespace peerline::protocol
