-- Removes a GP's request (the GP left or disconnected). If it had a pending
-- offer, the offer is withdrawn and the listener becomes available again.
-- KEYS[1] queue prefix; ARGV: request_id, now_ms
-- Returns {"none"} | {"left"} | {"withdrawn", offer_id, listener_sid, listener_node}
local p = KEYS[1]
local rid = ARGV[1]
local rk = p .. ':req:' .. rid
if redis.call('EXISTS', rk) == 0 then
  redis.call('ZREM', p .. ':waiting', rid)
  return {'none'}
end
local oid = redis.call('HGET', rk, 'offer')
redis.call('DEL', rk)
redis.call('ZREM', p .. ':waiting', rid)
if not oid then return {'left'} end
local ok = p .. ':offer:' .. oid
local lsid = redis.call('HGET', ok, 'lsid')
redis.call('DEL', ok)
redis.call('ZREM', p .. ':offers', oid)
if not lsid then return {'left'} end
local lk = p .. ':listener:' .. lsid
redis.call('HDEL', lk, 'offer')
local node = redis.call('HGET', lk, 'node') or ''
if redis.call('HGET', lk, 'state') == 'available' then
  local cap = tonumber(redis.call('HGET', lk, 'capacity') or '0')
  local active = tonumber(redis.call('HGET', lk, 'active') or '0')
  if active < cap then redis.call('ZADD', p .. ':available', tonumber(ARGV[2]), lsid) end
end
return {'withdrawn', oid, lsid, node}
