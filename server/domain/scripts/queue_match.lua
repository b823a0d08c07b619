-- Makes at most one offer: the first waiting request without an offer goes
-- to the longest-idle available listener with spare capacity and no offer.
-- The offer is a reservation: the listener leaves the available set until
-- they accept, decline or the offer expires.
-- KEYS[1] queue prefix; ARGV: now_ms, offer_ttl_ms, new_offer_id
-- Returns nil (nothing to match) or
--   {offer_id, request_id, listener_sid, listener_node, topic, urgent, gp_sid, gp_node}
local p = KEYS[1]
local now = tonumber(ARGV[1])
local rid, rk
for _, r in ipairs(redis.call('ZRANGE', p .. ':waiting', 0, 199)) do
  local k = p .. ':req:' .. r
  if redis.call('EXISTS', k) == 0 then
    redis.call('ZREM', p .. ':waiting', r) -- expired request
  elseif not redis.call('HGET', k, 'offer') then
    rid, rk = r, k
    break
  end
end
if not rid then return nil end
local lsid, lk
for _, l in ipairs(redis.call('ZRANGE', p .. ':available', 0, 199)) do
  local k = p .. ':listener:' .. l
  local cap = tonumber(redis.call('HGET', k, 'capacity') or '0')
  local active = tonumber(redis.call('HGET', k, 'active') or '0')
  if redis.call('EXISTS', k) == 0 or redis.call('HGET', k, 'state') ~= 'available' or active >= cap then
    redis.call('ZREM', p .. ':available', l) -- stale entry
  elseif not redis.call('HGET', k, 'offer') then
    lsid, lk = l, k
    break
  end
end
if not lsid then return nil end
local oid = ARGV[3]
local expires = now + tonumber(ARGV[2])
redis.call('HSET', p .. ':offer:' .. oid, 'rid', rid, 'lsid', lsid, 'expires_ms', expires)
redis.call('PEXPIRE', p .. ':offer:' .. oid, tonumber(ARGV[2]) + 60000)
redis.call('ZADD', p .. ':offers', expires, oid)
redis.call('HSET', rk, 'offer', oid)
redis.call('HSET', lk, 'offer', oid)
redis.call('ZREM', p .. ':available', lsid)
local r = redis.call('HMGET', rk, 'topic', 'urgent', 'sid', 'node')
return {oid, rid, lsid, redis.call('HGET', lk, 'node'), r[1], r[2], r[3], r[4]}
