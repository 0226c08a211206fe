-- ARGV: prefix, host, delay, holder, hold seconds. The last gate before a request is sent. It may go (returns 0)
-- only when no other request of the host is between its claim and its send (`hold`), the host's previous
-- request reached the network at least the host's delay (or its crawl delay or back-off, if longer) ago (`last`,
-- written by sent.lua after that send) and no pause is on. The host is then held for `holder` until sent.lua
-- lets it go, or `hold seconds` at most: a holder that died said nothing, and a live one does not send after its
-- hold ran out (it claims again), so its request left before the expiry, which then counts as the last start.
-- Otherwise returns the seconds to wait before asking again. Reservations (`pop`) schedule who goes when; this
-- makes the gap hold on the wire even when a worker is late for its slot (a busy process, a slow hop).
local host = ARGV[2]
local holder = ARGV[4]
local now = now_seconds()
local cd = tonumber(redis.call('HGET', p .. ':crawl_delay', host) or '0')
local bo = tonumber(redis.call('HGET', p .. ':backoff', host) or '0')
local gap = math.max(tonumber(ARGV[3]), cd, bo)
local last = tonumber(redis.call('HGET', p .. ':last', host) or '0')
local hold = redis.call('HGET', p .. ':hold', host)
if hold then
  local cut = string.find(hold, '\t', 1, true)
  local expiry = tonumber(string.sub(hold, cut + 1))
  if now < expiry and string.sub(hold, 1, cut - 1) ~= holder then
    return string.format('%.6f', gap)  -- the holder's request leaves any moment; the next one a gap later
  end
  if now >= expiry and expiry > last then
    last = expiry
    redis.call('HSET', p .. ':last', host, string.format('%.6f', last))
  end
  redis.call('HDEL', p .. ':hold', host)
end
local allowed = math.max(last + gap, tonumber(redis.call('HGET', p .. ':pause', host) or '0'))
if now < allowed then
  return string.format('%.6f', allowed - now)
end
redis.call('HSET', p .. ':hold', host, holder .. '\t' .. string.format('%.6f', now + tonumber(ARGV[5])))
return '0'
