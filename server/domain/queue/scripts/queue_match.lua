-- Makes as many offers as it can in one atomic call (at most one per offer id
-- passed in). Waiting requests are taken in queue order; each request without
-- an offer goes to the longest-idle available listener with spare capacity,
-- no pending offer and no wrap-up still running, among those this call has
-- not already offered to. A request carrying a continuity preference goes
-- only to that listener until its preference ends; meanwhile later requests
-- may be matched.
-- One pass in queue order gives exactly the offers that repeated one-offer
-- calls would (the candidate listeners only shrink as offers are made, so a
-- request that cannot be matched now cannot be matched later in the same
-- call). Listeners are read lazily, a page at a time in idle order, so a
-- call costs what it matches rather than a read of every idle listener;
-- as before, only the 200 longest-idle entries are looked at.
-- The offer is a reservation: the listener leaves the available set until
-- they accept, decline or the offer expires.
-- KEYS[1] queue prefix; ARGV: now_ms, offer_ttl_ms, new_offer_id [, new_offer_id ...]
-- Returns a flat list, 8 entries per offer made (empty: nothing to match):
--   offer_id, request_id, listener_sid, listener_node, topic, urgent, gp_sid, gp_node
--@use stats
local p = KEYS[1]
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local max_offers = #ARGV - 2
local out = {}
if max_offers < 1 then return out end

local scan_limit, page_size = 200, 16
local fetched = {}  -- valid candidates in idle order: {sid, key, username, node, taken}
local by_user = {}  -- username -> that listener's fetched candidates, in idle order
local stale = {}    -- entries to drop from the available set (after paging,
                    -- which reads it by offset)
local scanned, exhausted, next_free = 0, false, 1

local function fetch_more()
  if exhausted then return false end
  local n = math.min(page_size, scan_limit - scanned)
  local page = redis.call('ZRANGEBYSCORE', p .. ':available', '-inf', now, 'LIMIT', scanned, n)
  scanned = scanned + #page
  if #page < n or scanned >= scan_limit then exhausted = true end
  for _, l in ipairs(page) do
    local k = p .. ':listener:' .. l
    local f = redis.call('HMGET', k, 'capacity', 'active', 'state', 'offer', 'username', 'node')
    if not f[1] or f[3] ~= 'available' or tonumber(f[2] or '0') >= tonumber(f[1]) then
      table.insert(stale, l)
    elseif not f[4] then
      local c = {l, k, f[5] or '', f[6], false}
      table.insert(fetched, c)
      local mine = by_user[c[3]]
      if mine then table.insert(mine, c) else by_user[c[3]] = {c} end
    end
  end
  return #page > 0
end

-- The longest-idle candidate not offered to yet.
local function first_free()
  while true do
    while next_free <= #fetched and fetched[next_free][5] do next_free = next_free + 1 end
    if next_free <= #fetched then return fetched[next_free] end
    if not fetch_more() then return nil end
  end
end

-- The longest-idle free session of the preferred listener. Looked up by
-- name (a listener has a session or two), not by scanning every fetched
-- candidate: a queue of requests that all prefer someone unavailable would
-- otherwise cost requests x candidates steps in one call. Pages are fetched
-- until the listener turns up or the scan limit is reached, once per call.
local function preferred(username)
  while true do
    local mine = by_user[username]
    if mine then
      for _, c in ipairs(mine) do
        if not c[5] then return c end
      end
    end
    if not fetch_more() then return nil end
  end
end

local function drop_stale()
  for _, l in ipairs(stale) do redis.call('ZREM', p .. ':available', l) end
end

if not first_free() then
  drop_stale()
  return out
end

-- Requests are read a page at a time in queue order. Those that cannot be
-- offered now (an offer already pending, a GP detached) are passed over, so
-- a free listener still reaches the first request that can take them when
-- hundreds of pending offers are ahead of it (there was a fixed window of
-- the first 200, which such a head could fill); the 2,000-request window
-- only bounds one call's work.
local request_page, request_window = 100, 2000
local expired = {} -- removed after paging (paging reads the queue by offset)
local made, offset = 0, 0
while made < max_offers and offset < request_window and first_free() do
  local page = redis.call('ZRANGE', p .. ':waiting', offset, offset + request_page - 1)
  if #page == 0 then break end
  offset = offset + #page
  for _, r in ipairs(page) do
    if made >= max_offers or not first_free() then break end
    local k = p .. ':req:' .. r
    local f = redis.call('HMGET', k, 'offer', 'prefer', 'prefer_until', 'sid', 'detached',
                         'topic', 'urgent', 'node')
    if not f[4] then
      table.insert(expired, r)
    elseif not f[1] and not f[5] then -- (a detached GP keeps their place but gets no offer)
      local c
      if f[2] and tonumber(f[3]) > now then
        c = preferred(f[2])
      else
        c = first_free()
      end
      if c then
        c[5] = true
        made = made + 1
        local oid = ARGV[2 + made]
        local expires = now + ttl
        local lsid, lk = c[1], c[2]
        redis.call('HSET', p .. ':offer:' .. oid, 'rid', r, 'lsid', lsid, 'expires_ms', expires)
        redis.call('PEXPIRE', p .. ':offer:' .. oid, ttl + 60000)
        redis.call('ZADD', p .. ':offers', expires, oid)
        redis.call('HSET', k, 'offer', oid)
        redis.call('HSET', lk, 'offer', oid)
        table.insert(stale, lsid) -- leaves the available set (after paging)
        for _, v in ipairs({oid, r, lsid, c[4] or false, f[6] or false, f[7] or false, f[4], f[8] or false}) do
          table.insert(out, v)
        end
      end
    end
  end
end
for _, r in ipairs(expired) do
  redis.call('ZREM', p .. ':waiting', r) -- expired request
  redis.call('ZREM', p .. ':waiting_since', r)
end
drop_stale()
if made > 0 then stat(p, now, 'offers_made', made) end
return out
