-- A client came back (same session token) on node ARGV[2]: claims its
-- detached state exactly once and moves its request and conversations to
-- this node, so routing and node-failure clean-up follow it.
-- KEYS[1] queue prefix; ARGV: session_id, node_id
-- Returns nil (nothing to resume) or {state JSON, request status, conv status...}
--   request status: "none" | "waiting" | "gone"; conv status per conv in state order: "ok" | "gone"
local p = KEYS[1]
local key = p .. ':detached:' .. ARGV[1]
local raw = redis.call('GET', key)
if not raw then return nil end
redis.call('DEL', key)
redis.call('ZREM', p .. ':detached_until', ARGV[1])
local state = cjson.decode(raw)
local node = ARGV[2]
local out = {raw}
-- A node that holds live state is always in the node registry, even before
-- its first heartbeat, so its death is always noticed (nodes_reap.lua).
local t = redis.call('TIME')
redis.call('ZADD', p .. ':nodes', 'NX', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), node)
if state.rid and state.rid ~= '' then
  local rk = p .. ':req:' .. state.rid
  local old = redis.call('HGET', rk, 'node')
  if old then
    redis.call('HSET', rk, 'node', node)
    redis.call('HDEL', rk, 'detached')
    redis.call('SREM', p .. ':node:' .. old .. ':reqs', state.rid)
    redis.call('SADD', p .. ':node:' .. node .. ':reqs', state.rid)
    table.insert(out, 'waiting')
  else
    table.insert(out, 'gone')
  end
else
  table.insert(out, 'none')
end
for _, c in ipairs(state.convs or {}) do
  local ck = p .. ':conv:' .. c.cid
  local f = redis.call('HMGET', ck, 'gp_sid', 'gp_node', 'l_sid', 'l_node')
  if not f[1] then
    table.insert(out, 'gone')
  else
    local field, old = 'gp_node', f[2]
    if f[3] == ARGV[1] then field, old = 'l_node', f[4] end
    redis.call('HSET', ck, field, node)
    redis.call('SREM', p .. ':node:' .. old .. ':convs', c.cid)
    redis.call('SADD', p .. ':node:' .. node .. ':convs', c.cid)
    table.insert(out, 'ok')
  end
end
return out
