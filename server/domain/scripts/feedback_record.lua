-- A GP's anonymous feedback after a conversation, kept only as counts in the
-- hour's statistics bucket; once per GP session (the session is remembered
-- under the hash of its token until it expires, nothing else about it).
-- KEYS[1] feedback-sent key, KEYS[2] stats hour key
-- ARGV: session ttl (s), helped ("yes"|"somewhat"|"no"), stay ("more"|"same"|"less")
-- Returns 1 if counted, 0 if this session already sent feedback.
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[1])) then
  return 0
end
redis.call('HINCRBY', KEYS[2], 'feedback', 1)
redis.call('HINCRBY', KEYS[2], 'feedback_helped_' .. ARGV[2], 1)
redis.call('HINCRBY', KEYS[2], 'feedback_stay_' .. ARGV[3], 1)
redis.call('EXPIRE', KEYS[2], 2764800)
return 1
