-- Detects server nodes whose heartbeat stopped and cleans up after them,
-- atomically, so exactly one surviving node does each clean-up:
-- their conversations end (the surviving side is returned, to be told), their
-- waiting requests leave the queue (offers on them are withdrawn), and their
-- listeners leave matching.
-- KEYS[1] queue prefix; ARGV: now_ms, dead_after_ms, a node to spare (this node;
-- "" at start-up), a node to register as alive once its leftovers are gone
-- (this node at start-up, so it is never missing from the registry: a node
-- killed right after starting is still detected; "" otherwise)
-- Returns a flat list of notices, each 4 entries:
--   "node", dead_node_id, "", ""
--   "conv", conversation_id, surviving_sid, surviving_node
--   "offer", offer_id, listener_sid, listener_node
--@use withdraw_offer
--@use stats
local p = KEYS[1]
local now = tonumber(ARGV[1])
local out = {}
local function notice(a, b, c, d)
  table.insert(out, a) table.insert(out, b) table.insert(out, c) table.insert(out, d)
end
local dead = redis.call('ZRANGEBYSCORE', p .. ':nodes', '-inf', now - tonumber(ARGV[2]))
for _, node in ipairs(dead) do
  if node ~= ARGV[3] then
    redis.call('ZREM', p .. ':nodes', node)
    if node ~= ARGV[4] then notice('node', node, '', '') end -- not "lost": this node restarting
    local nc = p .. ':node:' .. node .. ':convs'
    for _, cid in ipairs(redis.call('SMEMBERS', nc)) do
      local ck = p .. ':conv:' .. cid
      local c = redis.call('HMGET', ck, 'gp_sid', 'gp_node', 'l_sid', 'l_node')
      -- A side that detached before the node went away may still resume;
      -- detached_sweep.lua ends it if it does not.
      local dead_sid = c[1]
      if c[4] == node then dead_sid = c[3] end
      if c[1] and redis.call('EXISTS', p .. ':detached:' .. dead_sid) == 1 then
        c[1] = false
      elseif not c[1] then
        redis.call('SREM', nc, cid) -- already ended
      end
      if c[1] then
        redis.call('SREM', nc, cid)
        redis.call('DEL', ck)
        redis.call('SREM', p .. ':convs', cid)
        stat(p, now, 'conversations_ended')
        stat(p, now, 'ended_partner_disconnected')
        if c[2] ~= node then
          redis.call('SREM', p .. ':node:' .. c[2] .. ':convs', cid)
          notice('conv', cid, c[1], c[2])
        end
        if c[4] ~= node then
          redis.call('SREM', p .. ':node:' .. c[4] .. ':convs', cid)
          local lk = p .. ':listener:' .. c[3]
          if redis.call('EXISTS', lk) == 1 then
            local active = redis.call('HINCRBY', lk, 'active', -1)
            if active < 0 then redis.call('HSET', lk, 'active', 0); active = 0 end
            -- The surviving listener takes offers again (after no wrap-up:
            -- the conversation was cut, not finished).
            local f = redis.call('HMGET', lk, 'state', 'capacity', 'offer')
            if f[1] == 'available' and active < tonumber(f[2] or '0') and not f[3] then
              redis.call('ZADD', p .. ':available', now, c[3])
            end
          end
          notice('conv', cid, c[3], c[4])
        end
      end
    end
    local nr = p .. ':node:' .. node .. ':reqs'
    for _, rid in ipairs(redis.call('SMEMBERS', nr)) do
      local rk = p .. ':req:' .. rid
      -- A detached request may still be resumed; detached_sweep.lua ends it if not.
      if not redis.call('HGET', rk, 'detached') then
        local oid = redis.call('HGET', rk, 'offer')
        redis.call('DEL', rk)
        redis.call('SREM', nr, rid)
        redis.call('ZREM', p .. ':waiting', rid)
        redis.call('ZREM', p .. ':waiting_since', rid)
        stat(p, now, 'abandoned')
        stat(p, now, 'abandoned_node_lost')
        if oid then
          local lsid, lnode = withdraw_offer(p, oid, now)
          if lsid then notice('offer', oid, lsid, lnode) end
        end
      end
    end
  end
end
if ARGV[4] and ARGV[4] ~= '' then
  redis.call('ZADD', p .. ':nodes', now, ARGV[4])
end
return out
