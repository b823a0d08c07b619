# ctest "lua: every key a script touches is in KEYS, or the script is listed"
# (cmake -P, no build needed). Redis's rule is that a script receives every
# key it touches in KEYS; Dragonfly refuses an undeclared key unless run with
# --default_lua_flags=allow-undeclared-keys, and Redis Cluster routes a script
# by its declared keys only.
#
# A script "builds a key name" when it concatenates one (`KEYS[1] .. ':x'`,
# `p .. ':req:' .. rid`) or passes an ARGV value as a command's key. The
# scripts below still do, for the reason given; docs/ARCHITECTURE.md ("Redis
# scripts") says the same. The test fails both ways: a new script that builds
# a key name and is not listed, and a listed script that no longer does (take
# it off the list), so the list stays the true one.
#
# Scripts are found where the build embeds them from: every
# server/domain/<area>/scripts/*.lua and the shared server/domain/lua_lib/*.lua;
# they are listed here by path under server/domain/.
#
# Usage: cmake -DDOMAIN_DIR=<server/domain> -P script_keys_test.cmake

# Queue area ({pl:q}): KEYS[1] is the hash-tagged prefix and the script
# derives the rest, often from ids it reads inside the script (a
# conversation's sides, a dead node's requests and conversations, the
# detached sessions due), which the caller cannot know before it runs. Every
# such key is in the {pl:q} hash slot, so the prefix's slot is the slot of
# every key the script touches.
set(builds_keys_in_queue_slot
  queue/scripts/conversation_end.lua queue/scripts/listener_gone.lua
  queue/scripts/listener_set_state.lua queue/scripts/nodes_reap.lua queue/scripts/offer_accept.lua
  queue/scripts/offer_decline.lua queue/scripts/offers_expire.lua queue/scripts/queue_enqueue.lua
  queue/scripts/queue_leave.lua queue/scripts/queue_match.lua queue/scripts/queue_positions.lua
  queue/scripts/shift_moved.lua
  sessions/scripts/detached_sweep.lua sessions/scripts/session_detach.lua
  sessions/scripts/session_resume.lua
  stats/scripts/stats_live.lua
  lua_lib/queue_standing.lua lua_lib/stats.lua lua_lib/withdraw_offer.lua)
# Rota area ({pl:rota}): KEYS[1] is the prefix; the shift keys are read from
# the set of shift ids inside the script.
set(builds_keys_in_rota_slot rota/scripts/rota_load.lua)

set(listed ${builds_keys_in_queue_slot} ${builds_keys_in_rota_slot})

get_filename_component(DOMAIN_DIR "${DOMAIN_DIR}" ABSOLUTE)
if(NOT IS_DIRECTORY "${DOMAIN_DIR}")
  message(FATAL_ERROR "DOMAIN_DIR (server/domain) not given or not a directory")
endif()
file(GLOB scripts RELATIVE "${DOMAIN_DIR}" "${DOMAIN_DIR}/*/scripts/*.lua" "${DOMAIN_DIR}/lua_lib/*.lua")
# A .lua file anywhere else under domain/ would be neither embedded nor checked.
file(GLOB_RECURSE every_lua RELATIVE "${DOMAIN_DIR}" "${DOMAIN_DIR}/*.lua")
foreach(lua IN LISTS every_lua)
  list(FIND scripts "${lua}" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "${lua}: not in <area>/scripts/ or lua_lib/, so the build does not embed it")
  endif()
endforeach()
list(LENGTH scripts count)
if(count LESS 10)
  message(FATAL_ERROR "only ${count} scripts found under ${DOMAIN_DIR}: wrong directory?")
endif()

set(failures "")
set(clean 0)
foreach(script IN LISTS scripts)
  file(READ "${DOMAIN_DIR}/${script}" body)
  # Comments may describe key names freely: look at code only.
  string(REGEX REPLACE "--[^\n]*" "" code "${body}")
  set(builds FALSE)
  if(code MATCHES "KEYS\\[[0-9]+\\][ ]*\\.\\."                    # KEYS[1] .. ':x'
     OR code MATCHES "\\.\\.[ ]*'[:{]"                             # p .. ':x' .. id
     OR code MATCHES "\\.\\.[ ]*\"[:{]"
     OR code MATCHES "call\\([ ]*'[A-Za-z]+'[ ]*,[ ]*ARGV\\[")     # a key from ARGV
    set(builds TRUE)
  endif()
  list(FIND listed "${script}" at)
  if(builds AND at EQUAL -1)
    string(APPEND failures "  ${script}: builds a key name; pass each key in KEYS (or list it here, with the reason)\n")
  elseif(NOT builds AND NOT at EQUAL -1)
    string(APPEND failures "  ${script}: no longer builds a key name; take it off the list\n")
  elseif(NOT builds)
    math(EXPR clean "${clean} + 1")
  endif()
endforeach()
foreach(script IN LISTS listed)
  if(NOT EXISTS "${DOMAIN_DIR}/${script}")
    string(APPEND failures "  ${script}: listed but missing\n")
  endif()
endforeach()

if(failures)
  message(FATAL_ERROR "Lua key check failed:\n${failures}")
endif()
message(STATUS "${count} scripts: ${clean} receive every key in KEYS; the rest are listed with their reason")
