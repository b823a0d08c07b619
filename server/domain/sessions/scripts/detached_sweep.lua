-- Claims detached sessions whose grace period is over (nobody resumed them),
-- exactly once across all nodes. The caller then ends what they held.
-- KEYS[1] queue prefix; ARGV: now_ms
-- Returns a flat list: session_id, state JSON, ... (up to 100 sessions)
local p = KEYS[1]
local out = {}
for _, sid in ipairs(redis.call('ZRANGEBYSCORE', p .. ':detached_until', '-inf', ARGV[1], 'LIMIT', 0, 100)) do
  redis.call('ZREM', p .. ':detached_until', sid)
  local key = p .. ':detached:' .. sid
  local state = redis.call('GET', key)
  if state then
    redis.call('DEL', key)
    table.insert(out, sid)
    table.insert(out, state)
  end
end
return out
