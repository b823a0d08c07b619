-- Adds a GP's request to the waiting queue.
-- KEYS[1] queue prefix "{pl:q}" (one hash slot for every queue key)
-- ARGV: request_id, session_id, node_id, topic ("" = none), urgent ("1"/"0"),
--       now_ms, urgent_boost_ms, request_ttl_s, preferred listener ("" = any),
--       prefer_until_ms
-- Order: score = enqueue time minus a boost for urgent requests, so urgent
-- requests go first and, among equals, the oldest first; a non-urgent
-- request older than the boost still goes before a new urgent one (ageing:
-- nothing starves).
-- Returns what queue_positions.lua returns for this one request:
-- {matches in the last hour, oldest of them, listeners available now,
--  1-based position}, so the GP's first `queued` carries its estimate
-- without a second call.
--@use queue_standing
--@use stats
local p = KEYS[1]
local rid = ARGV[1]
local now = tonumber(ARGV[6])
-- Milliseconds alone tie when GPs arrive in the same millisecond (and ZSET
-- ties sort by member, i.e. randomly): a per-queue sequence in the low
-- digits keeps arrival order. now_ms * 1000 stays below 2^53.
local seq = redis.call('INCR', p .. ':seq') % 1000
local score = now * 1000 + seq
if ARGV[5] == '1' then score = score - tonumber(ARGV[7]) * 1000 end
local rk = p .. ':req:' .. rid
redis.call('HSET', rk, 'sid', ARGV[2], 'node', ARGV[3], 'topic', ARGV[4],
           'urgent', ARGV[5], 'enqueued_ms', ARGV[6])
if ARGV[9] ~= '' then
  redis.call('HSET', rk, 'prefer', ARGV[9], 'prefer_until', ARGV[10])
end
redis.call('EXPIRE', rk, tonumber(ARGV[8]))
redis.call('ZADD', p .. ':waiting', score, rid)
redis.call('ZADD', p .. ':waiting_since', now, rid)
redis.call('SADD', p .. ':node:' .. ARGV[3] .. ':reqs', rid)
-- A node that holds live state is always in the node registry, even before
-- its first heartbeat, so its death is always noticed (nodes_reap.lua).
redis.call('ZADD', p .. ':nodes', 'NX', now, ARGV[3])
stat(p, now, 'requests')
if ARGV[5] == '1' then stat(p, now, 'requests_urgent') end
local out = queue_standing(p, now)
out[4] = redis.call('ZRANK', p .. ':waiting', rid) + 1
return out
