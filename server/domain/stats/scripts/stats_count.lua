-- Counts one event in an hour's statistics bucket (for counts made outside
-- the queue scripts, such as escalations), with the buckets' 32-day expiry.
-- KEYS[1] stats hour key ({pl:q}:stats:<hour>); ARGV: field
--@use stats
stat_in(KEYS[1], ARGV[1])
return 1
