-- Expires offers past their deadline (every node runs this each second; the
-- script is atomic, so each offer expires exactly once). The request keeps
-- its place; the listener who let it lapse is set away when ARGV[2] is "1".
-- KEYS[1] queue prefix; ARGV: now_ms, set_away ("1"/"0")
-- Returns a flat list: offer_id, listener_sid, listener_node, ... (up to 100)
--@use stats
local p = KEYS[1]
local now = tonumber(ARGV[1])
local out = {}
for _, oid in ipairs(redis.call('ZRANGEBYSCORE', p .. ':offers', '-inf', now, 'LIMIT', 0, 100)) do
  local ok = p .. ':offer:' .. oid
  local o = redis.call('HMGET', ok, 'rid', 'lsid')
  redis.call('DEL', ok)
  redis.call('ZREM', p .. ':offers', oid)
  stat(p, now, 'offers_timed_out')
  if o[1] then redis.call('HDEL', p .. ':req:' .. o[1], 'offer') end
  if o[2] then
    local lk = p .. ':listener:' .. o[2]
    redis.call('HDEL', lk, 'offer')
    if ARGV[2] == '1' then
      if redis.call('EXISTS', lk) == 1 then redis.call('HSET', lk, 'state', 'away') end
      redis.call('ZREM', p .. ':available', o[2])
    else
      local f = redis.call('HMGET', lk, 'state', 'capacity', 'active')
      if f[1] == 'available' and tonumber(f[3] or '0') < tonumber(f[2] or '0') then
        redis.call('ZADD', p .. ':available', now, o[2])
      end
    end
    table.insert(out, oid)
    table.insert(out, o[2])
    table.insert(out, redis.call('HGET', lk, 'node') or '')
  end
end
return out
