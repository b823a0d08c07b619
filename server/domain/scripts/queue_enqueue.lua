-- Adds a GP's request to the waiting queue.
-- KEYS[1] queue prefix "{pl:q}" (one hash slot for every queue key)
-- ARGV: request_id, session_id, node_id, topic ("" = none), urgent ("1"/"0"),
--       now_ms, urgent_boost_ms, request_ttl_s
-- Order: score = enqueue time minus a boost for urgent requests, so urgent
-- requests go first and, among equals, the oldest first; a non-urgent
-- request older than the boost still goes before a new urgent one (ageing:
-- nothing starves).
-- Returns the 1-based position.
local p = KEYS[1]
local rid = ARGV[1]
local score = tonumber(ARGV[6])
if ARGV[5] == '1' then score = score - tonumber(ARGV[7]) end
local rk = p .. ':req:' .. rid
redis.call('HSET', rk, 'sid', ARGV[2], 'node', ARGV[3], 'topic', ARGV[4],
           'urgent', ARGV[5], 'enqueued_ms', ARGV[6])
redis.call('EXPIRE', rk, tonumber(ARGV[8]))
redis.call('ZADD', p .. ':waiting', score, rid)
return redis.call('ZRANK', p .. ':waiting', rid) + 1
