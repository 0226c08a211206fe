-- A common prelude: `push` adds a member to its host queue and makes the host ready (if it was not queued).
local p = ARGV[1]
local function now_seconds()
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local function push(host, rank, member)
  local seq = redis.call('INCR', p .. ':seq')
  local score = tonumber(rank) * 1000000000 + seq
  redis.call('ZADD', p .. ':q:' .. host, string.format('%.0f', score), member)
  if not redis.call('ZSCORE', p .. ':ready', host) then
    redis.call('ZADD', p .. ':ready', redis.call('HGET', p .. ':next', host) or '0', host)
  end
  redis.call('HINCRBY', p .. ':stats', 'queued', 1)
end
local function split_lease(lease)
  local a = string.find(lease, '\t', 1, true)
  local b = string.find(lease, '\t', a + 1, true)
  local c = string.find(lease, '\t', b + 1, true)
  return string.sub(lease, 1, a - 1), string.sub(lease, a + 1, b - 1), string.sub(lease, b + 1, c - 1),
    string.sub(lease, c + 1)
end
local function owner_of(lease)
  return string.sub(lease, 1, string.find(lease, '\t', 1, true) - 1)
end
local function requeue_worker(worker)
  local requeued = 0
  for _, url in ipairs(redis.call('SMEMBERS', p .. ':worker_leases:' .. worker)) do
    local lease = redis.call('HGET', p .. ':leases', url)
    if lease and owner_of(lease) == worker then
      local _, host, rank, member = split_lease(lease)
      push(host, rank, member)
      redis.call('HDEL', p .. ':leases', url)
      requeued = requeued + 1
    end
  end
  redis.call('DEL', p .. ':worker_leases:' .. worker)
  for _, entry in ipairs(redis.call('SMEMBERS', p .. ':worker_tokens:' .. worker)) do
    local cut = string.find(entry, '\t', 1, true)
    redis.call('ZREM', p .. ':tokens:' .. string.sub(entry, 1, cut - 1), string.sub(entry, cut + 1))
  end
  redis.call('DEL', p .. ':worker_tokens:' .. worker)
  redis.call('HDEL', p .. ':workers', worker)
  return requeued
end
local function reserve(host, worker, base_delay, token_ttl, now)
  local cd = tonumber(redis.call('HGET', p .. ':crawl_delay', host) or '0')
  local bo = tonumber(redis.call('HGET', p .. ':backoff', host) or '0')
  local delay = math.max(base_delay, cd, bo)
  local start = math.max(now, tonumber(redis.call('HGET', p .. ':next', host) or '0'))
  local following = start + delay
  redis.call('HSET', p .. ':next', host, string.format('%.6f', following))
  local token = worker .. '#' .. redis.call('INCR', p .. ':token_seq')
  redis.call('ZADD', p .. ':tokens:' .. host, string.format('%.6f', start + token_ttl), token)
  redis.call('SADD', p .. ':worker_tokens:' .. worker, host .. '\t' .. token)
  return token, start, delay, following
end
local function adjust_backoff(host, kind, latency, base, maximum, minimum)
  local backoff = tonumber(redis.call('HGET', p .. ':backoff', host) or '0')
  local before = backoff
  if kind == 'widen' then
    local cd = tonumber(redis.call('HGET', p .. ':crawl_delay', host) or '0')
    backoff = math.min(maximum, math.max(minimum, math.max(base, cd, backoff) * 2))
  elseif kind == 'slow' then
    if latency > backoff then
      backoff = math.min(maximum, latency)
    end
  elseif backoff > 0 then
    local halved = backoff / 2
    if halved >= math.max(base, minimum) then
      backoff = halved
    else
      backoff = 0
    end
  end
  if backoff ~= before then
    if backoff > 0 then
      redis.call('HSET', p .. ':backoff', host, string.format('%.6f', backoff))
    else
      redis.call('HDEL', p .. ':backoff', host)
    end
  end
  return backoff
end
