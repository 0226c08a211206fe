-- One batch of a streamed registry (`sdg-tags enqueue`). Fields are separated by \t, items by \r: registry URLs
-- hold neither (a URL with a control character or white space is an invalid row) and JSON escapes both.
-- ARGV: prefix,
--   entries: (registry URL, index record JSON) items, written to `entries`;
--   seeds: (dedupe key, host, rank, member, folder URL or '') items: a key not seen yet is marked seen and its
--     member queued; a folder's root counts as one of its folder's pages;
--   held: (dedupe key, host, rank, member) items parked in `held` (a key parked already keeps its entry);
--   hosts: host items, noted in `enqueue:hosts`.
-- Returns {queued, held}.
local function split(text, separator)
  local parts, start = {}, 1
  if text == '' then
    return parts
  end
  while true do
    local at = string.find(text, separator, start, true)
    if not at then
      parts[#parts + 1] = string.sub(text, start)
      return parts
    end
    parts[#parts + 1] = string.sub(text, start, at - 1)
    start = at + 1
  end
end
for _, item in ipairs(split(ARGV[2], '\r')) do
  local url_record = split(item, '\t')
  redis.call('HSET', p .. ':entries', url_record[1], url_record[2])
end
local queued = 0
for _, item in ipairs(split(ARGV[3], '\r')) do
  local seed = split(item, '\t')
  if redis.call('SADD', p .. ':seen', seed[1]) == 1 then
    push(seed[2], seed[3], seed[4])
    if seed[5] ~= '' then
      redis.call('HINCRBY', p .. ':folder_pages', seed[5], 1)
    end
    queued = queued + 1
  end
end
if queued > 0 then
  redis.call('HINCRBY', p .. ':stats', 'pushed', queued)
end
local held = 0
for _, item in ipairs(split(ARGV[4], '\r')) do
  local parked = split(item, '\t')
  held = held + redis.call('HSETNX', p .. ':held', parked[1], parked[2] .. '\t' .. parked[3] .. '\t' .. parked[4])
end
for _, host in ipairs(split(ARGV[5], '\r')) do
  redis.call('SADD', p .. ':enqueue:hosts', host)
end
return {queued, held}
