-- ARGV: prefix, then (registry URL \t row) items separated by \r (a registry URL holds neither). Per item: 0
-- when the row is the URL's first (noted now in `enqueue:rows`), else the URL's first row. Returns the list.
local rows = ARGV[1] .. ':enqueue:rows'
local out = {}
local start = 1
local text = ARGV[2]
while start <= #text do
  local stop = string.find(text, '\r', start, true) or (#text + 1)
  local tab = string.find(text, '\t', start, true)
  local url = string.sub(text, start, tab - 1)
  if redis.call('HSETNX', rows, url, string.sub(text, tab + 1, stop - 1)) == 1 then
    out[#out + 1] = 0
  else
    out[#out + 1] = tonumber(redis.call('HGET', rows, url))
  end
  start = stop + 1
end
return out
