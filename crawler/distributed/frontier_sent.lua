-- ARGV: prefix, host, holder, sent (1: the holder's request reached the network; 0: it ended unsent).
-- Lets go of the holder's hold on the host (claim.lua). A sent request's last start is now, on the server's
-- clock: this runs after the send, so the next request's gap counts from no earlier than the send.
local host = ARGV[2]
local hold = redis.call('HGET', p .. ':hold', host)
if hold and string.sub(hold, 1, string.find(hold, '\t', 1, true) - 1) == ARGV[3] then
  redis.call('HDEL', p .. ':hold', host)
end
if ARGV[4] == '1' then
  local now = now_seconds()
  if now > tonumber(redis.call('HGET', p .. ':last', host) or '0') then
    redis.call('HSET', p .. ':last', host, string.format('%.6f', now))
  end
end
return 1
