// Runs a PSC-1 vector specification (seeds, inputs, a delivery schedule) and
// fills in every output. The generator records the outputs; the verifier
// re-runs a file written by the other implementation, delivering that file's
// frames, and requires the very same outputs. The format is in
// tests/vectors/README.md.
#pragma once

#include <nlohmann/json.hpp>

namespace peerline::vectors {

// Returns `spec` with all outputs filled in. When `recorded` outputs are
// present in `spec` (verification), deliveries decrypt the recorded frames
// instead of the ones just made, so the other implementation's bytes are
// what gets decrypted.
nlohmann::json run(const nlohmann::json& spec);

// The specification the C++ generator writes (different seeds and schedule
// from the JavaScript generator's).
nlohmann::json cpp_spec();

} // namespace peerline::vectors
