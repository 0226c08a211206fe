"""The shared frontier in Redis: per-host queues, host reservations, leases, dupefilter, worker liveness.

Every change that several workers race for is one Lua script, so it is atomic on the Redis server. Keys (all
under `sdg:<name>:`, one namespace per distributed run):

* `ready` (zset): host -> earliest time its next request may start; only hosts with queued requests.
* `q:<host>` (zset): queue members of one host; score = priority rank * 1e9 + push sequence (breadth-first,
  then first in first out).
* `next` (hash): host -> reserved start time of the host's next request (the schedule: who goes when).
* `last` (hash): host -> when its last request was let go (`claim`, just before sending: the actual gap);
  `pause` (hash): host -> no request before this time (Retry-After).
* `crawl_delay`, `backoff` (hashes): host -> seconds; the delay of a host is max(base, crawl delay, back-off).
* `tokens:<host>` (zset): requests in flight to the host (token -> expiry), at most the host's concurrency.
* `leases` (hash): target URL -> `worker \t host \t rank \t member` while a worker holds it (popped, until its
  record is committed); `worker_leases:<id>`, `worker_tokens:<id>` (sets): what each worker holds.
* `workers` (hash): id -> description; `alive:<id>`: a key with a short TTL that the worker's heartbeat renews.
  A worker whose `alive` key expired is dead: its leases go back to their queues, its tokens are dropped.
* `seen` (set): dedupe keys (crawler.scope.dedupe_key) admitted to the frontier: the shared dupefilter.
* `held` (hash): dedupe key -> parked member: registered pages inside a registered folder, released when the
  frontier is otherwise drained (as the single-process spider does at idle).
* `entries` (hash): registry URL -> scope and types (what a worker needs instead of the whole registry);
  `folder_pages` (hash), `limited` (set): per-folder page counts and the folders that hit their limit.
* `run` (hash): run id, state (`running`/`finished`), database, pace and crawl settings; `stats` (hash).

A queue member is `<target URL> \n <payload>` (crawler/distributed/members.py says what the payload is); the
URL before the newline is what the lease is keyed on. Times are the Redis server's clock (`TIME`), so workers
on several machines need no synchronised clocks: scripts return waits in seconds, relative to that clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import redis

DEFAULT_NAME = "sdg"
# Push sequence numbers stay below this, so a rank's scores never reach the next rank (1e9 pushes per run).
RANK_WIDTH = 1_000_000_000
# Lua scripts are sent as one call per batch of this many queue members (enqueue of a large registry).
PUSH_BATCH = 1000


class FrontierError(Exception):
    """Redis cannot be used for the shared frontier (unreachable, wrong URL). One line, for people."""


# -- Lua ------------------------------------------------------------------------------------------------------
# A common prelude: `push` adds a member to its host queue and makes the host ready (if it was not queued).
LUA_PRELUDE = """
local p = ARGV[1]
local function now_seconds()
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local function push(host, rank, member)
  local seq = redis.call('INCR', p .. ':seq')
  local score = tonumber(rank) * 1000000000 + seq
  redis.call('ZADD', p .. ':q:' .. host, string.format('%.0f', score), member)
  if not redis.call('ZSCORE', p .. ':ready', host) then
    redis.call('ZADD', p .. ':ready', redis.call('HGET', p .. ':next', host) or '0', host)
  end
  redis.call('HINCRBY', p .. ':stats', 'queued', 1)
end
local function split_lease(lease)
  local a = string.find(lease, '\\t', 1, true)
  local b = string.find(lease, '\\t', a + 1, true)
  local c = string.find(lease, '\\t', b + 1, true)
  return string.sub(lease, 1, a - 1), string.sub(lease, a + 1, b - 1), string.sub(lease, b + 1, c - 1),
    string.sub(lease, c + 1)
end
local function owner_of(lease)
  return string.sub(lease, 1, string.find(lease, '\\t', 1, true) - 1)
