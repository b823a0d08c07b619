-- Waiting requests' places and what is known about recent throughput: one
-- call per node for all of its waiting GPs (and one for a GP who has
-- resumed; a GP who joins gets the same from queue_enqueue.lua), instead of
-- one call per GP on every queue change.
-- KEYS[1] queue prefix; ARGV: now_ms, request_id...
-- Returns {matches in the last hour, oldest of them (ms, string),
--          listeners available now, then for each request_id its position
--          (1-based; 0 if it no longer waits)}
--@use queue_standing
local p = KEYS[1]
local now = tonumber(ARGV[1])
local out = queue_standing(p, now)
local waiting = p .. ':waiting'
for i = 2, #ARGV do
  local rank = redis.call('ZRANK', waiting, ARGV[i])
  out[#out + 1] = rank and (rank + 1) or 0
end
return out
