-- Counts a failed sign-in against the (pseudonymised) client address and
-- against one throttle counter: the account's "untrusted" counter, or the
-- device token's counter when the attempt came with a valid one.
-- The address counter expires with the window that began with its first
-- failure; the throttle counter keeps the count and the time of the last
-- failure, and its window slides with each failure (the growing delays are
-- counted from the last one: domain/sessions/login_throttle.hpp).
-- KEYS[1] address counter, KEYS[2] throttle counter (hash)
-- ARGV: window_s, now_ms
local window = tonumber(ARGV[1])
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], window) end
redis.call('HINCRBY', KEYS[2], 'n', 1)
redis.call('HSET', KEYS[2], 'last_ms', ARGV[2])
redis.call('EXPIRE', KEYS[2], window)
return 1
