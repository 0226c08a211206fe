-- ARGV: prefix, then (registry URL \t row) items separated by \r (a registry URL holds neither). Per item: 0
-- when the row is the URL's first (noted now in `enqueue:rows`), else the URL's first row. Returns the list.
-- One HMGET and one HSET per CHUNK items (unpack's limit): per-item calls were most of the cost.
local rows = ARGV[1] .. ':enqueue:rows'
local CHUNK = 1000
local urls, numbers = {}, {}
local start = 1
local text = ARGV[2]
while start <= #text do
  local stop = string.find(text, '\r', start, true) or (#text + 1)
  local tab = string.find(text, '\t', start, true)
  urls[#urls + 1] = string.sub(text, start, tab - 1)
  numbers[#numbers + 1] = string.sub(text, tab + 1, stop - 1)
  start = stop + 1
end
local out = {}
local first_here = {}  -- URL -> first row, for URLs first seen in this call
for first = 1, #urls, CHUNK do
  local last = math.min(first + CHUNK - 1, #urls)
  local found = redis.call('HMGET', rows, unpack(urls, first, last))
  local new_pairs = {}
  for index = first, last do
    local url = urls[index]
    local known = found[index - first + 1] or first_here[url]
    if known then
      out[index] = tonumber(known)
    else
      out[index] = 0
      first_here[url] = numbers[index]
      new_pairs[#new_pairs + 1] = url
      new_pairs[#new_pairs + 1] = numbers[index]
    end
  end
  if #new_pairs > 0 then
    redis.call('HSET', rows, unpack(new_pairs))
  end
end
return out
