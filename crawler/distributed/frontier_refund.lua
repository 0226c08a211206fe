-- ARGV: prefix, host, start, delay. A reserved slot that was never used (the request ended before it was sent,
-- e.g. robots.txt forbids it) is given back if no later reservation was made on top of it.
local host = ARGV[2]
local following = tonumber(ARGV[3]) + tonumber(ARGV[4])
local reserved = tonumber(redis.call('HGET', p .. ':next', host) or '0')
if math.abs(reserved - following) > 0.000001 then
  return 0
end
redis.call('HSET', p .. ':next', host, ARGV[3])
if redis.call('ZSCORE', p .. ':ready', host) then
  redis.call('ZADD', p .. ':ready', ARGV[3], host)
end
return 1
