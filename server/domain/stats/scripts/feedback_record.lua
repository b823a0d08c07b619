-- A GP's anonymous feedback after a conversation, kept only as counts in the
-- hour's statistics bucket: once per ended conversation (conversation_end.lua
-- leaves a marker under the GP's session id; this consumes it), so nobody can
-- stuff the counts with fresh anonymous sessions.
-- KEYS[1] the GP session's feedback_due marker, KEYS[2] stats hour key
-- ARGV: helped ("yes"|"somewhat"|"no"), stay ("more"|"same"|"less")
-- Returns 1 if counted, 0 if no conversation is waiting for feedback.
--@use stats
if redis.call('DEL', KEYS[1]) == 0 then
  return 0
end
stat_in(KEYS[2], 'feedback')
stat_in(KEYS[2], 'feedback_helped_' .. ARGV[1])
stat_in(KEYS[2], 'feedback_stay_' .. ARGV[2])
return 1
