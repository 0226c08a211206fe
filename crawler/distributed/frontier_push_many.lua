-- ARGV: prefix, then (host, rank, member) triples. Returns how many were pushed.
local n = 0
for i = 2, #ARGV, 3 do
  push(ARGV[i], ARGV[i + 1], ARGV[i + 2])
  n = n + 1
end
redis.call('HINCRBY', p .. ':stats', 'pushed', n)
return n
