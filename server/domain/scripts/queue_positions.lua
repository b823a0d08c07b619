-- Waiting requests' places and what is known about recent throughput: one
-- call per node for all of its waiting GPs (and one for a GP who has just
-- joined or resumed), instead of one call per GP on every queue change.
-- KEYS[1] queue prefix; ARGV: now_ms, request_id...
-- Returns {matches in the last hour, oldest of them (ms, string),
--          listeners available now, then for each request_id its position
--          (1-based; 0 if it no longer waits)}
local p = KEYS[1]
local now = tonumber(ARGV[1])
local since = now - 3600000
local n = redis.call('ZCOUNT', p .. ':matches', since, '+inf')
local oldest = redis.call('ZRANGEBYSCORE', p .. ':matches', since, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
local out = {n, oldest[2] or '0', redis.call('ZCOUNT', p .. ':available', '-inf', now)}
local waiting = p .. ':waiting'
for i = 2, #ARGV do
  local rank = redis.call('ZRANK', waiting, ARGV[i])
  out[#out + 1] = rank and (rank + 1) or 0
end
return out
