"""The shared frontier's Lua scripts on a real Redis: order, per-host slots, tokens, leases, recovery, finish."""

from __future__ import annotations

import itertools
import json
import time

import pytest
from sdg_tags.crawler.distributed.frontier import FrontierError, NothingReady, Popped, SharedFrontier
from sdg_tags.crawler.distributed.members import (
    TARGET_DEFAULTS,
    TARGET_FIELDS,
    decode_target,
    encode_target,
    split_member,
    target_of_member,
)
from sdg_tags.crawler.frontier import CrawlTarget
from sdg_tags.crawler.scope import dedupe_key

from tests.faults.services import redis_server

pytestmark = pytest.mark.redis

POP = {"lookahead": 0.0, "token_ttl": 60.0, "delay": 0.0, "concurrency": 2}


@pytest.fixture
def frontier(redis_url: str) -> SharedFrontier:
    shared = SharedFrontier.connect(redis_url, "test")
    shared.client.hset(shared.key("run"), mapping={"run_id": "1", "state": "running"})
    return shared


def member(url: str) -> bytes:
    return url.encode() + b"\nT{}"


def pop_all(frontier: SharedFrontier, worker: str = "w1", **options: float) -> list[Popped]:
    popped = []
    while isinstance(result := frontier.pop(worker, **{**POP, **options}), Popped):
        popped.append(result)
    return popped


def urls(popped: list[Popped]) -> list[str]:
    return [split_member(item.member)[0] for item in popped]


def test_breadth_first_then_first_in_first_out_within_a_host(frontier: SharedFrontier) -> None:
    frontier.push_many(
        [
            ("a", 1, member("a/deep-1")),
            ("a", 0, member("a/root-1")),
            ("a", 1, member("a/deep-2")),
            ("a", 0, member("a/root-2")),
        ]
    )
    assert urls(pop_all(frontier, concurrency=10)) == ["a/root-1", "a/root-2", "a/deep-1", "a/deep-2"]


def test_a_host_with_a_delay_gives_one_request_per_slot_and_others_go_meanwhile(
    frontier: SharedFrontier,
) -> None:
    frontier.push_many([("big", 0, member(f"big/{n}")) for n in range(5)] + [("small", 0, member("small/0"))])
    popped = pop_all(frontier, delay=30.0)
    assert urls(popped) == ["big/0", "small/0"]  # big's next slot is 30 s away; nothing else is ready
    later = frontier.pop("w2", **{**POP, "delay": 30.0})
    assert isinstance(later, NothingReady) and 29.0 < (later.wait or 0) <= 30.0


def test_reserved_slots_are_delay_apart_whoever_pops(frontier: SharedFrontier) -> None:
    frontier.push_many([("host", 0, member(f"host/{n}")) for n in range(4)])
    starts = []
    for worker in ("w1", "w2", "w1", "w2"):
        result = frontier.pop(worker, **{**POP, "delay": 0.5, "lookahead": 2.0, "concurrency": 10})
        assert isinstance(result, Popped), result
        starts.append(result.reservation.start)
    gaps = [round(after - before, 3) for before, after in itertools.pairwise(starts)]
    assert gaps == [0.5, 0.5, 0.5]


def test_lookahead_bounds_how_far_ahead_a_slot_is_taken(frontier: SharedFrontier) -> None:
    frontier.push_many([("host", 0, member(f"host/{n}")) for n in range(10)])
    taken = pop_all(frontier, delay=0.1, lookahead=0.25, concurrency=10)
    assert len(taken) == 3  # now, +0.1, +0.2 (the slot at +0.3 is beyond the lookahead)
    assert [round(item.reservation.wait, 1) for item in taken] == [0.0, 0.1, 0.2]


def test_concurrency_tokens_cap_requests_in_flight_across_workers(frontier: SharedFrontier) -> None:
    frontier.push_many([("host", 0, member(f"host/{n}")) for n in range(5)])
    first = frontier.pop("w1", **POP)
    second = frontier.pop("w2", **POP)
    assert isinstance(first, Popped) and isinstance(second, Popped)
    assert isinstance(frontier.pop("w3", **POP), NothingReady)  # two in flight: the host's concurrency
    frontier.release_token("w1", first.reservation)
    assert isinstance(frontier.pop("w3", **POP), Popped)


def test_a_crawl_delay_makes_a_host_sequential(frontier: SharedFrontier) -> None:
    frontier.push_many([("host", 0, member(f"host/{n}")) for n in range(3)])
    frontier.set_crawl_delay("host", 0.2)
    first = frontier.pop("w1", **{**POP, "lookahead": 5.0})
    assert isinstance(first, Popped) and first.reservation.delay == 0.2
    assert isinstance(frontier.pop("w2", **{**POP, "lookahead": 5.0}), NothingReady)  # concurrency 1


