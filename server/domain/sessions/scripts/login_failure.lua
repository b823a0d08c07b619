-- Counts a failed login against the account and the (pseudonymised) client
-- address; each counter expires with the window that started with its first
-- failure.
-- KEYS[1] account counter, KEYS[2] address counter; ARGV: window_s
for i = 1, 2 do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('EXPIRE', KEYS[i], tonumber(ARGV[1])) end
end
return 1
