"""The address guard (fetcher/guard.py) and how fetch_url applies it: stub resolvers, no traffic off 127.0.0.0/8.

Every refused address below is only ever *resolved* by a stub; the fetcher must refuse before connecting, so
no test sends a packet to it. The only server contacted is a local one on 127.0.0.1.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sdg_tags.fetcher import fetch_url
from sdg_tags.fetcher.guard import ALLOW_HINT, address_refusal, refuse_internal_addresses

LOOPBACK = "a loopback address (this machine)"
PRIVATE = "a private network address"
LINK_LOCAL = "a link-local address"
METADATA = "a cloud instance-metadata address"
UNSPECIFIED = "the unspecified address (it means this machine)"
UNIQUE_LOCAL = "a private (unique local) IPv6 address"
RESERVED = "a reserved or special-purpose address"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", LOOPBACK),
        ("127.255.255.254", LOOPBACK),
        ("::1", LOOPBACK),
        ("10.0.0.1", PRIVATE),
        ("10.255.255.255", PRIVATE),
        ("172.16.0.1", PRIVATE),
        ("172.31.255.254", PRIVATE),
        ("192.168.0.1", PRIVATE),
        ("192.168.255.255", PRIVATE),
        ("169.254.0.1", LINK_LOCAL),
        ("169.254.169.254", METADATA),
        ("169.254.170.2", METADATA),
        ("100.100.100.200", METADATA),
        ("fd00:ec2::254", METADATA),
        ("fc00::1", UNIQUE_LOCAL),
        ("fdff:ffff::1", UNIQUE_LOCAL),
        ("fe80::1", LINK_LOCAL),
        ("fe80::1%eth0", LINK_LOCAL),
        ("febf:ffff::1", LINK_LOCAL),
        ("0.0.0.0", UNSPECIFIED),
        ("0.1.2.3", UNSPECIFIED),
        ("::", UNSPECIFIED),
        ("100.64.0.1", "a carrier-grade NAT (shared) address"),
        ("224.0.0.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("240.0.0.1", RESERVED),
        ("255.255.255.255", RESERVED),
        ("198.18.0.1", RESERVED),
        ("192.0.2.10", RESERVED),
    ],
)
def test_internal_addresses_are_refused_with_their_kind(address: str, kind: str) -> None:
    assert address_refusal(address) == f"it is {kind}; {ALLOW_HINT}"


@pytest.mark.parametrize(
    ("address", "form", "inner", "kind"),
    [
        ("::ffff:127.0.0.1", "IPv4-mapped", "127.0.0.1", LOOPBACK),
        ("::ffff:7f00:1", "IPv4-mapped", "127.0.0.1", LOOPBACK),
        ("::ffff:10.1.2.3", "IPv4-mapped", "10.1.2.3", PRIVATE),
        ("::ffff:169.254.169.254", "IPv4-mapped", "169.254.169.254", METADATA),
        ("::ffff:0.0.0.0", "IPv4-mapped", "0.0.0.0", UNSPECIFIED),
        ("64:ff9b::7f00:1", "NAT64", "127.0.0.1", LOOPBACK),
        ("64:ff9b::a9fe:a9fe", "NAT64", "169.254.169.254", METADATA),
        ("2002:c0a8:0101::1", "6to4", "192.168.1.1", PRIVATE),
        ("::127.0.0.1", "IPv4-compatible", "127.0.0.1", LOOPBACK),
    ],
)
def test_ipv6_forms_of_internal_ipv4_addresses_are_refused(
    address: str, form: str, inner: str, kind: str
) -> None:
    assert address_refusal(address) == f"it is the {form} form of {inner}, {kind}; {ALLOW_HINT}"


@pytest.mark.parametrize(
    "address",
    [
        "93.184.215.14",
        "8.8.8.8",
        "1.1.1.1",
        "2606:4700:4700::1111",
        "2a00:1450:4001:80b::200e",
        "::ffff:8.8.8.8",
    ],
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_refusal(address) is None
    assert refuse_internal_addresses("www.example.org", address) is None


def test_text_that_is_not_an_address_is_refused() -> None:
    assert address_refusal("localhost") == "'localhost' is not an IP address, so it cannot be checked"


# --- fetch_url with the guard and a stub resolver ------------------------------------------------------------


class StubResolver:
    """Answers host names from a table, counting the questions; unknown names fail like a DNS error."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.questions: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.questions.append(host)
        if host not in self.table:
            raise OSError(f"stub resolver: no such name {host}")
        return self.table[host]


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("169.254.169.254", METADATA),
        ("10.0.0.7", PRIVATE),
        ("172.20.1.1", PRIVATE),
        ("192.168.1.1", PRIVATE),
        ("fe80::1", LINK_LOCAL),
        ("fd12:3456::1", UNIQUE_LOCAL),
        ("::1", LOOPBACK),
        ("127.0.0.1", LOOPBACK),
        ("0.0.0.0", UNSPECIFIED),
    ],
)
def test_fetch_refuses_a_host_that_resolves_to_an_internal_address(address: str, kind: str) -> None:
    resolver = StubResolver({"innocent.example": [address]})
    page = fetch_url("http://innocent.example/page", guard=refuse_internal_addresses, resolver=resolver)
    assert page.fetch_status == "out-of-scope"
    assert page.detail == f"refused to connect to innocent.example ({address}): it is {kind}; {ALLOW_HINT}"
    assert page.status is None
    assert page.body == b""
    assert resolver.questions == ["innocent.example"]


