-- ARGV: prefix. Moves every held member into its queue unless its key was admitted meanwhile (the folder
-- crawl reached the page). Returns how many were queued.
local all = redis.call('HGETALL', p .. ':held')
local queued = 0
for i = 1, #all, 2 do
  if redis.call('SADD', p .. ':seen', all[i]) == 1 then
    local cut = string.find(all[i + 1], '\t', 1, true)
    local rest = string.sub(all[i + 1], cut + 1)
    local cut2 = string.find(rest, '\t', 1, true)
    push(string.sub(all[i + 1], 1, cut - 1), string.sub(rest, 1, cut2 - 1), string.sub(rest, cut2 + 1))
    queued = queued + 1
  end
end
redis.call('DEL', p .. ':held')
redis.call('HINCRBY', p .. ':stats', 'pushed', queued)
return queued
