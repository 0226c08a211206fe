-- ARGV: prefix, host, rank, member, lease URL ('' = none), worker. A worker that pushes a follow-up of a target
-- it holds (retry, redirect, rendering) hands the lease over to the queue in the same step.
push(ARGV[2], ARGV[3], ARGV[4])
redis.call('HINCRBY', p .. ':stats', 'pushed', 1)
local url = ARGV[5]
if url ~= '' then
  local lease = redis.call('HGET', p .. ':leases', url)
  if lease and owner_of(lease) == ARGV[6] then
    redis.call('HDEL', p .. ':leases', url)
  end
  redis.call('SREM', p .. ':worker_leases:' .. ARGV[6], url)
end
return 1
