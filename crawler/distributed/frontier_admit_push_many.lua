-- ARGV: prefix, then (dedupe key, host, rank, member, folder URL or '') quintuples. A key not seen yet is marked
-- seen and its member queued; a folder's root counts as one of its folder's pages. Returns how many were queued.
local n = 0
for i = 2, #ARGV, 5 do
  if redis.call('SADD', p .. ':seen', ARGV[i]) == 1 then
    push(ARGV[i + 1], ARGV[i + 2], ARGV[i + 3])
    if ARGV[i + 4] ~= '' then
      redis.call('HINCRBY', p .. ':folder_pages', ARGV[i + 4], 1)
    end
    n = n + 1
  end
end
redis.call('HINCRBY', p .. ':stats', 'pushed', n)
return n
