-- Takes the mentor capability away: the mentor leaves the public list (the
-- card and availability stay, should it be granted again).
-- KEYS[1] {pl:m}:mentor_ids, KEYS[2] {pl:m}:mentors; ARGV[1] username
-- Returns the mentor id, or false if the listener never was a mentor.
local id = redis.call('HGET', KEYS[1], ARGV[1])
if not id then return false end
redis.call('HDEL', KEYS[2], id)
return id
