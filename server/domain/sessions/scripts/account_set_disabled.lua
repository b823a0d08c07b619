-- Disables or re-enables an account, refusing to disable the last enabled
-- administrator. One script, so two administrators disabling each other at
-- the same instant cannot both succeed: scripts run one at a time.
-- KEYS[1] the account to change; KEYS[2..n] the account keys of every
--   username (the caller reads the set of usernames first; an account made
--   after that read can only add administrators, so a refusal stays safe).
-- ARGV[1] '1' to disable, '0' to enable.
-- Returns 1 done, 0 no such account, -1 refused: the last enabled administrator.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] == '1' then
  local role, disabled = unpack(redis.call('HMGET', KEYS[1], 'role', 'disabled'))
  if role == 'admin' and disabled ~= '1' then
    local others = 0
    for i = 2, #KEYS do
      if KEYS[i] ~= KEYS[1] then
        local r, d = unpack(redis.call('HMGET', KEYS[i], 'role', 'disabled'))
        if r == 'admin' and d ~= '1' then others = others + 1 end
      end
    end
    if others == 0 then return -1 end
  end
end
-- Disabling ends every session of the account for good: a session carries the
-- epoch it was made in (session_create.lua) and authenticate() refuses one
-- whose epoch is not the account's, so enabling again revives none of them.
if ARGV[1] == '1' then redis.call('HINCRBY', KEYS[1], 'session_epoch', 1) end
redis.call('HSET', KEYS[1], 'disabled', ARGV[1])
return 1
