// Where the native test client connects, and how long it waits.
//
// Every network call of the client takes a timeout and fails with
// client_error when it runs out, so a test or a load generator never hangs.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace peerline::client {

using duration = std::chrono::milliseconds;
inline constexpr duration default_timeout{5000};

// TLS settings of a connection. Tests use a self-signed certificate made at
// test time, hence "accept any certificate" unless a CA file is given.
struct tls_options {
    bool enabled = false;
    // PEM file of trusted certificates. Empty: any certificate is accepted.
    std::string ca_file;
    // Name sent as SNI and, with ca_file, checked against the certificate.
    // Empty: the endpoint's host.
    std::string server_name;
};

struct endpoint {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    tls_options tls;

    // The server's own origin, "http://host:port" (https with TLS): what a
    // browser loading the page from this server would send as Origin.
    std::string origin() const;
    // "host:port" for the Host header and for messages.
    std::string authority() const;
};

// Any failure of the client: connection refused, timeout, protocol surprise.
// The message says what was attempted and what happened instead.
class client_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

} // namespace peerline::client
