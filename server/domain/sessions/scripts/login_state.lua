-- What a sign-in attempt must know before the password is checked, in one
-- round trip: the address's failures, whether the device token (if any) is
-- one issued to this account, and the throttle counter that applies.
-- KEYS[1] address counter, KEYS[2] account's untrusted counter (hash),
-- KEYS[3] device token record, KEYS[4] device token's counter (hash)
-- (KEYS[3] and KEYS[4] are "" when no device token came)
-- ARGV: username
-- Returns {address_failures, trusted (0/1), n, last_ms}: n and last_ms of the
-- device counter when trusted, else of the untrusted counter.
local address = tonumber(redis.call('GET', KEYS[1]) or '0')
local trusted = 0
if KEYS[3] ~= '' and redis.call('GET', KEYS[3]) == ARGV[1] then trusted = 1 end
local counter = KEYS[2]
if trusted == 1 then counter = KEYS[4] end
local state = redis.call('HMGET', counter, 'n', 'last_ms')
return {address, trusted, tonumber(state[1] or '0'), tonumber(state[2] or '0')}