def test_an_unused_slot_is_refunded_only_if_nothing_was_reserved_after_it(frontier: SharedFrontier) -> None:
    frontier.push_many([("host", 0, member(f"host/{n}")) for n in range(3)])
    first = frontier.pop("w1", **{**POP, "concurrency": 10, "delay": 10.0, "lookahead": 100.0})
    assert isinstance(first, Popped)
    assert frontier.refund(first.reservation)  # e.g. robots.txt forbade it: the host is free at once
    again = frontier.pop("w1", **{**POP, "concurrency": 10, "delay": 10.0, "lookahead": 0.0})
    assert isinstance(again, Popped)
    assert again.reservation.wait == 0.0 and again.reservation.start - first.reservation.start < 1.0
    third = frontier.pop("w1", **{**POP, "concurrency": 10, "delay": 10.0, "lookahead": 100.0})
    assert isinstance(third, Popped)
    assert not frontier.refund(again.reservation)  # a later slot exists: refunding would break its gap


def test_retry_after_pause_holds_the_host_for_every_worker(frontier: SharedFrontier) -> None:
    frontier.push_many([("host", 0, member("host/1")), ("other", 0, member("other/1"))])
    frontier.pause("host", 20.0)
    assert urls(pop_all(frontier)) == ["other/1"]
    waiting = frontier.pop("w2", **POP)
    assert isinstance(waiting, NothingReady) and 19.0 < (waiting.wait or 0) <= 20.0


def test_committed_leases_are_released_and_counted(frontier: SharedFrontier) -> None:
    frontier.push_many([("a", 0, member("a/1")), ("a", 0, member("a/2"))])
    pop_all(frontier)
    assert frontier.state().leased == 2
    assert frontier.release_leases("w1", ["a/1", "a/2"]) == 2
    state = frontier.state()
    assert (state.leased, state.stats["pages"], state.drained) == (0, 2, True)


def test_a_follow_up_push_hands_the_lease_back_to_the_queue(frontier: SharedFrontier) -> None:
    frontier.push_many([("a", 0, member("a/1"))])
    assert len(pop_all(frontier)) == 1
    frontier.push("a", 1, b"a/1\nRretry", lease_url="a/1", worker="w1")
    state = frontier.state()
    assert (state.queued, state.leased) == (1, 0)
    retried = frontier.pop("w2", **POP)
    assert isinstance(retried, Popped) and retried.member == b"a/1\nRretry"


def test_a_dead_workers_leases_are_requeued_once(frontier: SharedFrontier) -> None:
    frontier.push_many([("a", 0, member(f"a/{n}")) for n in range(3)])
    frontier.register_worker("dead", {}, ttl=0.2)
    frontier.register_worker("alive", {}, ttl=60)
    held = pop_all(frontier, worker="dead", concurrency=5)
    assert len(held) == 3
    assert frontier.recover() == (0, 0)  # still within its TTL
    time.sleep(0.3)
    assert frontier.recover() == (3, 1)
    assert frontier.recover() == (0, 0)
    state = frontier.state()
    assert (state.queued, state.leased, state.workers, state.stats["requeued"]) == (3, 0, 1, 3)
    assert sorted(urls(pop_all(frontier, worker="alive", concurrency=5))) == ["a/0", "a/1", "a/2"]


def test_a_late_commit_of_a_requeued_lease_does_not_release_the_new_holders_lease(
    frontier: SharedFrontier,
) -> None:
    frontier.push_many([("a", 0, member("a/1"))])
    frontier.register_worker("slow", {}, ttl=0.2)
    pop_all(frontier, worker="slow")
    time.sleep(0.3)
    frontier.recover()
    pop_all(frontier, worker="new")
    assert frontier.release_leases("slow", ["a/1"]) == 0
    assert frontier.state().leased == 1
    assert frontier.release_leases("new", ["a/1"]) == 1


def test_the_last_worker_to_leave_a_drained_run_finishes_it_exactly_once(frontier: SharedFrontier) -> None:
    frontier.push_many([("a", 0, member("a/1"))])
    frontier.register_worker("w1", {}, ttl=60)
    frontier.register_worker("w2", {}, ttl=60)
    pop_all(frontier, worker="w1")
    assert frontier.leave("w2") == (0, False)  # w1 still holds a/1
    assert frontier.leave("w1") == (1, False)  # leaving hands a/1 back: queued, not finished
    frontier.register_worker("w3", {}, ttl=60)
    pop_all(frontier, worker="w3")
    frontier.release_leases("w3", ["a/1"])
    assert frontier.leave("w3") == (0, True)
    assert frontier.run_info()["state"] == "finished"
    frontier.register_worker("w4", {}, ttl=60)
    assert frontier.leave("w4") == (0, False)


