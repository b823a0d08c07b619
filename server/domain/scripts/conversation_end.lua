-- Ends a conversation: removes its routing record, frees one unit of the
-- listener's capacity and, if they are available, returns them to matching.
-- KEYS[1] queue prefix; ARGV: conversation_id, now_ms
-- Returns nil if already ended, else {gp_sid, gp_node, listener_sid, listener_node}
local p = KEYS[1]
local ck = p .. ':conv:' .. ARGV[1]
local c = redis.call('HMGET', ck, 'gp_sid', 'gp_node', 'l_sid', 'l_node')
if not c[1] then return nil end
redis.call('DEL', ck)
local lk = p .. ':listener:' .. c[3]
if redis.call('EXISTS', lk) == 1 then
  local active = redis.call('HINCRBY', lk, 'active', -1)
  if active < 0 then redis.call('HSET', lk, 'active', 0); active = 0 end
  local cap = tonumber(redis.call('HGET', lk, 'capacity') or '0')
  if redis.call('HGET', lk, 'state') == 'available' and active < cap and not redis.call('HGET', lk, 'offer') then
    redis.call('ZADD', p .. ':available', tonumber(ARGV[2]), c[3])
  end
end
return c
