-- Stores a new session under the hash of its token, with expiry, atomically.
-- KEYS[1] session key (pl:session:<token hash>); ARGV: ttl_s, role, username, session_id
redis.call('HSET', KEYS[1], 'role', ARGV[2], 'username', ARGV[3], 'sid', ARGV[4])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
