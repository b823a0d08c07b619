-- A client's connection dropped while it was waiting or talking: keep its
-- place and conversations for a grace period so it can resume on any node.
-- KEYS[1] queue prefix; ARGV: session_id, request_id ("" = none), grace_ms, state (JSON:
--   {"rid": ..., "convs": [{"cid", "peer_sid", "peer_node", "peer_channel", "listener"}]})
-- A detached request keeps its place but is not offered until resumed.
local p = KEYS[1]
redis.call('SET', p .. ':detached:' .. ARGV[1], ARGV[4], 'PX', tonumber(ARGV[3]))
if ARGV[2] ~= '' and redis.call('EXISTS', p .. ':req:' .. ARGV[2]) == 1 then
  redis.call('HSET', p .. ':req:' .. ARGV[2], 'detached', '1')
end
return 1