def test_fetch_refuses_a_host_with_one_internal_address_among_public_ones() -> None:
    resolver = StubResolver({"mixed.example": ["93.184.215.14", "10.0.0.1"]})
    page = fetch_url("https://mixed.example/", guard=refuse_internal_addresses, resolver=resolver)
    assert page.fetch_status == "out-of-scope"
    assert page.detail == f"refused to connect to mixed.example (10.0.0.1): it is {PRIVATE}; {ALLOW_HINT}"


def test_fetch_refuses_address_literals_in_the_url() -> None:
    for url, address, kind in [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", METADATA),
        ("http://[::ffff:127.0.0.1]:8080/", "::ffff:127.0.0.1", None),
        ("http://[fe80::1]/", "fe80::1", LINK_LOCAL),
    ]:
        resolver = StubResolver({address: [address]})
        page = fetch_url(url, guard=refuse_internal_addresses, resolver=resolver)
        assert page.fetch_status == "out-of-scope", url
        expected = address_refusal(address)
        assert expected is not None
        assert page.detail == f"refused to connect to {address} ({address}): {expected}"
        if kind is not None:
            assert expected == f"it is {kind}; {ALLOW_HINT}"


def test_a_name_that_does_not_resolve_is_a_dns_error() -> None:
    page = fetch_url("http://nowhere.example/", guard=refuse_internal_addresses, resolver=StubResolver({}))
    assert page.fetch_status == "dns-error"
    assert (
        page.detail
        == "the host name nowhere.example could not be resolved (stub resolver: no such name nowhere.example)"
    )


@pytest.fixture(scope="module")
def redirecting_site() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """A local server on 127.0.0.1 whose /go redirects to an internal host name; records path and Host."""
    seen: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append((self.path, self.headers.get("Host", "")))
            if self.path == "/go":
                self.send_response(302)
                self.send_header("Location", "http://internal.example/admin")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = b"<!DOCTYPE html><html lang='en'><head><title>ok</title></head></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"site.example:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def guard_allowing_site_example(host: str, address: str) -> str | None:
    """The real guard, except that the test's own site (site.example -> 127.0.0.1) may be reached."""
    if host == "site.example" and address == "127.0.0.1":
        return None
    return refuse_internal_addresses(host, address)


def test_every_redirect_is_checked_after_resolution(
    redirecting_site: tuple[str, list[tuple[str, str]]],
) -> None:
    netloc, seen = redirecting_site
    seen.clear()
    resolver = StubResolver({"site.example": ["127.0.0.1"], "internal.example": ["192.168.10.20"]})
    page = fetch_url(f"http://{netloc}/go", guard=guard_allowing_site_example, resolver=resolver)
    assert page.fetch_status == "out-of-scope"
    assert (
        page.detail
        == f"refused to connect to internal.example (192.168.10.20): it is {PRIVATE}; {ALLOW_HINT}"
    )
    assert resolver.questions == ["site.example", "internal.example"]
    assert seen == [("/go", netloc)]  # the internal host was never contacted


def test_the_checked_address_is_the_one_connected_to(
    redirecting_site: tuple[str, list[tuple[str, str]]],
) -> None:
    """One resolution per hop and a connection to its answer: a second, rebinding answer is never asked for."""
    netloc, seen = redirecting_site
    seen.clear()
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])  # a rebinding DNS server: public first, internal next

    def rebinding_resolver(host: str, port: int) -> list[str]:
        return next(answers)

    page = fetch_url(f"http://{netloc}/page", guard=guard_allowing_site_example, resolver=rebinding_resolver)
    assert page.fetch_status == "ok"
    assert page.body.startswith(b"<!DOCTYPE html>")
    assert seen == [("/page", netloc)]
    assert next(answers) == ["10.0.0.1"]  # the second answer was never requested
