-- Replaces a relationship's bookings (book the series, move one or this and
-- all later, cancel) in one step, never double-booking the mentor: any
-- booking of another relationship overlapping a new one refuses the whole
-- change. Compare-and-set on the bookings the caller planned from.
-- KEYS[1] rel:<id>, KEYS[2] the mentor's booked times (zset: member
-- '<rel>#<number>#<end_ms>', score start_ms)
-- ARGV[1] relationship id, ARGV[2] mentor id, ARGV[3] the bookings read
-- (JSON, as stored), ARGV[4] the new bookings (JSON array of
-- {number,start_ms,end_ms,revision}), ARGV[5] the longest session in ms
-- Returns 'ok', 'taken', 'changed' (the bookings moved meanwhile: read again)
-- or 'wrong_state'.
local f = redis.call('HMGET', KEYS[1], 'state', 'mentor', 'bookings')
if f[1] ~= 'active' or f[2] ~= ARGV[2] then return 'wrong_state' end
if f[3] ~= ARGV[3] then return 'changed' end
local mine = ARGV[1] .. '#'
local longest = tonumber(ARGV[5])
local new = cjson.decode(ARGV[4])
for _, b in ipairs(new) do
  local near = redis.call('ZRANGEBYSCORE', KEYS[2], string.format('%d', b.start_ms - longest),
    '(' .. string.format('%d', b.end_ms))
  for _, m in ipairs(near) do
    if string.sub(m, 1, #mine) ~= mine then
      local finish = tonumber(string.match(m, '#(%d+)$'))
      if finish > b.start_ms then return 'taken' end
    end
  end
end
for _, b in ipairs(cjson.decode(ARGV[3])) do
  redis.call('ZREM', KEYS[2], mine .. b.number .. '#' .. string.format('%d', b.end_ms))
end
for _, b in ipairs(new) do
  redis.call('ZADD', KEYS[2], string.format('%d', b.start_ms), mine .. b.number .. '#' .. string.format('%d', b.end_ms))
end
redis.call('HSET', KEYS[1], 'bookings', ARGV[4])
return 'ok'
