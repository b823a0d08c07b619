-- Sets a connected listener's availability.
-- KEYS[1] queue prefix; ARGV: listener_sid, node_id, state ("available"|"away"),
--       capacity, now_ms, ttl_s
-- An available listener with spare capacity and no pending offer enters the
-- `available` set scored by the time they became idle (longest idle first).
-- Returns the number of conversations the listener has open.
local p = KEYS[1]
local lsid = ARGV[1]
local lk = p .. ':listener:' .. lsid
redis.call('HSET', lk, 'node', ARGV[2], 'state', ARGV[3], 'capacity', ARGV[4])
redis.call('HSETNX', lk, 'active', 0)
redis.call('EXPIRE', lk, tonumber(ARGV[6]))
local active = tonumber(redis.call('HGET', lk, 'active'))
if ARGV[3] == 'available' and active < tonumber(ARGV[4]) and not redis.call('HGET', lk, 'offer') then
  redis.call('ZADD', p .. ':available', 'NX', tonumber(ARGV[5]), lsid)
else
  redis.call('ZREM', p .. ':available', lsid)
end
return active