end
local function requeue_worker(worker)
  local requeued = 0
  for _, url in ipairs(redis.call('SMEMBERS', p .. ':worker_leases:' .. worker)) do
    local lease = redis.call('HGET', p .. ':leases', url)
    if lease and owner_of(lease) == worker then
      local _, host, rank, member = split_lease(lease)
      push(host, rank, member)
      redis.call('HDEL', p .. ':leases', url)
      requeued = requeued + 1
    end
  end
  redis.call('DEL', p .. ':worker_leases:' .. worker)
  for _, entry in ipairs(redis.call('SMEMBERS', p .. ':worker_tokens:' .. worker)) do
    local cut = string.find(entry, '\\t', 1, true)
    redis.call('ZREM', p .. ':tokens:' .. string.sub(entry, 1, cut - 1), string.sub(entry, cut + 1))
  end
  redis.call('DEL', p .. ':worker_tokens:' .. worker)
  redis.call('HDEL', p .. ':workers', worker)
  return requeued
end
local function reserve(host, worker, base_delay, token_ttl, now)
  local cd = tonumber(redis.call('HGET', p .. ':crawl_delay', host) or '0')
  local bo = tonumber(redis.call('HGET', p .. ':backoff', host) or '0')
  local delay = math.max(base_delay, cd, bo)
  local start = math.max(now, tonumber(redis.call('HGET', p .. ':next', host) or '0'))
  local following = start + delay
  redis.call('HSET', p .. ':next', host, string.format('%.6f', following))
  local token = worker .. '#' .. redis.call('INCR', p .. ':token_seq')
  redis.call('ZADD', p .. ':tokens:' .. host, string.format('%.6f', start + token_ttl), token)
  redis.call('SADD', p .. ':worker_tokens:' .. worker, host .. '\\t' .. token)
  return token, start, delay, following
end
local function adjust_backoff(host, kind, latency, base, maximum, minimum)
  local backoff = tonumber(redis.call('HGET', p .. ':backoff', host) or '0')
  local before = backoff
  if kind == 'widen' then
    local cd = tonumber(redis.call('HGET', p .. ':crawl_delay', host) or '0')
    backoff = math.min(maximum, math.max(minimum, math.max(base, cd, backoff) * 2))
  elseif kind == 'slow' then
    if latency > backoff then
      backoff = math.min(maximum, latency)
    end
  elseif backoff > 0 then
    local halved = backoff / 2
    if halved >= math.max(base, minimum) then
      backoff = halved
    else
      backoff = 0
    end
  end
  if backoff ~= before then
    if backoff > 0 then
      redis.call('HSET', p .. ':backoff', host, string.format('%.6f', backoff))
    else
      redis.call('HDEL', p .. ':backoff', host)
    end
  end
  return backoff
end
"""

# ARGV: prefix, then (host, rank, member) triples. Returns how many were pushed.
LUA_PUSH_MANY = (
    LUA_PRELUDE
    + """
local n = 0
for i = 2, #ARGV, 3 do
  push(ARGV[i], ARGV[i + 1], ARGV[i + 2])
  n = n + 1
end
redis.call('HINCRBY', p .. ':stats', 'pushed', n)
return n
"""
)

# ARGV: prefix, host, rank, member, lease URL ('' = none), worker. A worker that pushes a follow-up of a target
# it holds (retry, redirect, rendering) hands the lease over to the queue in the same step.
LUA_PUSH = (
    LUA_PRELUDE
    + """
push(ARGV[2], ARGV[3], ARGV[4])
redis.call('HINCRBY', p .. ':stats', 'pushed', 1)
local url = ARGV[5]
if url ~= '' then
  local lease = redis.call('HGET', p .. ':leases', url)
  if lease and owner_of(lease) == ARGV[6] then
    redis.call('HDEL', p .. ':leases', url)
  end
  redis.call('SREM', p .. ':worker_leases:' .. ARGV[6], url)
end
return 1
"""
)

# ARGV: prefix, worker, lookahead, token ttl, base delay, base concurrency, hosts to scan.
# Pops the next request of a host that may start within `lookahead` seconds and has a free concurrency token,
# reserves the host's start time (politeness slot) and leases the target to the worker.
# Returns {member, wait, token, host, start, delay, registry entry of a fresh target's scope, that scope's URL}
# (the last two '' for a follow-up),
# or {'', wait} when no host is ready, or {} when the queue is empty.
LUA_POP = (
    LUA_PRELUDE
    + """
