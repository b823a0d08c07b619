// The mentoring area's Lua scripts (server/domain/mentoring/scripts/
// mentoring_*.lua), embedded at build time; only mentoring_store runs them.
// Each file's header comment is its contract.
#pragma once

#include "redis/script.hpp"

#include <vector>

namespace peerline::scripts {
// Embedded with every other area's scripts (redis/embed_scripts.cmake) and
// preloaded with them through scripts::all().

const redis::script& mentoring_grant();
const redis::script& mentoring_revoke();
const redis::script& mentoring_request_create();
const redis::script& mentoring_offer_pass();
const redis::script& mentoring_accept();
const redis::script& mentoring_bookings();
const redis::script& mentoring_token_failure();
const redis::script& mentoring_end();
const redis::script& mentoring_outcome();
const redis::script& mentoring_mentor_gone();
} // namespace peerline::scripts
