// Reading and writing the parts every signed structure shares (version and
// type bytes, a handle, the closing signature). Internal; defined in
// certificate.cpp, used by directory.cpp too.
#pragma once

#include "peerline/crypto/e2e/types.hpp"
#include "wire.hpp"

#include <string>

namespace peerline::crypto::e2e::structs {

bytes with_signature(bytes tbs, const std::array<byte, 64>& sig);
// Version and type bytes.
error read_header(wire::reader& r, std::uint8_t type) noexcept;
// A length byte (1..64) and a valid handle.
error read_handle(wire::reader& r, std::string& out);
// The 64-byte signature, which must end the input.
error read_signature_end(wire::reader& r, std::array<byte, 64>& sig) noexcept;

} // namespace peerline::crypto::e2e::structs
