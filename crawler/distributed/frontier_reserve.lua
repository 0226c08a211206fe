-- ARGV: prefix, worker, host, base delay, token ttl. A politeness slot for a request that is not in the shared
-- queue (kept by its worker because it cannot be serialised). Returns {wait, token, start, delay}.
local now = now_seconds()
local token, start, delay = reserve(ARGV[3], ARGV[2], tonumber(ARGV[4]), tonumber(ARGV[5]), now)
return {string.format('%.6f', start - now), token, string.format('%.6f', start), string.format('%.6f', delay)}
