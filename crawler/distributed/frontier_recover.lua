-- ARGV: prefix, leaving worker ('' = none). Requeues the leases of dead workers (no `alive` key) and of the
-- leaving worker; when nobody is left and nothing is queued, leased or held, marks the run finished and says
-- so (1) to exactly one caller. Returns {requeued, dead workers, finished}.
local leaving = ARGV[2]
local requeued = 0
local dead = 0
for _, worker in ipairs(redis.call('HKEYS', p .. ':workers')) do
  if worker == leaving then
    requeued = requeued + requeue_worker(worker)
    redis.call('DEL', p .. ':alive:' .. worker)
  elseif redis.call('EXISTS', p .. ':alive:' .. worker) == 0 then
    requeued = requeued + requeue_worker(worker)
    dead = dead + 1
  end
end
if requeued > 0 then
  redis.call('HINCRBY', p .. ':stats', 'requeued', requeued)
end
if dead > 0 then
  redis.call('HINCRBY', p .. ':stats', 'workers_lost', dead)
end
local finished = 0
if leaving ~= '' and redis.call('HLEN', p .. ':workers') == 0 and redis.call('ZCARD', p .. ':ready') == 0
    and redis.call('HLEN', p .. ':leases') == 0 and redis.call('HLEN', p .. ':held') == 0
    and redis.call('HGET', p .. ':run', 'state') == 'running' then
  redis.call('HSET', p .. ':run', 'state', 'finished', 'finished_by', leaving)
  finished = 1
end
return {requeued, dead, finished}
