-- Shared piece (embed_scripts.cmake puts it before any script that says
-- `--@use queue_standing`): what a waiting GP's estimate is made from, the
-- same for a GP who just joined (queue_enqueue.lua) and for a node's refresh
-- of all its waiting GPs (queue_positions.lua).
-- Returns {matches in the last hour, oldest of them (ms, string),
--          listeners available now}
local function queue_standing(p, now)
  local since = now - 3600000
  local n = redis.call('ZCOUNT', p .. ':matches', since, '+inf')
  local oldest = redis.call('ZRANGEBYSCORE', p .. ':matches', since, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  return {n, oldest[2] or '0', redis.call('ZCOUNT', p .. ':available', '-inf', now)}
end
