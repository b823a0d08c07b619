-- The mentor ends a relationship early: sessions not yet started are
-- released from the mentor's booked times, the reason is only counted.
-- KEYS[1] rel:<id>, KEYS[2] the mentor's booked times, KEYS[3] pair:<token hash>, KEYS[4] counts
-- ARGV[1] relationship id, ARGV[2] mentor id, ARGV[3] reason, ARGV[4] now_ms
-- Returns 'ok' or 'wrong_state' (not this mentor's active relationship).
local f = redis.call('HMGET', KEYS[1], 'state', 'mentor', 'bookings')
if f[1] ~= 'active' or f[2] ~= ARGV[2] then return 'wrong_state' end
local now = tonumber(ARGV[4])
local kept = {}
for _, b in ipairs(cjson.decode(f[3])) do
  if b.start_ms <= now then
    kept[#kept + 1] = b
  else
    redis.call('ZREM', KEYS[2], ARGV[1] .. '#' .. b.number .. '#' .. string.format('%d', b.end_ms))
  end
end
local encoded = '[]'
if #kept > 0 then encoded = cjson.encode(kept) end
redis.call('HSET', KEYS[1], 'state', 'ended', 'bookings', encoded, 'ended_ms', ARGV[4])
redis.call('HSET', KEYS[3], 'state', 'ended')
redis.call('HINCRBY', KEYS[4], 'ended_early_' .. ARGV[3], 1)
return 'ok'
