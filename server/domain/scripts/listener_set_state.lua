-- Registers a connected listener (presence, with expiry) and sets their
-- availability.
-- KEYS[1] queue prefix; ARGV: listener_sid, node_id, state ("available"|"away"),
--       capacity, now_ms, presence_ttl_s, username, open conversations on this
--       connection (after a resume the record is new but the conversations are not)
-- An available listener with spare capacity and no pending offer enters the
-- `available` set scored by when they became idle (longest idle first); a
-- listener in their wrap-up pause is scored by its end, so matching (which
-- only looks at scores <= now) skips them until then.
-- Returns {open conversations, wrapup_until_ms}.
local p = KEYS[1]
local lsid = ARGV[1]
local now = tonumber(ARGV[5])
local lk = p .. ':listener:' .. lsid
redis.call('HSET', lk, 'node', ARGV[2], 'state', ARGV[3], 'capacity', ARGV[4], 'username', ARGV[7])
redis.call('HSET', lk, 'active', tonumber(ARGV[8]))
redis.call('EXPIRE', lk, tonumber(ARGV[6]))
redis.call('SADD', p .. ':listeners', lsid)
-- A node that holds live state is always in the node registry, even before
-- its first heartbeat, so its death is always noticed (nodes_reap.lua).
redis.call('ZADD', p .. ':nodes', 'NX', now, ARGV[2])
local active = tonumber(redis.call('HGET', lk, 'active'))
local wrapup = tonumber(redis.call('HGET', lk, 'wrapup_until') or '0')
if ARGV[3] == 'available' and active < tonumber(ARGV[4]) and not redis.call('HGET', lk, 'offer') then
  redis.call('ZADD', p .. ':available', 'NX', math.max(now, wrapup), lsid)
else
  redis.call('ZREM', p .. ':available', lsid)
end
return {active, wrapup}
