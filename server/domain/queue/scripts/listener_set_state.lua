-- Registers a connected listener (presence, with expiry) and sets their
-- availability.
-- KEYS[1] queue prefix; ARGV: listener_sid, node_id, state ("available"|"away"),
--       capacity, now_ms, presence_ttl_s, username, open conversations on this
--       connection (after a resume the record is new but the conversations are not)
-- An available listener with spare capacity and no pending offer enters the
-- `available` set scored by when they became idle (longest idle first); a
-- listener in their wrap-up pause is scored by its end, so matching (which
-- only looks at scores <= now) skips them until then.
-- Going available also opens or continues the listener's shift count, kept
-- per listener (username), not per connection, so a reload or a second
-- device does not start a fresh one:
--   ARGV[9] end of the stretch of shifts the listener is on (ms), ARGV[10]
--   --max-conversations-per-shift (0 = none), ARGV[11] --max-shift-hours in ms
--   (0 = none). A stretch whose end has passed starts a fresh count, and so
--   does one that began a day ago (a listener on shift around the clock, or
--   on an --always shift whose stretch never ends, is not locked out for good).
-- Returns {open conversations, wrapup_until_ms, stretch started_ms}, or
-- {'limit', 'conversations'|'hours'} (nothing changed) when going available
-- is refused because the stretch's limit is reached.
local p = KEYS[1]
local lsid = ARGV[1]
local now = tonumber(ARGV[5])
local lk = p .. ':listener:' .. lsid
local started = 0
if ARGV[3] == 'available' then
  local sk = p .. ':shift:' .. ARGV[7]
  local stretch_end = tonumber(ARGV[9])
  local sh = redis.call('HMGET', sk, 'until_ms', 'started_ms', 'count')
  local count = 0
  if sh[1] and now < tonumber(sh[1]) and now < tonumber(sh[2] or '0') + 86400000 then
    started = tonumber(sh[2] or now)
    count = tonumber(sh[3] or '0')
  else
    started = now
  end
  local max_count, max_ms = tonumber(ARGV[10]), tonumber(ARGV[11])
  if max_count > 0 and count >= max_count then return {'limit', 'conversations'} end
  if max_ms > 0 and now >= started + max_ms then return {'limit', 'hours'} end
  -- (the stretch's end may have moved with a rota edit)
  redis.call('HSET', sk, 'until_ms', stretch_end, 'started_ms', started, 'count', count)
  redis.call('PEXPIREAT', sk, math.min(stretch_end, started + 86400000) + 86400000)
end
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
return {active, wrapup, started}
