// The domain's Lua scripts (server/domain/<area>/scripts/*.lua, shared Lua
// in server/domain/lua_lib/), embedded at build time. Each file's header
// comment is its contract. Only the stores (domain/<area>/<area>_store) run
// them; the list below is grouped by area.
#pragma once

#include "redis/script.hpp"

#include <vector>

namespace peerline::scripts {
// Every script, for loading them all when a connection opens.
std::vector<const redis::script*> all();

const redis::script& account_create();
const redis::script& account_set_disabled();
const redis::script& session_create();
const redis::script& login_failure();
const redis::script& login_state();
const redis::script& queue_enqueue();
const redis::script& queue_leave();
const redis::script& queue_match();
const redis::script& listener_set_state();
const redis::script& shift_moved();
const redis::script& listener_gone();
const redis::script& offer_accept();
const redis::script& offer_decline();
const redis::script& offers_expire();
const redis::script& conversation_end();
const redis::script& nodes_reap();
const redis::script& queue_positions();
const redis::script& stats_live();
const redis::script& rota_load();
const redis::script& session_detach();
const redis::script& session_resume();
const redis::script& detached_sweep();
const redis::script& revocation_list_replace();
const redis::script& feedback_record();
const redis::script& stats_count();
} // namespace peerline::scripts
