-- Live queue load for administrators (counts only; no GP identifiers).
-- KEYS[1] queue prefix; ARGV: now_ms
-- Returns {waiting, oldest_wait_ms, offers_pending, conversations_active,
--          listeners_online, available, busy, wrapup, away}
local p = KEYS[1]
local now = tonumber(ARGV[1])
local waiting = redis.call('ZCARD', p .. ':waiting')
local oldest = redis.call('ZRANGE', p .. ':waiting_since', 0, 0, 'WITHSCORES')
local oldest_wait = 0
if oldest[2] then oldest_wait = now - tonumber(oldest[2]) end
local online, available, busy, wrapup, away = 0, 0, 0, 0, 0
for _, l in ipairs(redis.call('SMEMBERS', p .. ':listeners')) do
  local f = redis.call('HMGET', p .. ':listener:' .. l, 'state', 'capacity', 'active', 'wrapup_until')
  if not f[1] then
    redis.call('SREM', p .. ':listeners', l) -- presence expired
  else
    online = online + 1
    local active, cap = tonumber(f[3] or '0'), tonumber(f[2] or '0')
    if f[1] ~= 'available' then away = away + 1
    elseif active >= cap then busy = busy + 1
    elseif tonumber(f[4] or '0') > now then wrapup = wrapup + 1
    else available = available + 1 end
  end
end
return {waiting, oldest_wait, redis.call('ZCARD', p .. ':offers'), redis.call('SCARD', p .. ':convs'),
        online, available, busy, wrapup, away}
