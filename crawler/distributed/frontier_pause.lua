-- ARGV: prefix, host, seconds. No request to the host starts before now + seconds (Retry-After).
local host = ARGV[2]
local until_time = now_seconds() + tonumber(ARGV[3])
if until_time > tonumber(redis.call('HGET', p .. ':pause', host) or '0') then
  redis.call('HSET', p .. ':pause', host, string.format('%.6f', until_time))
end
local reserved = tonumber(redis.call('HGET', p .. ':next', host) or '0')
if until_time > reserved then
  redis.call('HSET', p .. ':next', host, string.format('%.6f', until_time))
  if redis.call('ZSCORE', p .. ':ready', host) then
    redis.call('ZADD', p .. ':ready', string.format('%.6f', until_time), host)
  end
end
return 1
