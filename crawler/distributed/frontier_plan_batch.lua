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
-- Redis calls are the cost here (a million rows per enqueue): values go in bulk calls of at most CHUNK items
-- (unpack's limit), the seen-check of a batch's keys is one SMISMEMBER per chunk, and each host gets one ZADD
-- and one ready-check per batch.
local CHUNK = 1000
local function bulk(command, key, values)
  for first = 1, #values, CHUNK do
    redis.call(command, key, unpack(values, first, math.min(first + CHUNK - 1, #values)))
  end
end
local pairs_of_entries = {}
for _, item in ipairs(split(ARGV[2], '\r')) do
  local cut = string.find(item, '\t', 1, true)
  pairs_of_entries[#pairs_of_entries + 1] = string.sub(item, 1, cut - 1)
  pairs_of_entries[#pairs_of_entries + 1] = string.sub(item, cut + 1)
end
bulk('HSET', p .. ':entries', pairs_of_entries)
local seeds = {}
local keys = {}
for _, item in ipairs(split(ARGV[3], '\r')) do
  local seed = split(item, '\t')
  seeds[#seeds + 1] = seed
  keys[#keys + 1] = seed[1]
end
local seen = {}
for first = 1, #keys, CHUNK do
  local last = math.min(first + CHUNK - 1, #keys)
  local found = redis.call('SMISMEMBER', p .. ':seen', unpack(keys, first, last))
  for index = first, last do
    if found[index - first + 1] == 1 then
      seen[keys[index]] = true
    end
  end
end
local admitted = {}
for _, seed in ipairs(seeds) do
  if not seen[seed[1]] then
    seen[seed[1]] = true
    admitted[#admitted + 1] = seed
  end
end
local queued = #admitted
if queued > 0 then
  local new_keys = {}
  for index, seed in ipairs(admitted) do
    new_keys[index] = seed[1]
  end
  bulk('SADD', p .. ':seen', new_keys)
  -- push() for each admitted seed, in order: the same sequence numbers, one ZADD per host.
  local seq = redis.call('INCRBY', p .. ':seq', queued) - queued
  local by_host = {}
  local hosts_in_order = {}
  for _, seed in ipairs(admitted) do
    seq = seq + 1
    local host = seed[2]
    local members = by_host[host]
    if not members then
      members = {}
      by_host[host] = members
      hosts_in_order[#hosts_in_order + 1] = host
    end
    members[#members + 1] = string.format('%.0f', tonumber(seed[3]) * 1000000000 + seq)
    members[#members + 1] = seed[4]
    if seed[5] ~= '' then
      redis.call('HINCRBY', p .. ':folder_pages', seed[5], 1)
    end
  end
  for _, host in ipairs(hosts_in_order) do
    bulk('ZADD', p .. ':q:' .. host, by_host[host])
    if not redis.call('ZSCORE', p .. ':ready', host) then
      redis.call('ZADD', p .. ':ready', redis.call('HGET', p .. ':next', host) or '0', host)
    end
  end
  redis.call('HINCRBY', p .. ':stats', 'queued', queued)
  redis.call('HINCRBY', p .. ':stats', 'pushed', queued)
end
local held = 0
for _, item in ipairs(split(ARGV[4], '\r')) do
  local parked = split(item, '\t')
  held = held + redis.call('HSETNX', p .. ':held', parked[1], parked[2] .. '\t' .. parked[3] .. '\t' .. parked[4])
end
bulk('SADD', p .. ':enqueue:hosts', split(ARGV[5], '\r'))
return {queued, held}
