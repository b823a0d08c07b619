-- A client's connection dropped while it was waiting or talking: keep its
-- place and conversations for a grace period so it can resume on any node.
-- KEYS[1] queue prefix; ARGV: session_id, request_id ("" = none), grace_ms, state (JSON:
--   {"rid": ..., "convs": [{"cid", "peer_sid", "peer_node", "peer_channel", "listener"}]})
--   , now_ms
-- A detached request keeps its place but is not offered until resumed; an
-- offer already pending on it is withdrawn (the listener is free again and
-- must not start a conversation nobody is there for), and a new one is made
-- when the GP is back. Any node's sweep (detached_sweep.lua) ends what nobody
-- resumed in time, so the clean-up does not depend on this node still running.
-- Returns {"kept"} | {"withdrawn", offer_id, listener_sid, listener_node}
-- (the same shape as queue_leave.lua, for matcher::request_left).
--@use withdraw_offer
local p = KEYS[1]
local now = tonumber(ARGV[5])
-- The state outlives its deadline by a minute so the sweep can still read it.
redis.call('SET', p .. ':detached:' .. ARGV[1], ARGV[4], 'PX', tonumber(ARGV[3]) + 60000)
redis.call('ZADD', p .. ':detached_until', tonumber(ARGV[5]) + tonumber(ARGV[3]), ARGV[1])
local rk = p .. ':req:' .. ARGV[2]
if ARGV[2] == '' or redis.call('EXISTS', rk) == 0 then return {'kept'} end
redis.call('HSET', rk, 'detached', '1')
local oid = redis.call('HGET', rk, 'offer')
if not oid then return {'kept'} end
redis.call('HDEL', rk, 'offer')
local lsid, node = withdraw_offer(p, oid, now)
if not lsid then return {'kept'} end
return {'withdrawn', oid, lsid, node}
