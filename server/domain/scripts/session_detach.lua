-- A client's connection dropped while it was waiting or talking: keep its
-- place and conversations for a grace period so it can resume on any node.
-- KEYS[1] queue prefix; ARGV: session_id, request_id ("" = none), grace_ms, state (JSON:
--   {"rid": ..., "convs": [{"cid", "peer_sid", "peer_node", "peer_channel", "listener"}]})
--   , now_ms
-- A detached request keeps its place but is not offered until resumed. Any
-- node's sweep (detached_sweep.lua) ends what nobody resumed in time, so the
-- clean-up does not depend on this node still running.
local p = KEYS[1]
-- The state outlives its deadline by a minute so the sweep can still read it.
redis.call('SET', p .. ':detached:' .. ARGV[1], ARGV[4], 'PX', tonumber(ARGV[3]) + 60000)
redis.call('ZADD', p .. ':detached_until', tonumber(ARGV[5]) + tonumber(ARGV[3]), ARGV[1])
if ARGV[2] ~= '' and redis.call('EXISTS', p .. ':req:' .. ARGV[2]) == 1 then
  redis.call('HSET', p .. ':req:' .. ARGV[2], 'detached', '1')
end
return 1
