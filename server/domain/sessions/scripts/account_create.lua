-- Creates an account if the name is free. Durable (AOF); no expiry.
-- KEYS[1] account key, KEYS[2] set of usernames; ARGV: username, role,
-- password_hash, created_s[, one_time]: one_time '1' marks the password as
-- one to replace at first sign-in (must_change_password).
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'role', ARGV[2], 'pwhash', ARGV[3], 'disabled', '0', 'created_s', ARGV[4])
if ARGV[5] == '1' then redis.call('HSET', KEYS[1], 'must_change_password', '1') end
redis.call('SADD', KEYS[2], ARGV[1])
return 1
