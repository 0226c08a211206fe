-- ARGV: prefix, worker, lookahead, token ttl, base delay, base concurrency, hosts to scan.
-- Pops the next request of a host that may start within `lookahead` seconds and has a free concurrency token,
-- reserves the host's start time (politeness slot) and leases the target to the worker.
-- Returns {member, wait, token, host, start, delay, registry entry of a fresh target's scope, that scope's URL}
-- (the last two '' for a follow-up),
-- or {'', wait} when no host is ready, or {} when the queue is empty.
local worker = ARGV[2]
local lookahead = tonumber(ARGV[3])
local token_ttl = tonumber(ARGV[4])
local base_delay = tonumber(ARGV[5])
local base_concurrency = tonumber(ARGV[6])
local now = now_seconds()
local ready = p .. ':ready'
local hosts = redis.call('ZRANGEBYSCORE', ready, '-inf', string.format('%.6f', now + lookahead),
  'LIMIT', 0, tonumber(ARGV[7]))
for _, host in ipairs(hosts) do
  local queue = p .. ':q:' .. host
  local tokens = p .. ':tokens:' .. host
  redis.call('ZREMRANGEBYSCORE', tokens, '-inf', string.format('%.6f', now))
  local concurrency = base_concurrency
  if tonumber(redis.call('HGET', p .. ':crawl_delay', host) or '0') > 0 then
    concurrency = 1
  end
  if redis.call('ZCARD', tokens) < concurrency then
    local item = redis.call('ZRANGE', queue, 0, 0, 'WITHSCORES')
    if #item == 0 then
      redis.call('ZREM', ready, host)
    else
      local member = item[1]
      local rank = math.floor(tonumber(item[2]) / 1000000000)
      redis.call('ZREM', queue, member)
      local token, start, delay, following = reserve(host, worker, base_delay, token_ttl, now)
      if redis.call('ZCARD', queue) > 0 then
        redis.call('ZADD', ready, string.format('%.6f', following), host)
      else
        redis.call('ZREM', ready, host)
      end
      local cut = string.find(member, '\n', 1, true)
      local url = string.sub(member, 1, cut - 1)
      redis.call('HSET', p .. ':leases', url,
        worker .. '\t' .. host .. '\t' .. string.format('%.0f', rank) .. '\t' .. member)
      redis.call('SADD', p .. ':worker_leases:' .. worker, url)
      redis.call('HINCRBY', p .. ':stats', 'queued', -1)
      redis.call('HINCRBY', p .. ':stats', 'popped', 1)
      -- A fresh target's registry entry (its scope) travels along: one round trip less per request.
      local entry = ''
      local scope = ''
      local payload = string.sub(member, cut + 1)
      if string.sub(payload, 1, 1) == 'T' then
        local readable, fields = pcall(cjson.decode, string.sub(payload, 2))  -- damaged: the worker says so
        if readable and type(fields) == 'table' then
          scope = fields['s']
          if scope == '=' then
            scope = url
          end
        end
        if type(scope) == 'string' and scope ~= '' then
          entry = redis.call('HGET', p .. ':entries', scope) or ''
        else
          scope = ''
        end
      end
      return {member, string.format('%.6f', start - now), token, host, string.format('%.6f', start),
        string.format('%.6f', delay), entry, scope}
    end
  end
end
local first = redis.call('ZRANGE', ready, 0, 0, 'WITHSCORES')
if #first == 0 then
  return {}
end
return {'', string.format('%.6f', math.max(0, tonumber(first[2]) - now - lookahead))}
