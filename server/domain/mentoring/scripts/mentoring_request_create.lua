-- A GP's request for mentoring: up to three mentors in the GP's order, one
-- sealed note per mentor (opaque bytes, kept only while that mentor's offer
-- stands). The first choice is offered at once.
-- KEYS[1] pair:<token hash>, KEYS[2] notes:<token hash>, KEYS[3] offers (zset),
-- KEYS[4] requests (request id -> token hash), KEYS[5] mentors, KEYS[6] inbox of
-- the first choice, KEYS[7] counts
-- ARGV[1] token hash, ARGV[2] now_ms, ARGV[3] expires_ms, ARGV[4] request id,
-- ARGV[5] plan sessions (when nothing is carried over), ARGV[6] n,
-- ARGV[7..6+n] mentor ids, ARGV[7+n..6+2n] notes ('' = none)
-- Returns 'ok', 'exists' or 'unknown_mentor' (nothing stored then).
local state = redis.call('HGET', KEYS[1], 'state')
local carry = ARGV[5]
if state then
  if state == 'mentor_gone' then
    carry = redis.call('HGET', KEYS[1], 'sessions') or ARGV[5]
  elseif state ~= 'declined' then
    return 'exists'
  end
end
local n = tonumber(ARGV[6])
local ids = {}
for i = 1, n do
  ids[i] = ARGV[6 + i]
  if redis.call('HEXISTS', KEYS[5], ids[i]) == 0 then return 'unknown_mentor' end
end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'state', 'offered', 'choices', table.concat(ids, ','), 'choice', 1,
  'request_id', ARGV[4], 'offered_ms', ARGV[2], 'expires_ms', ARGV[3], 'sessions', carry)
for i = 1, n do
  local note = ARGV[6 + n + i]
  if note ~= '' then redis.call('HSET', KEYS[2], ids[i], note) end
end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('HSET', KEYS[4], ARGV[4], ARGV[1])
redis.call('ZADD', KEYS[6], ARGV[2], ARGV[4])
redis.call('HINCRBY', KEYS[7], 'requests', 1)
return 'ok'
