-- ARGV: prefix, worker, host, token, kind (widen | slow | ok | none), latency, base delay, back-off maximum,
-- minimum back-off. A request is over: its concurrency token goes back and the host's back-off is adjusted,
-- in one round trip. Returns the host's back-off afterwards.
local host = ARGV[3]
redis.call('ZREM', p .. ':tokens:' .. host, ARGV[4])
redis.call('SREM', p .. ':worker_tokens:' .. ARGV[2], host .. '\t' .. ARGV[4])
if ARGV[5] == 'none' then
  return string.format('%.6f', tonumber(redis.call('HGET', p .. ':backoff', host) or '0'))
end
return string.format('%.6f', adjust_backoff(host, ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]),
  tonumber(ARGV[8]), tonumber(ARGV[9])))