local worker = ARGV[2]
local lookahead = tonumber(ARGV[3])
local token_ttl = tonumber(ARGV[4])
local base_delay = tonumber(ARGV[5])
local base_concurrency = tonumber(ARGV[6])
local now = now_seconds()
local ready = p .. ':ready'
local hosts = redis.call('ZRANGEBYSCORE', ready, '-inf', string.format('%.6f', now + lookahead),
  'LIMIT', 0, tonumber(ARGV[7]))
for _, host in ipairs(hosts) do
  local queue = p .. ':q:' .. host
  local tokens = p .. ':tokens:' .. host
  redis.call('ZREMRANGEBYSCORE', tokens, '-inf', string.format('%.6f', now))
  local concurrency = base_concurrency
  if tonumber(redis.call('HGET', p .. ':crawl_delay', host) or '0') > 0 then
    concurrency = 1
  end
  if redis.call('ZCARD', tokens) < concurrency then
    local item = redis.call('ZRANGE', queue, 0, 0, 'WITHSCORES')
    if #item == 0 then
      redis.call('ZREM', ready, host)
    else
      local member = item[1]
      local rank = math.floor(tonumber(item[2]) / 1000000000)
      redis.call('ZREM', queue, member)
      local token, start, delay, following = reserve(host, worker, base_delay, token_ttl, now)
      if redis.call('ZCARD', queue) > 0 then
        redis.call('ZADD', ready, string.format('%.6f', following), host)
      else
        redis.call('ZREM', ready, host)
      end
      local cut = string.find(member, '\\n', 1, true)
      local url = string.sub(member, 1, cut - 1)
      redis.call('HSET', p .. ':leases', url,
        worker .. '\\t' .. host .. '\\t' .. string.format('%.0f', rank) .. '\\t' .. member)
      redis.call('SADD', p .. ':worker_leases:' .. worker, url)
      redis.call('HINCRBY', p .. ':stats', 'queued', -1)
      redis.call('HINCRBY', p .. ':stats', 'popped', 1)
      -- A fresh target's registry entry (its scope) travels along: one round trip less per request.
      local entry = ''
      local scope = ''
      local payload = string.sub(member, cut + 1)
      if string.sub(payload, 1, 1) == 'T' then
        local readable, fields = pcall(cjson.decode, string.sub(payload, 2))  -- damaged: the worker says so
        if readable and type(fields) == 'table' then
          scope = fields['s']
          if scope == '=' then
            scope = url
          end
        end
        if type(scope) == 'string' and scope ~= '' then
          entry = redis.call('HGET', p .. ':entries', scope) or ''
        else
          scope = ''
        end
      end
      return {member, string.format('%.6f', start - now), token, host, string.format('%.6f', start),
        string.format('%.6f', delay), entry, scope}
    end
  end
end
local first = redis.call('ZRANGE', ready, 0, 0, 'WITHSCORES')
if #first == 0 then
  return {}
end
return {'', string.format('%.6f', math.max(0, tonumber(first[2]) - now - lookahead))}
"""
)

# ARGV: prefix, worker, host, base delay, token ttl. A politeness slot for a request that is not in the shared
# queue (kept by its worker because it cannot be serialised). Returns {wait, token, start, delay}.
LUA_RESERVE = (
    LUA_PRELUDE
    + """
local now = now_seconds()
local token, start, delay = reserve(ARGV[3], ARGV[2], tonumber(ARGV[4]), tonumber(ARGV[5]), now)
return {string.format('%.6f', start - now), token, string.format('%.6f', start), string.format('%.6f', delay)}
"""
)

# ARGV: prefix, host, start, delay. A reserved slot that was never used (the request ended before it was sent,
# e.g. robots.txt forbids it) is given back if no later reservation was made on top of it.
LUA_REFUND = (
    LUA_PRELUDE
    + """
local host = ARGV[2]
local following = tonumber(ARGV[3]) + tonumber(ARGV[4])
local reserved = tonumber(redis.call('HGET', p .. ':next', host) or '0')
if math.abs(reserved - following) > 0.000001 then
  return 0
