-- A mentor accepts the request they hold: the relationship starts. Its
-- record holds the mentor, the token hash (the GP's only link to it), the
-- plan and the bookings (none yet); every note of the request is deleted.
-- KEYS[1] pair:<token hash>, KEYS[2] notes:<token hash>, KEYS[3] offers,
-- KEYS[4] requests, KEYS[5] the mentor's inbox, KEYS[6] rel:<new id>,
-- KEYS[7] the mentor's relationships (set), KEYS[8] counts
-- ARGV[1] token hash, ARGV[2] request id, ARGV[3] mentor id, ARGV[4] now_ms,
-- ARGV[5] relationship id, ARGV[6] plan (JSON)
-- Returns 'ok' or 'stale' (not this mentor's current offer).
local f = redis.call('HMGET', KEYS[1], 'state', 'choices', 'choice', 'request_id', 'sessions')
if f[1] ~= 'offered' or f[4] ~= ARGV[2] then return 'stale' end
local ids = {}
for id in string.gmatch(f[2], '[^,]+') do ids[#ids + 1] = id end
if ids[tonumber(f[3])] ~= ARGV[3] then return 'stale' end
redis.call('ZREM', KEYS[5], ARGV[2])
redis.call('HDEL', KEYS[4], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'state', 'active', 'rel', ARGV[5])
redis.call('HDEL', KEYS[1], 'request_id', 'expires_ms', 'choices', 'choice', 'offered_ms')
redis.call('HSET', KEYS[6], 'mentor', ARGV[3], 'token_hash', ARGV[1], 'state', 'active',
  'plan', ARGV[6], 'sessions', f[5], 'bookings', '[]', 'started_ms', ARGV[4])
redis.call('SADD', KEYS[7], ARGV[5])
redis.call('HINCRBY', KEYS[8], 'accepted', 1)
return 'ok'
