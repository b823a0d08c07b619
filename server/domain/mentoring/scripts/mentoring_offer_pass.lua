-- The mentor holding a request declines it, or lets it expire: it passes to
-- the GP's next choice, or, after the last, the request ends as 'declined'
-- (the GP reads that with their token). The mentor's note goes at once.
-- KEYS[1] pair:<token hash>, KEYS[2] notes:<token hash>, KEYS[3] offers,
-- KEYS[4] requests, KEYS[5] counts, KEYS[6..5+n] the inbox of each choice in order
-- ARGV[1] token hash, ARGV[2] the request id being answered, ARGV[3] why:
-- 'declined' | 'expired', ARGV[4] the mentor who declines ('' when expiring),
-- ARGV[5] now_ms, ARGV[6] next expires_ms, ARGV[7] next request id
-- Returns 'passed', 'declined' (every choice said no), or 'stale' (not this
-- request's current offer, or not due: nothing changed).
local f = redis.call('HMGET', KEYS[1], 'state', 'choices', 'choice', 'request_id', 'expires_ms')
if f[1] ~= 'offered' or f[4] ~= ARGV[2] then return 'stale' end
local ids = {}
for id in string.gmatch(f[2], '[^,]+') do ids[#ids + 1] = id end
local c = tonumber(f[3])
if ARGV[3] == 'expired' then
  if tonumber(f[5]) > tonumber(ARGV[5]) then return 'stale' end
elseif ids[c] ~= ARGV[4] then
  return 'stale'
end
redis.call('ZREM', KEYS[5 + c], ARGV[2])
redis.call('HDEL', KEYS[2], ids[c])
redis.call('HDEL', KEYS[4], ARGV[2])
redis.call('HINCRBY', KEYS[5], 'offers_' .. ARGV[3], 1)
if c < #ids then
  redis.call('HSET', KEYS[1], 'choice', c + 1, 'request_id', ARGV[7], 'offered_ms', ARGV[5],
    'expires_ms', ARGV[6])
  redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
  redis.call('HSET', KEYS[4], ARGV[7], ARGV[1])
  redis.call('ZADD', KEYS[6 + c], ARGV[5], ARGV[7])
  return 'passed'
end
redis.call('HSET', KEYS[1], 'state', 'declined')
redis.call('HDEL', KEYS[1], 'request_id', 'expires_ms')
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[2])
redis.call('HINCRBY', KEYS[5], 'requests_declined', 1)
return 'declined'
