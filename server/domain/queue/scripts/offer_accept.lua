-- A listener accepts an offer: exactly one accept can win, only the listener
-- it was made to, and only before it expires. The request leaves the queue,
-- the listener's open-conversation count goes up and a routing record (which
-- node holds which side; no content) is created and indexed by node, so the
-- others can end it if a node dies.
-- KEYS[1] queue prefix; ARGV: offer_id, listener_sid, conversation_id, now_ms, conv_ttl_s,
--   --max-conversations-per-shift (0 = none)
-- The conversation counts towards the listener's shift (listener_set_state.lua).
-- A listener whose shift count has reached the limit (from another device,
-- say) cannot accept: the offer is taken back, the request keeps its place
-- and this session leaves matching.
-- Returns {"no_such_offer"}, {"limit"} or {"ok", gp_sid, gp_node, request_id,
--   open_conversations, conversations in this stretch of shifts}
--@use withdraw_offer
--@use stats
local p = KEYS[1]
local now = tonumber(ARGV[4])
local ok = p .. ':offer:' .. ARGV[1]
local o = redis.call('HMGET', ok, 'rid', 'lsid', 'expires_ms')
if not o[1] or o[2] ~= ARGV[2] or tonumber(o[3]) < now then
  return {'no_such_offer'}
end
local rid = o[1]
local rk = p .. ':req:' .. rid
local r = redis.call('HMGET', rk, 'sid', 'node', 'enqueued_ms')
local lk = p .. ':listener:' .. ARGV[2]
local username = redis.call('HGET', lk, 'username') or ''
local shift_key = p .. ':shift:' .. username
local max_count = tonumber(ARGV[6] or '0')
if max_count > 0 and username ~= ''
    and tonumber(redis.call('HGET', shift_key, 'count') or '0') >= max_count then
  -- Away first, so taking the offer back does not return them to matching.
  redis.call('HSET', lk, 'state', 'away')
  redis.call('ZREM', p .. ':available', ARGV[2])
  withdraw_offer(p, ARGV[1], now)
  if redis.call('HGET', rk, 'offer') == ARGV[1] then redis.call('HDEL', rk, 'offer') end
  return {'limit'}
end
redis.call('DEL', ok)
redis.call('ZREM', p .. ':offers', ARGV[1])
redis.call('HDEL', lk, 'offer')
redis.call('ZREM', p .. ':waiting', rid)
redis.call('ZREM', p .. ':waiting_since', rid)
if not r[1] then return {'no_such_offer'} end -- the request expired meanwhile
redis.call('DEL', rk)
redis.call('SREM', p .. ':node:' .. r[2] .. ':reqs', rid)
local active = redis.call('HINCRBY', lk, 'active', 1)
-- Room for more (capacity > 1): back among the available, idle from now, so
-- listeners idle for longer are offered first; never before a wrap-up pause
-- (from an earlier conversation) is over.
local lf = redis.call('HMGET', lk, 'state', 'capacity', 'wrapup_until')
if lf[1] == 'available' and active < tonumber(lf[2] or '1') then
  redis.call('ZADD', p .. ':available', math.max(now, tonumber(lf[3] or '0')), ARGV[2])
end
local l_node = redis.call('HGET', lk, 'node') or ''
local shift_count = 0
if username ~= '' and redis.call('EXISTS', shift_key) == 1 then
  shift_count = redis.call('HINCRBY', shift_key, 'count', 1)
end
local cid = ARGV[3]
local ck = p .. ':conv:' .. cid
redis.call('HSET', ck, 'gp_sid', r[1], 'gp_node', r[2], 'l_sid', ARGV[2], 'l_node', l_node,
           'started_ms', now, 'listener', username)
redis.call('EXPIRE', ck, tonumber(ARGV[5]))
redis.call('SADD', p .. ':convs', cid)
redis.call('SADD', p .. ':node:' .. r[2] .. ':convs', cid)
redis.call('SADD', p .. ':node:' .. l_node .. ':convs', cid)
-- A node that holds live state is always in the node registry, even before
-- its first heartbeat, so its death is always noticed (nodes_reap.lua).
redis.call('ZADD', p .. ':nodes', 'NX', now, r[2])
if l_node ~= '' then redis.call('ZADD', p .. ':nodes', 'NX', now, l_node) end
-- Throughput over the last hour feeds the GPs' wait estimates.
redis.call('ZADD', p .. ':matches', now, cid)
redis.call('ZREMRANGEBYSCORE', p .. ':matches', '-inf', now - 3600000)
stat(p, now, 'offers_accepted')
stat(p, now, 'matched')
local wait_s = math.floor((now - tonumber(r[3] or now)) / 1000)
stat(p, now, 'wait_sum_s', wait_s)
for _, b in ipairs({10, 30, 60, 120, 300, 600, 1200, 1800, 3600}) do
  if wait_s <= b then stat(p, now, 'wait_le_' .. b) return {'ok', r[1], r[2], rid, active, shift_count} end
end
stat(p, now, 'wait_le_inf')
return {'ok', r[1], r[2], rid, active, shift_count}
