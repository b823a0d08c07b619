// What a client session needs from its connection: send a text or binary
// WebSocket message, or close. Implemented by net/ws_session; keeps Beast out
// of the domain layer.
//
// Contract: all three may be called only on the connection's executor (the
// same executor the client_session runs on).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace peerline {

class connection_sink {
public:
    virtual ~connection_sink() = default;
    virtual void send_text(std::shared_ptr<const std::string> text) = 0;
    virtual void send_binary(std::shared_ptr<const std::string> frame) = 0;
    // WebSocket close code (RFC 6455) and a short reason.
    virtual void close(std::uint16_t code, std::string reason) = 0;
    // The session said a valid hello: from now on the connection counts
    // against its address's cap for authenticated sessions instead of the
    // tight one for connections that have not authenticated. False if the
    // address already holds that cap's maximum (the session is then refused).
    virtual bool count_as_authenticated() { return true; }
};

} // namespace peerline
