-- A waiting request's place and what is known about recent throughput.
-- KEYS[1] queue prefix; ARGV: request_id, now_ms
-- Returns nil if the request is gone, else
--   {position (1-based), matches in the last hour, oldest of them (ms), listeners available now}
local p = KEYS[1]
local now = tonumber(ARGV[2])
local rank = redis.call('ZRANK', p .. ':waiting', ARGV[1])
if not rank then return nil end
local since = now - 3600000
local n = redis.call('ZCOUNT', p .. ':matches', since, '+inf')
local oldest = redis.call('ZRANGEBYSCORE', p .. ':matches', since, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
return {rank + 1, n, oldest[2] or '0', redis.call('ZCOUNT', p .. ':available', '-inf', now)}
