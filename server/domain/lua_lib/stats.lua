-- Shared piece (embed_scripts.cmake puts it before any script that says
-- `--@use stats`): this hour's statistics bucket, {pl:q}:stats:<hour>, a
-- hash of counts only (never who). Every bucket lives 32 days, the longest
-- window the statistics API reports, so older hours leave Redis by themselves.
local stats_ttl_s = 2764800 -- 32 days

-- Adds n (default 1) to `field` in bucket `k` (a key the caller has in KEYS).
local function stat_in(k, field, n)
  redis.call('HINCRBY', k, field, n or 1)
  redis.call('EXPIRE', k, stats_ttl_s)
end

-- Adds n (default 1) to `field` in the bucket of the hour holding now_ms.
local function stat(p, now_ms, field, n)
  stat_in(p .. ':stats:' .. math.floor(now_ms / 3600000), field, n)
end
