-- Shared piece (embed_scripts.cmake puts it before any script that says
-- `--@use withdraw_offer`): takes back pending offer `oid` and frees its
-- listener, who returns to matching at once if available with spare capacity.
-- Returns the listener's session id and node, or nil if nobody held the offer.
local function withdraw_offer(p, oid, now)
  local ok = p .. ':offer:' .. oid
  local lsid = redis.call('HGET', ok, 'lsid')
  redis.call('DEL', ok)
  redis.call('ZREM', p .. ':offers', oid)
  if not lsid then return nil end
  local lk = p .. ':listener:' .. lsid
  redis.call('HDEL', lk, 'offer')
  local f = redis.call('HMGET', lk, 'state', 'capacity', 'active', 'node')
  if f[1] == 'available' and tonumber(f[3] or '0') < tonumber(f[2] or '0') then
    redis.call('ZADD', p .. ':available', now, lsid)
  end
  return lsid, f[4] or ''
end
