-- ARGV: prefix, worker, committed (1/0), URLs... Gives up the worker's leases of these targets.
local worker = ARGV[2]
local released = 0
for i = 4, #ARGV do
  local url = ARGV[i]
  local lease = redis.call('HGET', p .. ':leases', url)
  if lease and owner_of(lease) == worker then
    redis.call('HDEL', p .. ':leases', url)
    released = released + 1
  end
  redis.call('SREM', p .. ':worker_leases:' .. worker, url)
end
if ARGV[3] == '1' then
  redis.call('HINCRBY', p .. ':stats', 'pages', #ARGV - 3)
else
  redis.call('HINCRBY', p .. ':stats', 'unrecorded', #ARGV - 3)
end
return released