def test_held_pages_are_released_unless_a_folder_crawl_reached_them(frontier: SharedFrontier) -> None:
    reached = CrawlTarget(
        url="http://h/docs/a", key="http://h/docs/a", scope_url="http://h/docs/", registered=True
    )
    orphan = CrawlTarget(
        url="http://h/docs/b", key="http://h/docs/b", scope_url="http://h/docs/", registered=True
    )
    frontier.hold_many([(target.key, "h", 0, encode_target(target)) for target in (reached, orphan)])
    taken = frontier.take_held(reached.key)
    assert taken is not None and target_of_member(taken) == reached
    assert frontier.admit(reached.key)
    assert frontier.release_held() == 1
    assert frontier.state().held == 0
    assert urls(pop_all(frontier)) == ["http://h/docs/b"]


def test_admit_is_atomic_first_come(frontier: SharedFrontier) -> None:
    assert frontier.admit("k") is True
    assert frontier.admit("k") is False
    assert frontier.admit_many(["k", "l", "l"]) == [False, True, False]


ODD_URL = 'http://h/é"\\\u2028'  # escaped in JSON: a quote, a backslash, a line separator
SAMPLE_TARGETS = [
    CrawlTarget(
        url="http://h/x",
        key="http://h/x",
        scope_url="http://h/x",
        registry_url="http://h/x",
        registered=True,
    ),
    CrawlTarget(
        url="http://h/docs/a?b=1",
        key="http://h/docs/a?b=1",
        scope_url="http://h/docs/",
        registry_url="http://h/docs/",
        registered=True,
        discovered=True,
        depth=3,
        noindex_via="http://h/docs/n",
        not_reachable_from="http://h/docs/",
    ),
    CrawlTarget(url=ODD_URL, key=dedupe_key(ODD_URL), scope_url="http://h/", registry_url=None, depth=2),
]


@pytest.mark.parametrize("target", SAMPLE_TARGETS)
def test_fresh_targets_round_trip_through_a_compact_member(target: CrawlTarget) -> None:
    url, payload = split_member(encode_target(target))
    assert url == target.url
    assert decode_target(payload[1:]) == target
    assert len(payload) < 200


@pytest.mark.parametrize("target", SAMPLE_TARGETS)
def test_a_members_json_is_what_json_dumps_writes(target: CrawlTarget) -> None:
    """encode_target writes the JSON itself; it must stay byte-identical to the json.dumps form."""
    data: dict[str, object] = {"u": target.url}
    for name, short in TARGET_FIELDS.items():
        value = getattr(target, name)
        if name in ("scope_url", "registry_url"):
            data[short] = "=" if value == target.url else value
        elif value != TARGET_DEFAULTS[name]:
            data[short] = value
    assert encode_target(target) == (
        target.url.encode() + b"\nT" + json.dumps(data, separators=(",", ":")).encode()
    )


def claim(frontier: SharedFrontier, host: str, holder: str = "w1#1", hold: float = 5.0) -> float:
    return frontier.claim(host, delay=0.3, holder=holder, hold=hold)


def test_claim_keeps_the_gap_between_sends_and_honours_pauses(frontier: SharedFrontier) -> None:
    assert claim(frontier, "host") == 0.0
    frontier.sent("host", "w1#1")
    wait = claim(frontier, "host", "w2#1")  # a second worker, on time for its slot but the gap is not over
    assert 0.25 < wait <= 0.3
    time.sleep(wait)
    assert claim(frontier, "host", "w2#1") == 0.0
    assert claim(frontier, "other") == 0.0  # hosts are independent
    frontier.sent("other", "w1#1")
    frontier.pause("other", 5.0)
    assert 4.5 < claim(frontier, "other", "w1#2") <= 5.0
    frontier.set_crawl_delay("slow", 2.0)
    assert claim(frontier, "slow") == 0.0
    frontier.sent("slow", "w1#1")
    assert 1.5 < claim(frontier, "slow", "w1#2") <= 2.0


def test_the_gap_counts_from_the_send_not_from_the_claim(frontier: SharedFrontier) -> None:
    assert claim(frontier, "host") == 0.0
    # Until the holder's request is sent, the next one waits (a full gap: it goes at the earliest a gap after).
    assert claim(frontier, "host", "w2#1") == pytest.approx(0.3)
    time.sleep(0.4)  # the holder was slow to send: longer than the gap after its claim
    assert claim(frontier, "host", "w2#1") == pytest.approx(0.3)
    frontier.sent("host", "w1#1")
    assert 0.25 < claim(frontier, "host", "w2#1") <= 0.3  # a gap after the send, not after the claim


def test_an_unsent_request_lets_go_of_the_host_without_starting_a_gap(frontier: SharedFrontier) -> None:
    assert claim(frontier, "host") == 0.0
    frontier.sent("host", "w1#1", sent=False)  # its connection failed: nothing reached the host
    assert claim(frontier, "host", "w2#1") == 0.0


