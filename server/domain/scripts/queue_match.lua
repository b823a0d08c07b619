-- Makes at most one offer. The first waiting request (queue order) without
-- an offer goes to the longest-idle available listener with spare capacity,
-- no pending offer and no wrap-up still running. A request carrying a
-- continuity preference goes only to that listener until its preference
-- ends; meanwhile later requests may be matched.
-- The offer is a reservation: the listener leaves the available set until
-- they accept, decline or the offer expires.
-- KEYS[1] queue prefix; ARGV: now_ms, offer_ttl_ms, new_offer_id
-- Returns nil (nothing to match) or
--   {offer_id, request_id, listener_sid, listener_node, topic, urgent, gp_sid, gp_node}
local p = KEYS[1]
local now = tonumber(ARGV[1])

-- Candidate listeners, longest idle first; stale entries are dropped.
local listeners = {}
for _, l in ipairs(redis.call('ZRANGEBYSCORE', p .. ':available', '-inf', now, 'LIMIT', 0, 200)) do
  local k = p .. ':listener:' .. l
  local f = redis.call('HMGET', k, 'capacity', 'active', 'state', 'offer', 'username')
  if not f[1] or f[3] ~= 'available' or tonumber(f[2] or '0') >= tonumber(f[1]) then
    redis.call('ZREM', p .. ':available', l)
  elseif not f[4] then
    table.insert(listeners, {l, k, f[5] or ''})
  end
end
if #listeners == 0 then return nil end

local rid, rk, chosen
for _, r in ipairs(redis.call('ZRANGE', p .. ':waiting', 0, 199)) do
  local k = p .. ':req:' .. r
  local f = redis.call('HMGET', k, 'offer', 'prefer', 'prefer_until', 'sid', 'detached')
  if not f[4] then
    redis.call('ZREM', p .. ':waiting', r) -- expired request
    redis.call('ZREM', p .. ':waiting_since', r)
  elseif not f[1] and not f[5] then -- (a detached GP keeps their place but gets no offer)
    if f[2] and tonumber(f[3]) > now then
      for _, c in ipairs(listeners) do
        if c[3] == f[2] then chosen = c break end
      end
    else
      chosen = listeners[1]
    end
    if chosen then rid, rk = r, k break end
  end
end
if not rid then return nil end

local lsid, lk = chosen[1], chosen[2]
local oid = ARGV[3]
local expires = now + tonumber(ARGV[2])
redis.call('HSET', p .. ':offer:' .. oid, 'rid', rid, 'lsid', lsid, 'expires_ms', expires)
redis.call('PEXPIRE', p .. ':offer:' .. oid, tonumber(ARGV[2]) + 60000)
redis.call('ZADD', p .. ':offers', expires, oid)
redis.call('HSET', rk, 'offer', oid)
redis.call('HSET', lk, 'offer', oid)
redis.call('ZREM', p .. ':available', lsid)
local k = p .. ':stats:' .. math.floor(now / 3600000)
redis.call('HINCRBY', k, 'offers_made', 1)
redis.call('EXPIRE', k, 2764800)
local r = redis.call('HMGET', rk, 'topic', 'urgent', 'sid', 'node')
return {oid, rid, lsid, redis.call('HGET', lk, 'node'), r[1], r[2], r[3], r[4]}
