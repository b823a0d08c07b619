-- A listener's connection ended: out of matching at once. A pending offer is
-- withdrawn and its request goes back to the queue in its old place.
-- KEYS[1] queue prefix; ARGV: listener_sid
-- Returns {"ok"} or {"requeued", offer_id}
local p = KEYS[1]
local lsid = ARGV[1]
local lk = p .. ':listener:' .. lsid
redis.call('ZREM', p .. ':available', lsid)
redis.call('SREM', p .. ':listeners', lsid)
local oid = redis.call('HGET', lk, 'offer')
redis.call('DEL', lk)
if not oid then return {'ok'} end
local ok = p .. ':offer:' .. oid
local rid = redis.call('HGET', ok, 'rid')
redis.call('DEL', ok)
redis.call('ZREM', p .. ':offers', oid)
if rid then redis.call('HDEL', p .. ':req:' .. rid, 'offer') end
return {'requeued', oid}