def test_a_dead_holders_hold_runs_out_and_counts_as_its_last_send(frontier: SharedFrontier) -> None:
    assert claim(frontier, "host", "dead#1", hold=0.2) == 0.0  # then the worker is killed: no `sent`
    assert claim(frontier, "host", "w2#1") == pytest.approx(0.3)
    time.sleep(0.25)  # the hold ran out; the dead request may have left up to then
    assert 0.2 < claim(frontier, "host", "w2#1") <= 0.3
    # The holder itself, if alive and late, claims again like anyone else (and never sends after its expiry).
    assert claim(frontier, "free", "w1#1", hold=5.0) == 0.0
    assert claim(frontier, "free", "w1#1", hold=5.0) == 0.0


def test_finish_returns_the_token_and_adjusts_the_backoff_in_one_step(frontier: SharedFrontier) -> None:
    frontier.push_many([("host", 0, member(f"host/{n}")) for n in range(3)])
    first, second = pop_all(frontier, concurrency=2)
    assert isinstance(frontier.pop("w1", **POP), NothingReady)
    limits = {"delay": 0.5, "maximum": 8.0, "minimum": 1.0}
    assert frontier.finish("w1", first.reservation, "widen", **limits) == 1.0
    assert frontier.finish("w1", second.reservation, "none", **limits) == 1.0
    assert len(pop_all(frontier, lookahead=5.0)) == 1  # both tokens back (the delay is now the back-off)


def test_a_pop_brings_the_registry_entry_of_a_fresh_targets_scope(frontier: SharedFrontier) -> None:
    frontier.put_entries({"http://h/docs/": {"folder": 1, "types": ["Information"]}})
    target = CrawlTarget(
        url="http://h/docs/a", key="http://h/docs/a", scope_url="http://h/docs/", discovered=True
    )
    frontier.push_many([("h", 0, encode_target(target)), ("h", 0, b"http://h/x\nRpickled")])
    fresh, follow_up = pop_all(frontier)
    assert (fresh.scope_url, fresh.entry) == ("http://h/docs/", {"folder": 1, "types": ["Information"]})
    assert (follow_up.scope_url, follow_up.entry) == (None, None)


def test_a_redis_that_wants_a_password_says_so_rather_than_unreachable() -> None:
    with redis_server(password="s3cret") as url:
        with pytest.raises(FrontierError, match="it requires a password") as missing:
            SharedFrontier.connect(url)
        assert "redis://:PASSWORD@host:6379/0" in str(missing.value)
        assert "cannot reach" not in str(missing.value)
        wrong = url.replace("redis://", "redis://:wrong@")
        with pytest.raises(FrontierError, match="the password in the URL was refused") as refused:
            SharedFrontier.connect(wrong)
        assert ":***@" in str(refused.value) and "wrong" not in str(refused.value)
        assert SharedFrontier.connect(url.replace("redis://", "redis://:s3cret@")).client.ping()


def test_a_silent_worker_is_not_live_and_the_status_says_when_its_requests_return(
    frontier: SharedFrontier,
) -> None:
    from sdg_tags.crawler.distributed.progress import live_workers, remaining_line, silence_line

    frontier.push_many([("a", 0, member(f"a/{n}")) for n in range(3)])
    frontier.register_worker("killed", {"lease_ttl": 10.0}, ttl=10.0)
    frontier.register_worker("alive", {"lease_ttl": 10.0}, ttl=10.0)
    pop_all(frontier, "killed", concurrency=2)  # two leases
    pop_all(frontier, "alive", concurrency=3)  # one
    frontier.client.pexpire(frontier.key("alive", "killed"), 4000)  # its last heartbeat was 6 s ago
    views = frontier.workers()
    assert [(view.worker, view.leases, view.silent) for view in views] == [
        ("alive", 1, False),
        ("killed", 2, True),
    ]
    assert live_workers(views) == 1
    # back at the first heartbeat of a live worker after its 10 s lease: 4 s + at most a third of 10 s
    assert silence_line(views) == "1 worker silent for 6 s; its 2 requests return to the queue within 7 s"
    assert remaining_line(frontier.state(), views) == (
        "run 1 is still running: 0 queued, 3 in flight, 0 held back; 1 worker still at work "
        "(alive holds 1, killed holds 2); the last to leave finishes it"
    )
    frontier.leave("alive")
    frontier.client.delete(frontier.key("alive", "killed"))
    assert remaining_line(frontier.state(), frontier.workers()) == (
        "run 1 is not finished: 1 queued, 2 in flight, 0 held back; no worker is at work (killed holds 2, "
        "silent); start one: sdg-tags worker --redis URL --db URL"
    )
