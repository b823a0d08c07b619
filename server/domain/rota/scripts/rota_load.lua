-- Reads the whole rota in one round trip (durable keys, AOF).
-- KEYS[1] rota prefix "{pl:rota}" (one hash slot); ARGV: none
-- Returns {shifts, hours, closed_days}:
--   shifts: flat list of id, listener, kind, weekday, day, start, end
--   hours: flat list of weekday ("0".."6"), "HH:MM-HH:MM"
--   closed_days: list of "YYYY-MM-DD"
local p = KEYS[1]
local shifts = {}
for _, id in ipairs(redis.call('SMEMBERS', p .. ':shifts')) do
  local f = redis.call('HMGET', p .. ':shift:' .. id, 'listener', 'kind', 'weekday', 'day', 'start', 'end')
  if f[1] then
    table.insert(shifts, id)
    for i = 1, 6 do table.insert(shifts, f[i] or '') end
  else
    redis.call('SREM', p .. ':shifts', id)
  end
end
return {shifts, redis.call('HGETALL', p .. ':hours'), redis.call('SMEMBERS', p .. ':closed')}
