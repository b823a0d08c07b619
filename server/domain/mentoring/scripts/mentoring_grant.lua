-- Grants the mentor capability: the listener keeps one mentor id for life
-- (a GP's choice refers to it), made here on the first grant.
-- KEYS[1] {pl:m}:mentor_ids (username -> id), KEYS[2] {pl:m}:mentors (id -> username, active only)
-- ARGV[1] username, ARGV[2] a fresh random id (used only on the first grant)
-- Returns the mentor id.
local id = redis.call('HGET', KEYS[1], ARGV[1])
if not id then
  id = ARGV[2]
  redis.call('HSET', KEYS[1], ARGV[1], id)
end
redis.call('HSET', KEYS[2], id, ARGV[1])
return id
