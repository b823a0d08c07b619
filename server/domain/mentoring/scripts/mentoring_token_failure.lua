-- Counts a relationship token the server did not know against the
-- (pseudonymised) client address; the counter expires with the window that
-- started at its first failure.
-- KEYS[1] the address's counter; ARGV[1] window_s. Returns the count.
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1])) end
return n
