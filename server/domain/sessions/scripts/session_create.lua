-- Stores a new session under the hash of its token, with expiry, atomically.
-- KEYS[1] session key (pl:session:<token hash>); KEYS[2] (staff only) the
-- account's key. ARGV: ttl_s, role, username, session_id
-- A staff session records the account's session epoch: disabling an account
-- bumps it (account_set_disabled.lua), so every session made before is
-- refused for good, even after the account is enabled again. An account
-- disabled since the caller checked gets no session (returns 0).
local epoch = '0'
if KEYS[2] then
  local disabled, current = unpack(redis.call('HMGET', KEYS[2], 'disabled', 'session_epoch'))
  if disabled == '1' then return 0 end
  epoch = current or '0'
end
redis.call('HSET', KEYS[1], 'role', ARGV[2], 'username', ARGV[3], 'sid', ARGV[4], 'epoch', epoch)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
