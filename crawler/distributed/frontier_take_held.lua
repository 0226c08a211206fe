-- ARGV: prefix, key. Takes one held member out (the folder crawl reached the registered page).
local key = ARGV[1] .. ':held'
local value = redis.call('HGET', key, ARGV[2])
if value then
  redis.call('HDEL', key, ARGV[2])
end
return value