end
redis.call('HSET', p .. ':next', host, ARGV[3])
if redis.call('ZSCORE', p .. ':ready', host) then
  redis.call('ZADD', p .. ':ready', ARGV[3], host)
end
return 1
"""
)

# ARGV: prefix, host, delay. The last gate before a request is sent: its host's previous request left at
# least `delay` (or the host's crawl delay or back-off, if longer) ago and no pause is on. Returns 0 (go: the
# host's last start is now) or the seconds to wait before asking again. Reservations (`pop`) schedule who
# goes when; this makes the gap hold even when a worker is late for its slot (a busy process, a slow hop).
LUA_CLAIM = (
    LUA_PRELUDE
    + """
local host = ARGV[2]
local now = now_seconds()
local cd = tonumber(redis.call('HGET', p .. ':crawl_delay', host) or '0')
local bo = tonumber(redis.call('HGET', p .. ':backoff', host) or '0')
local gap = math.max(tonumber(ARGV[3]), cd, bo)
local allowed = math.max(tonumber(redis.call('HGET', p .. ':last', host) or '0') + gap,
  tonumber(redis.call('HGET', p .. ':pause', host) or '0'))
if now < allowed then
  return string.format('%.6f', allowed - now)
end
redis.call('HSET', p .. ':last', host, string.format('%.6f', now))
return '0'
"""
)

# ARGV: prefix, host, seconds. No request to the host starts before now + seconds (Retry-After).
LUA_PAUSE = (
    LUA_PRELUDE
    + """
local host = ARGV[2]
local until_time = now_seconds() + tonumber(ARGV[3])
if until_time > tonumber(redis.call('HGET', p .. ':pause', host) or '0') then
  redis.call('HSET', p .. ':pause', host, string.format('%.6f', until_time))
end
local reserved = tonumber(redis.call('HGET', p .. ':next', host) or '0')
if until_time > reserved then
  redis.call('HSET', p .. ':next', host, string.format('%.6f', until_time))
  if redis.call('ZSCORE', p .. ':ready', host) then
    redis.call('ZADD', p .. ':ready', string.format('%.6f', until_time), host)
  end
end
return 1
"""
)

# ARGV: prefix, host, kind (widen | slow | ok), latency, base delay, back-off maximum, minimum back-off.
# The adaptive back-off of crawler/middlewares/politeness.py, shared: returns the host's back-off afterwards.
LUA_BACKOFF = (
    LUA_PRELUDE
    + """
return string.format('%.6f', adjust_backoff(ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]),
  tonumber(ARGV[6]), tonumber(ARGV[7])))
"""
)

# ARGV: prefix, worker, host, token, kind (widen | slow | ok | none), latency, base delay, back-off maximum,
# minimum back-off. A request is over: its concurrency token goes back and the host's back-off is adjusted,
# in one round trip. Returns the host's back-off afterwards.
LUA_FINISH = (
    LUA_PRELUDE
    + """
local host = ARGV[3]
redis.call('ZREM', p .. ':tokens:' .. host, ARGV[4])
redis.call('SREM', p .. ':worker_tokens:' .. ARGV[2], host .. '\\t' .. ARGV[4])
if ARGV[5] == 'none' then
  return string.format('%.6f', tonumber(redis.call('HGET', p .. ':backoff', host) or '0'))
end
return string.format('%.6f', adjust_backoff(host, ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]),
  tonumber(ARGV[8]), tonumber(ARGV[9])))
"""
)

# ARGV: prefix, worker, committed (1/0), URLs... Gives up the worker's leases of these targets.
LUA_RELEASE = (
    LUA_PRELUDE
    + """
local worker = ARGV[2]
local released = 0
for i = 4, #ARGV do
  local url = ARGV[i]
  local lease = redis.call('HGET', p .. ':leases', url)
  if lease and owner_of(lease) == worker then
    redis.call('HDEL', p .. ':leases', url)
    released = released + 1
  end
  redis.call('SREM', p .. ':worker_leases:' .. worker, url)
