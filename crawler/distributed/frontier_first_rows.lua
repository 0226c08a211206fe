-- ARGV: prefix, then (registry URL, row) pairs. Per pair: 0 when the row is the URL's first (noted now in
-- `enqueue:rows`), else the URL's first row. Returns the list.
local rows = ARGV[1] .. ':enqueue:rows'
local out = {}
for i = 2, #ARGV, 2 do
  if redis.call('HSETNX', rows, ARGV[i], ARGV[i + 1]) == 1 then
    out[#out + 1] = 0
  else
    out[#out + 1] = tonumber(redis.call('HGET', rows, ARGV[i]))
  end
end
return out
