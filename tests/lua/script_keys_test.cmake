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
# Usage: cmake -DSCRIPTS_DIR=<server/domain/scripts> -P script_keys_test.cmake
# An area's own scripts directory (server/domain/mentoring/scripts) is checked
# with -DNO_EXCEPTIONS=ON -DMIN_SCRIPTS=<n>: there no script may build a key
# name, and the list below does not apply.

# Queue area ({pl:q}): KEYS[1] is the hash-tagged prefix and the script
# derives the rest, often from ids it reads inside the script (a
# conversation's sides, a dead node's requests and conversations, the
# detached sessions due), which the caller cannot know before it runs. Every
# such key is in the {pl:q} hash slot, so the prefix's slot is the slot of
# every key the script touches.
set(builds_keys_in_queue_slot
  conversation_end.lua detached_sweep.lua listener_gone.lua listener_set_state.lua
  nodes_reap.lua offer_accept.lua offer_decline.lua offers_expire.lua queue_enqueue.lua
  queue_leave.lua queue_match.lua queue_positions.lua session_detach.lua session_resume.lua
  shift_moved.lua stats_live.lua
  lib/queue_standing.lua lib/stats.lua lib/withdraw_offer.lua)
# Rota area ({pl:rota}): KEYS[1] is the prefix; the shift keys are read from
# the set of shift ids inside the script.
set(builds_keys_in_rota_slot rota_load.lua)

set(listed ${builds_keys_in_queue_slot} ${builds_keys_in_rota_slot})
if(NO_EXCEPTIONS)
  set(listed "")
endif()
if(NOT MIN_SCRIPTS)
  set(MIN_SCRIPTS 10)
endif()

get_filename_component(SCRIPTS_DIR "${SCRIPTS_DIR}" ABSOLUTE)
if(NOT IS_DIRECTORY "${SCRIPTS_DIR}")
  message(FATAL_ERROR "SCRIPTS_DIR (server/domain/scripts) not given or not a directory")
endif()
file(GLOB_RECURSE scripts RELATIVE "${SCRIPTS_DIR}" "${SCRIPTS_DIR}/*.lua")
list(LENGTH scripts count)
if(count LESS MIN_SCRIPTS)
  message(FATAL_ERROR "only ${count} scripts found under ${SCRIPTS_DIR}: wrong directory?")
endif()

set(failures "")
set(clean 0)
foreach(script IN LISTS scripts)
  file(READ "${SCRIPTS_DIR}/${script}" body)
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
  if(NOT EXISTS "${SCRIPTS_DIR}/${script}")
    string(APPEND failures "  ${script}: listed but missing\n")
  endif()
endforeach()

if(failures)
  message(FATAL_ERROR "Lua key check failed:\n${failures}")
endif()
message(STATUS "${count} scripts: ${clean} receive every key in KEYS; the rest are listed with their reason")
