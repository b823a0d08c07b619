-- Removes a GP's request (left, disconnected or waited too long). If it had a
-- pending offer, the offer is withdrawn and the listener becomes available
-- again. Counted as abandoned.
-- KEYS[1] queue prefix; ARGV: request_id, now_ms, reason ("left"|"disconnected"|"max_wait")
-- Returns {"none"} | {"left"} | {"withdrawn", offer_id, listener_sid, listener_node}
--@use withdraw_offer
--@use stats
local p = KEYS[1]
local rid = ARGV[1]
local now = tonumber(ARGV[2])
local rk = p .. ':req:' .. rid
redis.call('ZREM', p .. ':waiting', rid)
redis.call('ZREM', p .. ':waiting_since', rid)
if redis.call('EXISTS', rk) == 0 then return {'none'} end
local r = redis.call('HMGET', rk, 'offer', 'node')
local oid = r[1]
if r[2] then redis.call('SREM', p .. ':node:' .. r[2] .. ':reqs', rid) end
redis.call('DEL', rk)
stat(p, now, 'abandoned')
stat(p, now, 'abandoned_' .. ARGV[3])
if not oid then return {'left'} end
local lsid, node = withdraw_offer(p, oid, now)
if not lsid then return {'left'} end
return {'withdrawn', oid, lsid, node}
