"""What a shared-queue member is: `<target URL> \\n <payload>`, the payload one of two forms.

* `T` + compact JSON of a `CrawlTarget`: a fresh fetch of a registered or discovered URL. Most members are
  this (one per registered URL: 1,000,000 of them must stay small), and the worker that pops it builds the
  request with its own spider (`RegistrySpider.request_for`), so no request state travels.
* `R` + pickle of `Request.to_dict()`: a follow-up that carries state (a retry, an in-scope redirect hop, a
  render request): its meta holds the redirect chain, retry count, the static outcome and so on.

The target URL in front is the lease key: every request for one target, follow-ups included, leases the same
URL, and the record the crawl writes for it is keyed by it too.
"""

from __future__ import annotations

import json
import pickle
from dataclasses import asdict
from json.encoder import encode_basestring_ascii as json_string  # json.dumps's own, in C
from typing import Any

from scrapy import Request, Spider
from scrapy.utils.request import request_from_dict
from sdg_tags.crawler.frontier import CrawlTarget
from sdg_tags.crawler.scope import dedupe_key, site_key

FRESH = b"T"
FOLLOW_UP = b"R"
# Meta a fresh request carries (set by RegistrySpider.request_for); anything else makes it a follow-up.
FRESH_META_KEYS = frozenset({"sdg_target", "sdg_scope", "download_slot", "sdg_conditional", "sdg_render"})
# Meta that belongs to one worker's handling of a request and must not travel to another worker.
WORKER_META_KEYS = frozenset(
    {"sdg_reservation", "sdg_reservation_used", "sdg_hold", "sdg_send_gate", "download_latency", "_slot"}
)
# Short JSON names of CrawlTarget fields; `key` is not stored (it is dedupe_key(url)).
TARGET_FIELDS: dict[str, str] = {
    "scope_url": "s",
    "registry_url": "r",
    "registered": "g",
    "discovered": "d",
    "depth": "h",
    "noindex_via": "n",
    "not_reachable_from": "x",
}
SAME_AS_URL = "="
SAME_AS_URL_FIELDS = frozenset({"scope_url", "registry_url"})
SAME_AS_URL_JSON = json_string(SAME_AS_URL)
TARGET_DEFAULTS: dict[str, Any] = {
    "registered": False,
    "discovered": False,
    "depth": 0,
    "noindex_via": None,
    "not_reachable_from": None,
}


class MemberError(ValueError):
    """A queue member that cannot be read (damaged, or written by an incompatible version)."""


def encode_target(target: CrawlTarget) -> bytes:
    """A fresh target as a queue member. The JSON is written here, byte for byte what `json.dumps` with compact
    separators writes, at a third of its cost: an enqueue encodes a million of them."""
    url = target.url
    parts = ['{"u":', json_string(url)]
    for name, short in TARGET_FIELDS.items():
        value = getattr(target, name)
        if name in SAME_AS_URL_FIELDS:
            parts.append(f',"{short}":')
            parts.append(SAME_AS_URL_JSON if value == url else json_scalar(value))
        elif value != TARGET_DEFAULTS[name]:
            parts.append(f',"{short}":')
            parts.append(json_scalar(value))
    parts.append("}")
    return url.encode("utf-8") + b"\n" + FRESH + "".join(parts).encode()


def json_scalar(value: str | bool | int | None) -> str:
    """A target field's value as `json.dumps` writes it."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    return json_string(value)


def decode_target(payload: bytes) -> CrawlTarget:
    data = json.loads(payload)
    url = data["u"]
    fields: dict[str, Any] = {}
    for name, short in TARGET_FIELDS.items():
        if short in data:
            fields[name] = url if data[short] == SAME_AS_URL else data[short]
        elif name in SAME_AS_URL_FIELDS:
            raise MemberError(f"queue member of {url} has no {name}")
    return CrawlTarget(url=url, key=dedupe_key(url), **fields)


def target_of_member(member: bytes) -> CrawlTarget:
    """The target of a fresh member (held-back pages are always fresh)."""
    _, payload = split_member(member)
    if not payload.startswith(FRESH):
        raise MemberError("not a fresh target")
    return decode_target(payload[1:])


def split_member(member: bytes) -> tuple[str, bytes]:
    url, newline, payload = member.partition(b"\n")
    if not newline or not payload:
        raise MemberError(f"queue member without payload: {member[:120]!r}")
    return url.decode("utf-8"), payload


def is_fresh(request: Request, spider: Any) -> bool:
    """A request as `request_for` makes it: the target's own URL, nothing carried but the target's meta."""
    target = request.meta.get("sdg_target")
    return (
        isinstance(target, CrawlTarget)
        and request.url == target.url
        and set(request.meta) <= FRESH_META_KEYS
        and getattr(request.callback, "__func__", None) is getattr(type(spider), "parse_page", object())
        and request.method == "GET"
    )


def host_of(request: Request) -> str:
    """The politeness unit of a request: its download slot (host[:port])."""
    return request.meta.get("download_slot") or site_key(request.url)


def priority_rank(request: Request) -> int:
    """Queue order: higher Scrapy priority first (the spider uses -depth, retries lower it)."""
    return -int(request.priority)


def encode_request(request: Request, spider: Spider) -> bytes:
    """A request as a queue member (raises pickle/TypeError errors when it cannot travel)."""
    target = request.meta.get("sdg_target")
    if not isinstance(target, CrawlTarget):
        raise MemberError(f"request {request.url} has no crawl target")
    if is_fresh(request, spider):
        return encode_target(target)
    data = request.to_dict(spider=spider)
    data["meta"] = {name: value for name, value in data["meta"].items() if name not in WORKER_META_KEYS}
    return (
        target.url.encode("utf-8") + b"\n" + FOLLOW_UP + pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    )


def decode_request(member: bytes, spider: Any) -> Request:
    """The request of a queue member; a fresh target is built by the spider (`request_for`)."""
    url, payload = split_member(member)
    kind, body = payload[:1], payload[1:]
    try:
        if kind == FRESH:
            return spider.request_for(decode_target(body))
        if kind == FOLLOW_UP:
            return request_from_dict(pickle.loads(body), spider=spider)
    except MemberError:
        raise
    except (KeyError, ValueError, TypeError, AttributeError, pickle.UnpicklingError) as exc:
        raise MemberError(f"queue member of {url} cannot be read: {exc.__class__.__name__}: {exc}") from exc
    raise MemberError(f"queue member of {url} has an unknown kind {kind!r}")


def target_record(target: CrawlTarget) -> dict[str, Any]:
    """The target as plain data (for logs and errors)."""
    return asdict(target)
