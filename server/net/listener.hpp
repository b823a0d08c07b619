// Accepts TCP connections on one port and spreads them over the I/O
// contexts round-robin: each connection then lives on one single-threaded
// io_context for its whole life (no strands, no locks on the hot path).
#pragma once

#include "net/address_limits.hpp"
#include "net/beast.hpp"
#include "net/http_session.hpp"

#include <atomic>
#include <memory>
#include <vector>

namespace peerline {

class listener : public std::enable_shared_from_this<listener> {
public:
    // Binds and listens; throws boost::system::system_error on failure.
    listener(net::io_context& accept_context, std::vector<net::io_context*> io_contexts,
             tcp::endpoint endpoint, http_context& http, std::shared_ptr<address_limits> limits);

    void start();
    // Stops accepting (existing connections continue).
    void stop();
    std::uint16_t port() const { return port_; }

private:
    void do_accept();

    tcp::acceptor acceptor_;
    std::vector<net::io_context*> io_contexts_;
    std::size_t next_ = 0;
    http_context& http_;
    std::shared_ptr<address_limits> limits_;
    std::uint16_t port_ = 0;
};

} // namespace peerline
