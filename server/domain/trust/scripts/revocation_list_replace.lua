-- Stores a new signed revocation list (or directory) only if its number is
-- higher than the stored one's, so an older one can never replace a newer
-- one (clients refuse a rollback too: docs/CRYPTO.md 3.4).
-- KEYS[1] the revocation list (or directory) hash; ARGV: data (base64url),
-- number, next_update (0 for a directory)
-- Returns 1 if stored, 0 if one with this number or higher is stored.
if tonumber(redis.call('HGET', KEYS[1], 'number') or '0') >= tonumber(ARGV[2]) then
  return 0
end
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'number', ARGV[2], 'next_update', ARGV[3])
return 1
