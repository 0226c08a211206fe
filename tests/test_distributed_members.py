"""Queue members: fresh targets travel as compact JSON, follow-ups as pickled requests (no Redis needed)."""

from __future__ import annotations

import pytest
from sdg_tags.crawler.distributed.frontier import Reservation
from sdg_tags.crawler.distributed.members import (
    FOLLOW_UP,
    FRESH,
    MemberError,
    decode_request,
    encode_request,
    host_of,
    priority_rank,
    split_member,
)
from sdg_tags.crawler.distributed.scheduler import Ticket
from sdg_tags.crawler.frontier import CrawlTarget
from sdg_tags.crawler.scope import Scope
from sdg_tags.crawler.spiders.registry import RegistrySpider

FOLDER = "http://127.0.0.9:8080/docs/"


@pytest.fixture
def spider() -> RegistrySpider:
    """A registry spider configured just enough to build requests (as a worker's is)."""
    spider = RegistrySpider(entries=[])
    spider.scopes = {FOLDER: Scope.for_entry(FOLDER, is_folder=True)}
    spider.conditional = False
    spider.render_all = False
    spider.render_hosts = set()
    spider.max_depth = 0
    return spider


def child(url: str = FOLDER + "a") -> CrawlTarget:
    return CrawlTarget(url=url, key=url, scope_url=FOLDER, registry_url=FOLDER, discovered=True, depth=2)


def test_a_fresh_request_travels_as_its_target(spider: RegistrySpider) -> None:
    request = spider.request_for(child())
    member = encode_request(request, spider)
    url, payload = split_member(member)
    assert (url, payload[:1]) == (FOLDER + "a", FRESH)
    rebuilt = decode_request(member, spider)
    assert (rebuilt.url, rebuilt.meta["sdg_target"], rebuilt.priority) == (request.url, child(), -2)
    assert rebuilt.meta["download_slot"] == host_of(request) == "127.0.0.9:8080"
    assert priority_rank(rebuilt) == 2


def test_a_retry_travels_with_its_state_but_not_the_workers_ticket(spider: RegistrySpider) -> None:
    request = spider.request_for(child())
    request.meta["sdg_reservation"] = Ticket(Reservation("127.0.0.9:8080", "w#1", 1.0, 0.5, 0.0), 123.0)
    retry = request.replace(priority=request.priority - 1)
    retry.meta["retry_times"] = 1
    retry.meta["redirect_urls"] = [FOLDER + "old"]
    member = encode_request(retry, spider)
    url, payload = split_member(member)
    assert (url, payload[:1]) == (FOLDER + "a", FOLLOW_UP)
    rebuilt = decode_request(member, spider)
    assert rebuilt.meta["retry_times"] == 1
    assert rebuilt.meta["redirect_urls"] == [FOLDER + "old"]
    assert "sdg_reservation" not in rebuilt.meta
    assert rebuilt.callback == spider.parse_page and rebuilt.errback == spider.fetch_failed
    assert priority_rank(rebuilt) == 3


def test_a_redirect_hop_is_a_follow_up_keyed_by_its_target(spider: RegistrySpider) -> None:
    hop = spider.request_for(child()).replace(url=FOLDER + "moved")
    url, payload = split_member(encode_request(hop, spider))
    assert (url, payload[:1]) == (FOLDER + "a", FOLLOW_UP)


@pytest.mark.parametrize(
    "member",
    [
        b"no-newline",
        b"http://h/x\n",
        b"http://h/x\nZjunk",
        b"http://h/x\nRnot a pickle",
        b'http://h/x\nT{"u": 1}',
    ],
)
def test_unreadable_members_raise_member_error(spider: RegistrySpider, member: bytes) -> None:
    with pytest.raises(MemberError):
        decode_request(member, spider)


def test_a_target_whose_registry_entry_is_unknown_is_unreadable(spider: RegistrySpider) -> None:
    member = b'http://elsewhere/x\nT{"u":"http://elsewhere/x","s":"=","r":"="}'
    with pytest.raises(MemberError, match="http://elsewhere/x"):
        decode_request(member, spider)