end
if ARGV[3] == '1' then
  redis.call('HINCRBY', p .. ':stats', 'pages', #ARGV - 3)
else
  redis.call('HINCRBY', p .. ':stats', 'unrecorded', #ARGV - 3)
end
return released
"""
)

# ARGV: prefix, leaving worker ('' = none). Requeues the leases of dead workers (no `alive` key) and of the
# leaving worker; when nobody is left and nothing is queued, leased or held, marks the run finished and says
# so (1) to exactly one caller. Returns {requeued, dead workers, finished}.
LUA_RECOVER = (
    LUA_PRELUDE
    + """
local leaving = ARGV[2]
local requeued = 0
local dead = 0
for _, worker in ipairs(redis.call('HKEYS', p .. ':workers')) do
  if worker == leaving then
    requeued = requeued + requeue_worker(worker)
    redis.call('DEL', p .. ':alive:' .. worker)
  elseif redis.call('EXISTS', p .. ':alive:' .. worker) == 0 then
    requeued = requeued + requeue_worker(worker)
    dead = dead + 1
  end
end
if requeued > 0 then
  redis.call('HINCRBY', p .. ':stats', 'requeued', requeued)
end
if dead > 0 then
  redis.call('HINCRBY', p .. ':stats', 'workers_lost', dead)
end
local finished = 0
if leaving ~= '' and redis.call('HLEN', p .. ':workers') == 0 and redis.call('ZCARD', p .. ':ready') == 0
    and redis.call('HLEN', p .. ':leases') == 0 and redis.call('HLEN', p .. ':held') == 0
    and redis.call('HGET', p .. ':run', 'state') == 'running' then
  redis.call('HSET', p .. ':run', 'state', 'finished', 'finished_by', leaving)
  finished = 1
end
return {requeued, dead, finished}
"""
)

# ARGV: prefix. Moves every held member into its queue unless its key was admitted meanwhile (the folder
# crawl reached the page). Returns how many were queued.
LUA_RELEASE_HELD = (
    LUA_PRELUDE
    + """
local all = redis.call('HGETALL', p .. ':held')
local queued = 0
for i = 1, #all, 2 do
  if redis.call('SADD', p .. ':seen', all[i]) == 1 then
    local cut = string.find(all[i + 1], '\\t', 1, true)
    local rest = string.sub(all[i + 1], cut + 1)
    local cut2 = string.find(rest, '\\t', 1, true)
    push(string.sub(all[i + 1], 1, cut - 1), string.sub(rest, 1, cut2 - 1), string.sub(rest, cut2 + 1))
    queued = queued + 1
  end
end
redis.call('DEL', p .. ':held')
redis.call('HINCRBY', p .. ':stats', 'pushed', queued)
return queued
"""
)

# ARGV: prefix, key. Takes one held member out (the folder crawl reached the registered page).
LUA_TAKE_HELD = """
local key = ARGV[1] .. ':held'
local value = redis.call('HGET', key, ARGV[2])
if value then
  redis.call('HDEL', key, ARGV[2])
end
return value
"""


# -- results --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reservation:
    """A host's politeness slot held by one request: start no earlier than `wait` seconds after the pop."""

    host: str
    token: str
    start: float  # Redis server time
    delay: float  # the host's delay when reserved (for a refund)
    wait: float


@dataclass(frozen=True, slots=True)
class Popped:
    member: bytes
    reservation: Reservation
    entry: dict[str, Any] | None = None  # the registry index record of a fresh target's scope
    scope_url: str | None = None


@dataclass(frozen=True, slots=True)
class NothingReady:
    """No host may start within the lookahead; `wait` seconds until one may (None: the queue is empty)."""

    wait: float | None


@dataclass(frozen=True, slots=True)
class FrontierState:
    queued: int
    leased: int
    held: int
    workers: int
    run: dict[str, str]
    stats: dict[str, int]

    @property
    def drained(self) -> bool:
        """Nothing queued, nothing in flight anywhere, nothing held back: the crawl is complete."""
        return self.queued == 0 and self.leased == 0 and self.held == 0


def text(value: bytes | str | None) -> str | None:
    if value is None:
        return None
    return value.decode("utf-8") if isinstance(value, bytes) else value


class SharedFrontier:
    """The Redis side of a distributed run `name` (all keys under `sdg:<name>:`)."""

    def __init__(self, client: redis.Redis, name: str = DEFAULT_NAME) -> None:
        self.client = client
        self.name = name
        self.prefix = f"sdg:{name}"
        self._push = client.register_script(LUA_PUSH)
        self._push_many = client.register_script(LUA_PUSH_MANY)
        self._pop = client.register_script(LUA_POP)
        self._reserve = client.register_script(LUA_RESERVE)
        self._refund = client.register_script(LUA_REFUND)
        self._claim = client.register_script(LUA_CLAIM)
        self._pause = client.register_script(LUA_PAUSE)
        self._backoff = client.register_script(LUA_BACKOFF)
        self._finish = client.register_script(LUA_FINISH)
        self._release = client.register_script(LUA_RELEASE)
        self._recover = client.register_script(LUA_RECOVER)
        self._release_held = client.register_script(LUA_RELEASE_HELD)
        self._take_held = client.register_script(LUA_TAKE_HELD)

    @classmethod
    def connect(cls, url: str, name: str = DEFAULT_NAME) -> SharedFrontier:
        """Connect and check the server answers; FrontierError (one line) when it does not."""
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=10, socket_timeout=60)
        except ValueError as exc:
            raise FrontierError(
                f"'{url}' is not a Redis URL ({exc}); use redis://host:6379/0 (or unix:///path/redis.sock)"
            ) from None
        try:
            client.ping()
        except redis.RedisError as exc:
            raise FrontierError(
                f"cannot reach Redis at {display_url(url)}: {exc}; start it (docs/distributed.md) or fix --redis"
            ) from None
        return cls(client, name)

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # -- run ------------------------------------------------------------------------------------------------

    def run_info(self) -> dict[str, str]:
        """The run hash (empty when no run was enqueued under this name)."""
        raw = self.client.hgetall(self.key("run"))
        return {text(name) or "": text(value) or "" for name, value in raw.items()}

    def run_config(self) -> dict[str, Any]:
        """The crawl settings and pace the run was enqueued with (JSON in the run hash)."""
        info = self.run_info()
        return json.loads(info["config"]) if info.get("config") else {}

    def open_run(self, run_id: int, *, database: str, config: Mapping[str, Any], created_at: str) -> None:
        """Make the run visible to workers (last step of enqueueing)."""
        self.client.hset(
            self.key("run"),
            mapping={
                "run_id": str(run_id),
                "state": "running",
                "database": database,
                "config": json.dumps(config, sort_keys=True),
                "created_at": created_at,
            },
        )

    def reset(self) -> int:
        """Delete every key of this run name; returns how many."""
        deleted = 0
        batch: list[bytes] = []
        for key in self.client.scan_iter(match=f"{self.prefix}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                deleted += self.client.unlink(*batch)
                batch = []
        if batch:
            deleted += self.client.unlink(*batch)
        return deleted

    def state(self) -> FrontierState:
        pipe = self.client.pipeline(transaction=True)
        pipe.hgetall(self.key("stats"))
        pipe.hlen(self.key("leases"))
        pipe.hlen(self.key("held"))
        pipe.hkeys(self.key("workers"))
        pipe.hgetall(self.key("run"))
        stats_raw, leased, held, workers, run_raw = pipe.execute()
        stats = {text(name) or "": int(value) for name, value in stats_raw.items()}
        alive = 0
        if workers:
            check = self.client.pipeline(transaction=False)
            for worker in workers:
                check.exists(self.key("alive", text(worker) or ""))
            alive = sum(check.execute())
        return FrontierState(
            queued=stats.get("queued", 0),
            leased=leased,
            held=held,
            workers=alive,
            run={text(name) or "": text(value) or "" for name, value in run_raw.items()},
            stats=stats,
        )

    def queued(self) -> int:
        return int(self.client.hget(self.key("stats"), "queued") or 0)

    def increment(self, field: str, amount: int = 1) -> None:
        self.client.hincrby(self.key("stats"), field, amount)

    # -- queue ----------------------------------------------------------------------------------------------

    def push(self, host: str, rank: int, member: bytes, *, lease_url: str = "", worker: str = "") -> None:
        """Queue one member; `lease_url` held by `worker` is released in the same step (a follow-up request)."""
        self._push(args=[self.prefix, host, rank, member, lease_url, worker])

    def push_many(self, items: Iterable[tuple[str, int, bytes]]) -> int:
        """Queue (host, rank, member) triples in batches; returns how many."""
        pushed = 0
        batch: list[Any] = []
        for host, rank, member in items:
            batch.extend((host, rank, member))
            if len(batch) >= 3 * PUSH_BATCH:
                pushed += self._push_many(args=[self.prefix, *batch])
                batch = []
        if batch:
            pushed += self._push_many(args=[self.prefix, *batch])
        return pushed

    def pop(
        self,
        worker: str,
        *,
        lookahead: float,
        token_ttl: float,
        delay: float,
        concurrency: int,
        scan: int = 64,
    ) -> Popped | NothingReady:
        """The next request of a ready host, its politeness slot reserved and its target leased to `worker`."""
        reply = self._pop(args=[self.prefix, worker, lookahead, token_ttl, delay, concurrency, scan])
        if not reply:
            return NothingReady(None)
        if not reply[0]:
            return NothingReady(float(reply[1]))
        member, wait, token, host, start, slot_delay, entry, scope_url = reply
        return Popped(
            member,
            Reservation(
                host=text(host) or "",
                token=text(token) or "",
                start=float(start),
                delay=float(slot_delay),
                wait=float(wait),
            ),
            json.loads(entry) if entry else None,
            text(scope_url) or None,
        )

    def reserve(self, worker: str, host: str, *, delay: float, token_ttl: float) -> Reservation:
        """A politeness slot for a request that is not in the shared queue."""
        wait, token, start, slot_delay = self._reserve(args=[self.prefix, worker, host, delay, token_ttl])
        return Reservation(
            host=host, token=text(token) or "", start=float(start), delay=float(slot_delay), wait=float(wait)
        )

    def refund(self, reservation: Reservation) -> bool:
        """Give an unused slot back (only if it is still the host's latest reservation)."""
        return bool(
            self._refund(args=[self.prefix, reservation.host, f"{reservation.start:.6f}", reservation.delay])
        )

    def release_token(self, worker: str, reservation: Reservation) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.zrem(self.key("tokens", reservation.host), reservation.token)
        pipe.srem(self.key("worker_tokens", worker), f"{reservation.host}\t{reservation.token}")
        pipe.execute()

    def release_leases(self, worker: str, urls: Iterable[str], *, committed: bool = True) -> int:
        """Give up the worker's leases of these targets (their records are committed, or they are lost)."""
        released = 0
        batch = list(urls)
        for start in range(0, len(batch), PUSH_BATCH):
            chunk = batch[start : start + PUSH_BATCH]
            released += self._release(args=[self.prefix, worker, "1" if committed else "0", *chunk])
        return released

    # -- workers --------------------------------------------------------------------------------------------

    def register_worker(self, worker: str, description: Mapping[str, Any], *, ttl: float) -> None:
        self.client.hset(self.key("workers"), worker, json.dumps(dict(description), sort_keys=True))
        self.heartbeat(worker, ttl=ttl)

    def heartbeat(self, worker: str, *, ttl: float) -> None:
        self.client.set(self.key("alive", worker), b"1", px=max(1, int(ttl * 1000)))

    def recover(self) -> tuple[int, int]:
        """Requeue the leases of dead workers; returns (requeued leases, dead workers)."""
        requeued, dead, _ = self._recover(args=[self.prefix, ""])
        return int(requeued), int(dead)

    def leave(self, worker: str) -> tuple[int, bool]:
        """Deregister `worker`, requeueing what it still holds; True when it closed the run (the last one)."""
        requeued, _, finished = self._recover(args=[self.prefix, worker])
        return int(requeued), bool(finished)

    # -- dupefilter, held-back pages, registry index, folder limits --------------------------------------------

    def admit(self, key: str) -> bool:
        """Atomically mark a dedupe key seen; True when it was new (the caller queues the URL)."""
        return bool(self.client.sadd(self.key("seen"), key))

    def admit_many(self, keys: list[str]) -> list[bool]:
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.sadd(self.key("seen"), key)
        return [bool(added) for added in pipe.execute()]

    def is_seen(self, key: str) -> bool:
        return bool(self.client.sismember(self.key("seen"), key))

    def hold_many(self, items: Iterable[tuple[str, str, int, bytes]]) -> int:
        """Park (dedupe key, host, rank, member) entries until the frontier drains."""
        held = 0
        pipe = self.client.pipeline(transaction=False)
        for key, host, rank, member in items:
            pipe.hset(self.key("held"), key, host.encode() + b"\t" + str(rank).encode() + b"\t" + member)
            held += 1
            if held % PUSH_BATCH == 0:
                pipe.execute()
        pipe.execute()
        return held

    def take_held(self, key: str) -> bytes | None:
        """Remove a parked entry (its page was reached by a folder crawl); its member, or None."""
        value = self._take_held(args=[self.prefix, key])
        if value is None:
            return None
        return value.split(b"\t", 2)[2]

    def release_held(self) -> int:
        return int(self._release_held(args=[self.prefix]))

    def put_entries(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        """Registry URL -> what a worker needs of the entry (scope and types), in batches."""
        items = list(records.items())
        for start in range(0, len(items), PUSH_BATCH * 5):
            chunk = items[start : start + PUSH_BATCH * 5]
            self.client.hset(
                self.key("entries"),
                mapping={url: json.dumps(record, separators=(",", ":")) for url, record in chunk},
            )

    def entry(self, url: str) -> dict[str, Any] | None:
        raw = self.client.hget(self.key("entries"), url)
        return json.loads(raw) if raw is not None else None

    def folder_pages(self, folder_url: str) -> int:
        return int(self.client.hget(self.key("folder_pages"), folder_url) or 0)

    def count_folder_page(self, folder_url: str, amount: int = 1) -> int:
        return int(self.client.hincrby(self.key("folder_pages"), folder_url, amount))

    def mark_limited(self, folder_url: str) -> None:
        self.client.sadd(self.key("limited"), folder_url)

    def is_limited(self, folder_url: str) -> bool:
        return bool(self.client.sismember(self.key("limited"), folder_url))

    # -- politeness -----------------------------------------------------------------------------------------

    def set_crawl_delay(self, host: str, seconds: float) -> None:
        self.client.hset(self.key("crawl_delay"), host, f"{seconds:.6f}")

    def claim(self, host: str, *, delay: float) -> float:
        """Let a request to `host` go now (0.0) if its gap and pauses allow, else the seconds to wait."""
        return float(self._claim(args=[self.prefix, host, delay]))

    def pause(self, host: str, seconds: float) -> None:
        self._pause(args=[self.prefix, host, seconds])

    def adjust_backoff(
        self, host: str, kind: str, *, latency: float = 0.0, delay: float, maximum: float, minimum: float
    ) -> float:
        return float(self._backoff(args=[self.prefix, host, kind, latency, delay, maximum, minimum]))

    def finish(
        self,
        worker: str,
        reservation: Reservation,
        kind: str,
        *,
        latency: float = 0.0,
        delay: float,
        maximum: float,
        minimum: float,
    ) -> float:
        """A request is over: its token goes back, the host's back-off is adjusted (`kind`, or 'none')."""
        return float(
            self._finish(
                args=[
                    self.prefix,
                    worker,
                    reservation.host,
                    reservation.token,
                    kind,
                    latency,
                    delay,
                    maximum,
                    minimum,
                ]
            )
        )

    def host_delays(self) -> dict[str, float]:
        """The hosts' current reserved next start times (for status output and tests)."""
        return {
            text(host) or "": float(value) for host, value in self.client.hgetall(self.key("next")).items()
        }

    def server_time(self) -> float:
        seconds, micros = self.client.time()
        return seconds + micros / 1_000_000

    def iter_queue(self, host: str) -> Iterator[bytes]:
        """The queued members of one host, in pop order (tests and status)."""
        yield from self.client.zrange(self.key("q", host), 0, -1)


def display_url(url: str) -> str:
    """A Redis URL without its password, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return url
