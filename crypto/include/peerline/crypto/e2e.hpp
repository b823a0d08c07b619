// Everything of the end-to-end protocol PSC-1 (docs/CRYPTO.md, part 2).
#pragma once

#include "peerline/crypto/e2e/certificate.hpp"
#include "peerline/crypto/e2e/directory.hpp"
#include "peerline/crypto/e2e/frames.hpp"
#include "peerline/crypto/e2e/handshake.hpp"
#include "peerline/crypto/e2e/limits.hpp"
#include "peerline/crypto/e2e/padding.hpp"
#include "peerline/crypto/e2e/rng.hpp"
#include "peerline/crypto/e2e/session.hpp"
#include "peerline/crypto/e2e/types.hpp"
