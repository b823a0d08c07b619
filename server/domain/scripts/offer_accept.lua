-- A listener accepts an offer: exactly one accept can win, only the listener
-- it was made to, and only before it expires. The request leaves the queue,
-- the listener's open-conversation count goes up and a routing record (which
-- node holds which side; no content) is created.
-- KEYS[1] queue prefix; ARGV: offer_id, listener_sid, conversation_id, now_ms, conv_ttl_s
-- Returns {"no_such_offer"} or {"ok", gp_sid, gp_node, request_id}
local p = KEYS[1]
local ok = p .. ':offer:' .. ARGV[1]
local o = redis.call('HMGET', ok, 'rid', 'lsid', 'expires_ms')
if not o[1] or o[2] ~= ARGV[2] or tonumber(o[3]) < tonumber(ARGV[4]) then
  return {'no_such_offer'}
end
local rid = o[1]
local rk = p .. ':req:' .. rid
local r = redis.call('HMGET', rk, 'sid', 'node')
local lk = p .. ':listener:' .. ARGV[2]
redis.call('DEL', ok)
redis.call('ZREM', p .. ':offers', ARGV[1])
redis.call('HDEL', lk, 'offer')
redis.call('ZREM', p .. ':waiting', rid)
if not r[1] then return {'no_such_offer'} end -- the request expired meanwhile
redis.call('DEL', rk)
redis.call('HINCRBY', lk, 'active', 1)
local ck = p .. ':conv:' .. ARGV[3]
redis.call('HSET', ck, 'gp_sid', r[1], 'gp_node', r[2], 'l_sid', ARGV[2],
           'l_node', redis.call('HGET', lk, 'node') or '')
redis.call('EXPIRE', ck, tonumber(ARGV[5]))
return {'ok', r[1], r[2], rid}
