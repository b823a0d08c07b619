-- The GP's anonymous answer after the last session, counted once per
-- relationship: the relationship keeps only that it was answered.
-- KEYS[1] rel:<id>, KEYS[2] counts; ARGV[1] the answer
-- Returns 'ok' or 'not_expected' (answered already).
if redis.call('HSETNX', KEYS[1], 'outcome_given', 1) == 0 then return 'not_expected' end
redis.call('HINCRBY', KEYS[2], 'outcome_' .. ARGV[1], 1)
return 'ok'
