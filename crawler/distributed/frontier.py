"""The shared frontier in Redis: per-host queues, host reservations, leases, dupefilter, worker liveness.

Every change that several workers race for is one Lua script, so it is atomic on the Redis server. Keys (all
under `sdg:<name>:`, one namespace per distributed run):

* `ready` (zset): host -> earliest time its next request may start; only hosts with queued requests.
* `q:<host>` (zset): queue members of one host; score = priority rank * 1e9 + push sequence (breadth-first,
  then first in first out).
* `next` (hash): host -> reserved start time of the host's next request (the schedule: who goes when).
* `last` (hash): host -> when its last request reached the network (written after the send: the actual gap);
  `hold` (hash): host -> `holder \t expiry` while a claimed request is on its way to the network (the next one
  waits for its send); `pause` (hash): host -> no request before this time (Retry-After).
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
* `enqueue:rows` (hash): registry URL -> its first row, `enqueue:hosts` (set): the planned hosts; kept only
  while `sdg-tags enqueue` streams a registry in (its duplicate check and host count), deleted before the run
  opens.
* `run` (hash): run id, state (`running`/`finished`), database, pace and crawl settings; `stats` (hash).

A queue member is `<target URL> \n <payload>` (crawler/distributed/members.py says what the payload is); the
URL before the newline is what the lease is keyed on. Times are the Redis server's clock (`TIME`), so workers
on several machines need no synchronised clocks: scripts return waits in seconds, relative to that clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
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
# The scripts are the frontier_*.lua files next to this module (package data), read once at import. Each says
# its ARGV and what it returns; all but take_held start with the common prelude (helpers: push, reserve, ...).
SCRIPT_NAMES = (
    "push",
    "push_many",
    "pop",
    "reserve",
    "refund",
    "claim",
    "sent",
    "pause",
    "backoff",
    "finish",
    "release",
    "recover",
    "release_held",
    "take_held",
    "plan_batch",
    "first_rows",
)
WITHOUT_PRELUDE = frozenset({"take_held", "first_rows"})
# Keys only `sdg-tags enqueue` uses while it streams a registry in.
ENQUEUE_KEYS = ("enqueue:rows", "enqueue:hosts")


def lua_source(name: str) -> str:
    return resources.files(__package__).joinpath(f"frontier_{name}.lua").read_text(encoding="utf-8")


def load_scripts() -> dict[str, str]:
    prelude = lua_source("prelude")
    return {name: ("" if name in WITHOUT_PRELUDE else prelude) + lua_source(name) for name in SCRIPT_NAMES}


SCRIPTS = load_scripts()


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
class WorkerView:
    """A registered worker as Redis sees it: how long since its last heartbeat, how long until its `alive` key
    expires (then the next heartbeat of a live worker requeues its leases), and how many targets it holds."""

    worker: str
    lease_ttl: float | None  # its --lease-ttl (None: registered by an older version)
    expires_in: float  # seconds; 0 when the key is gone already
    leases: int

    @property
    def silent_for(self) -> float | None:
        return None if self.lease_ttl is None else max(0.0, self.lease_ttl - self.expires_in)

    @property
    def silent(self) -> bool:
        """No heartbeat for over half its lease time (a live worker renews it every third)."""
        return self.lease_ttl is not None and (self.silent_for or 0.0) > self.lease_ttl / 2


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
        self.scripts = {name: client.register_script(source) for name, source in SCRIPTS.items()}
        self._push = self.scripts["push"]
        self._push_many = self.scripts["push_many"]
        self._pop = self.scripts["pop"]
        self._reserve = self.scripts["reserve"]
        self._refund = self.scripts["refund"]
        self._claim = self.scripts["claim"]
        self._sent = self.scripts["sent"]
        self._pause = self.scripts["pause"]
        self._backoff = self.scripts["backoff"]
        self._finish = self.scripts["finish"]
        self._release = self.scripts["release"]
        self._recover = self.scripts["recover"]
        self._release_held = self.scripts["release_held"]
        self._take_held = self.scripts["take_held"]
        self._plan_batch = self.scripts["plan_batch"]
        self._first_rows = self.scripts["first_rows"]

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
        except redis.AuthenticationError as exc:
            given = (
                "the password in the URL was refused"
                if client.get_connection_kwargs().get("password")
                else "it requires a password"
            )
            raise FrontierError(
                f"Redis at {display_url(url)} did not accept the connection: {given} ({exc}); "
                "give it in the URL: redis://:PASSWORD@host:6379/0 (docs/distributed.md)"
            ) from None
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

    def workers(self) -> list[WorkerView]:
        """Every registered worker with its heartbeat's age and the leases it holds."""
        registered = self.client.hgetall(self.key("workers"))
        if not registered:
            return []
        ids = sorted(text(worker) or "" for worker in registered)
        pipe = self.client.pipeline(transaction=False)
        for worker in ids:
            pipe.pttl(self.key("alive", worker))
            pipe.scard(self.key("worker_leases", worker))
        replies = pipe.execute()
        views = []
        for index, worker in enumerate(ids):
            description = json.loads(registered.get(worker.encode(), registered.get(worker, b"{}")) or "{}")
            ttl = description.get("lease_ttl")
            remaining = max(0, int(replies[2 * index])) / 1000
            views.append(
                WorkerView(worker, float(ttl) if ttl else None, remaining, int(replies[2 * index + 1]))
            )
        return views

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

    def plan_batch(
        self,
        entries: Sequence[tuple[str, bytes]],
        seeds: Sequence[tuple[str, str, int, bytes, str]],
        held: Sequence[tuple[str, str, int, bytes]],
        hosts: Iterable[str],
    ) -> tuple[int, int]:
        """One batch of a streamed registry in one call (frontier_plan_batch.lua): registry index records
        (URL, JSON), seeds (dedupe key, host, rank, member, folder URL or "") admitted and queued, held-back
        pages (dedupe key, host, rank, member) parked, hosts noted. Returns (queued, parked now).

        Each list goes as one argument, fields joined by tab and items by carriage return (what redis-py would
        otherwise encode argument by argument is most of the cost of a million-URL enqueue); registry URLs
        hold neither (an address with white space is an invalid row), JSON escapes both."""
        queued, parked = self._plan_batch(
            args=[
                self.prefix,
                b"\r".join(url.encode() + b"\t" + record for url, record in entries),
                b"\r".join(
                    b"\t".join((key.encode(), host.encode(), str(rank).encode(), member, folder.encode()))
                    for key, host, rank, member, folder in seeds
                ),
                b"\r".join(
                    b"\t".join((key.encode(), host.encode(), str(rank).encode(), member))
                    for key, host, rank, member in held
                ),
                "\r".join(hosts),
            ]
        )
        return int(queued), int(parked)

    def hold_many(self, items: Iterable[tuple[str, str, int, bytes]]) -> int:
        """Park (dedupe key, host, rank, member) entries until the frontier drains; a key parked already keeps
        its first entry. Returns how many were parked now."""
        held = 0
        pending = 0
        pipe = self.client.pipeline(transaction=False)
        for key, host, rank, member in items:
            pipe.hsetnx(self.key("held"), key, host.encode() + b"\t" + str(rank).encode() + b"\t" + member)
            pending += 1
            if pending % PUSH_BATCH == 0:
                held += sum(pipe.execute())
        held += sum(pipe.execute())
        return held

    def first_rows(self, urls: Sequence[tuple[str, int]]) -> list[int | None]:
        """For each (registry URL, row): None when the row is the URL's first (remembered now), else the URL's
        first row: the duplicate check of a registry streamed in batches (`crawler.registry.FirstRows`). URLs
        must hold no tab or carriage return (registry URLs hold no white space)."""
        if not urls:
            return []
        found = self._first_rows(args=[self.prefix, "\r".join(f"{url}\t{row}" for url, row in urls)])
        return [int(first) or None for first in found]

    def noted_hosts(self) -> int:
        return int(self.client.scard(self.key("enqueue:hosts")))

    def drop_enqueue_keys(self) -> None:
        self.client.unlink(*(self.key(name) for name in ENQUEUE_KEYS))

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

    def claim(self, host: str, *, delay: float, holder: str, hold: float) -> float:
        """Hold `host` for `holder`'s request (0.0: write it now, then call `sent`) if no other request of the
        host is about to be sent, its gap is over and no pause is on; else the seconds to wait."""
        return float(self._claim(args=[self.prefix, host, delay, holder, hold]))

    def sent(self, host: str, holder: str, *, sent: bool = True) -> None:
        """`holder`'s request reached the network (the host's gap starts now) or ended unsent: let go of the host."""
        self._sent(args=[self.prefix, host, holder, "1" if sent else "0"])

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
