-- Ends a conversation: removes its routing record and indexes, frees one unit
-- of the listener's capacity and starts their wrap-up pause: if available,
-- they return to matching when the pause ends (scored by its end).
-- KEYS[1] queue prefix; ARGV: conversation_id, now_ms, wrapup_ms, reason
-- Returns nil if already ended, else
--   {gp_sid, gp_node, listener_sid, listener_node, listener username, wrapup_until_ms}
--@use stats
local p = KEYS[1]
local now = tonumber(ARGV[2])
local cid = ARGV[1]
local ck = p .. ':conv:' .. cid
local c = redis.call('HMGET', ck, 'gp_sid', 'gp_node', 'l_sid', 'l_node', 'started_ms', 'listener')
if not c[1] then return nil end
redis.call('DEL', ck)
-- The GP may now send one anonymous feedback (feedback_record.lua).
redis.call('SET', p .. ':feedback_due:' .. c[1], '1', 'EX', 86400)
redis.call('SREM', p .. ':convs', cid)
redis.call('SREM', p .. ':node:' .. c[2] .. ':convs', cid)
redis.call('SREM', p .. ':node:' .. c[4] .. ':convs', cid)
stat(p, now, 'conversations_ended')
stat(p, now, 'ended_' .. ARGV[4])
local len_s = math.floor((now - tonumber(c[5] or now)) / 1000)
stat(p, now, 'conv_sum_s', len_s)
local bucket = 'inf'
for _, b in ipairs({300, 600, 1200, 1800, 2700, 3600, 5400, 7200}) do
  if len_s <= b then bucket = tostring(b) break end
end
stat(p, now, 'conv_le_' .. bucket)
local until_ms = now + tonumber(ARGV[3])
local lk = p .. ':listener:' .. c[3]
if redis.call('EXISTS', lk) == 1 then
  local active = redis.call('HINCRBY', lk, 'active', -1)
  if active < 0 then redis.call('HSET', lk, 'active', 0); active = 0 end
  redis.call('HSET', lk, 'wrapup_until', until_ms)
  local cap = tonumber(redis.call('HGET', lk, 'capacity') or '0')
  if redis.call('HGET', lk, 'state') == 'available' and active < cap and not redis.call('HGET', lk, 'offer') then
    redis.call('ZADD', p .. ':available', until_ms, c[3])
  end
end
return {c[1], c[2], c[3], c[4], c[6] or '', until_ms}
