-- A mentor lost the capability: each of their active relationships ends as
-- 'mentor_gone', keeping the count of sessions not yet held, so the GP may
-- ask another mentor with the same key (mentoring_request_create carries
-- it over); the mentor's future booked times are released.
-- KEYS[1] the mentor's booked times, KEYS[2] counts, then for each
-- relationship i: KEYS[2+2i-1] rel:<id>, KEYS[2+2i] pair:<its token hash>
-- ARGV[1] now_ms, ARGV[2] n
-- Returns how many relationships were active.
local now = tonumber(ARGV[1])
local gone = 0
for i = 1, tonumber(ARGV[2]) do
  local rel, pair = KEYS[1 + 2 * i], KEYS[2 + 2 * i]
  local f = redis.call('HMGET', rel, 'state', 'bookings', 'sessions')
  if f[1] == 'active' then
    local held = 0
    for _, b in ipairs(cjson.decode(f[2])) do
      if b.start_ms <= now then held = held + 1 end
    end
    local remaining = math.max(tonumber(f[3]) - held, 0)
    redis.call('HSET', rel, 'state', 'mentor_gone')
    redis.call('HSET', pair, 'state', 'mentor_gone', 'sessions', remaining)
    redis.call('HDEL', pair, 'rel')
    gone = gone + 1
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf')
if gone > 0 then redis.call('HINCRBY', KEYS[2], 'mentor_gone', gone) end
return gone
