-- ARGV: prefix, host, kind (widen | slow | ok), latency, base delay, back-off maximum, minimum back-off.
-- The adaptive back-off of crawler/middlewares/politeness.py, shared: returns the host's back-off afterwards.
return string.format('%.6f', adjust_backoff(ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]),
  tonumber(ARGV[6]), tonumber(ARGV[7])))
