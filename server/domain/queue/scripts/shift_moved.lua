-- The rota moved the end of the stretch of shifts an available listener is
-- on: the stored end moves with it (listener_set_state.lua starts a fresh
-- count once the stored end has passed). Nothing to do without a count.
-- KEYS[1] queue prefix; ARGV: username, new end of the stretch (ms)
local sk = KEYS[1] .. ':shift:' .. ARGV[1]
if redis.call('EXISTS', sk) == 1 then
  redis.call('HSET', sk, 'until_ms', tonumber(ARGV[2]))
end
return 0
