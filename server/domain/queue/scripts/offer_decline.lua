-- A listener declines an offer: the request keeps its place for the next
-- listener and this listener becomes available again (now idle since now).
-- KEYS[1] queue prefix; ARGV: offer_id, listener_sid, now_ms
-- Returns {"no_such_offer"} or {"ok"}
--@use stats
local p = KEYS[1]
local now = tonumber(ARGV[3])
local ok = p .. ':offer:' .. ARGV[1]
local o = redis.call('HMGET', ok, 'rid', 'lsid')
if not o[1] or o[2] ~= ARGV[2] then return {'no_such_offer'} end
redis.call('DEL', ok)
redis.call('ZREM', p .. ':offers', ARGV[1])
redis.call('HDEL', p .. ':req:' .. o[1], 'offer')
local lk = p .. ':listener:' .. ARGV[2]
redis.call('HDEL', lk, 'offer')
local cap = tonumber(redis.call('HGET', lk, 'capacity') or '0')
local active = tonumber(redis.call('HGET', lk, 'active') or '0')
if redis.call('HGET', lk, 'state') == 'available' and active < cap then
  redis.call('ZADD', p .. ':available', now, ARGV[2])
end
stat(p, now, 'offers_declined')
return {'ok'}
