"""The private Scrapy internals the crawler overrides are still the ones it was written against.

Scrapy has no public extension point for three things the crawl needs, so three components subclass private
methods (pyproject.toml pins Scrapy to the release range they were written for, 2.19.x):

* `crawler/downloader.py` overrides `Downloader._process_queue` (and calls `_latercall`, `_wait_for_download`,
  `scrapy.utils.defer._schedule_coro`): per-host concurrency must hold when there is no delay (2.19 marks a
  request as transferring only once its task starts). Crawl-delay itself has no Scrapy support yet
  (scrapy/scrapy#892; a parser hook came with scrapy/scrapy#7830, not the pacing).
* `crawler/middlewares/robots.py` overrides `RobotsTxtMiddleware._parse_robots` and wraps `robot_parser`: RFC 9309
  status handling (a 5xx robots.txt disallows the host) and one parser shared by concurrent first requests.
* `crawler/middlewares/scoped_redirect.py` overrides `BaseRedirectMiddleware._redirect`: scope-aware redirects.
* `crawler/downloader.py` also times each request's send for the per-host delay on the wire: it wraps
  `Downloader._download`, looks handlers up with `DownloadHandlers._get_handler`, replaces the HTTP/1.1
  handler's connection-pool factory with subclasses of `_LenientHTTP11ClientFactory`/`_LenientHTTP11ClientProtocol`,
  and reads Twisted's `HTTP11ClientProtocol._state` and the TLS transport's `_handshakeDone` (Twisted is
  pinned beside Scrapy in pyproject.toml for that).

When Scrapy changes any of these methods, this test fails and names them. Then: read the new Scrapy code,
check that the override still does what its module docstring says (and whether a public hook now exists),
run the crawl tests, and record the new fingerprints and the version range here and in pyproject.toml.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from typing import Any

import scrapy
import scrapy.utils.defer
from scrapy.core.downloader import Downloader
from scrapy.core.downloader.handlers import DownloadHandlers
from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
)
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from twisted.web._newclient import HTTP11ClientProtocol

WRITTEN_FOR = "2.19"
# sha256 of each method's source in Scrapy 2.19.0 and Twisted 26.10.0 (first 16 hex digits).
FINGERPRINTS: dict[str, tuple[Callable[..., Any], str]] = {
    "Downloader._process_queue": (Downloader._process_queue, "872b81a4bbb4cb1a"),
    "Downloader._latercall": (Downloader._latercall, "a63f8c948b8cc3b8"),
    "Downloader._wait_for_download": (Downloader._wait_for_download, "35ca6793c8795004"),
    "scrapy.utils.defer._schedule_coro": (scrapy.utils.defer._schedule_coro, "559a320e3737e7cb"),
    "RobotsTxtMiddleware._parse_robots": (RobotsTxtMiddleware._parse_robots, "7d8641e3b334d6ef"),
    "RobotsTxtMiddleware.robot_parser": (RobotsTxtMiddleware.robot_parser, "4e961c394befa0fc"),
    "BaseRedirectMiddleware._redirect": (RedirectMiddleware._redirect, "37993effd90c24fc"),
    "Downloader._download": (Downloader._download, "a05f219045c8eb55"),
    "DownloadHandlers._get_handler": (DownloadHandlers._get_handler, "b04cec7c61f042e4"),
    "HTTP11DownloadHandler.__init__": (HTTP11DownloadHandler.__init__, "af05135e191ebd55"),
    "_LenientHTTP11ClientFactory": (_LenientHTTP11ClientFactory, "960216ea46be2cbb"),
    "_LenientHTTP11ClientProtocol": (_LenientHTTP11ClientProtocol, "72923e7e0011969e"),
    "twisted HTTP11ClientProtocol.request": (HTTP11ClientProtocol.request, "0ce655640fb507b3"),
}
TWISTED_WRITTEN_FOR = "26."


def fingerprint(function: Callable[..., Any]) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


def test_the_installed_scrapy_is_the_release_the_overrides_were_written_for() -> None:
    assert scrapy.__version__.startswith(WRITTEN_FOR + "."), (
        f"Scrapy {scrapy.__version__} is installed; the crawler's overrides of private Scrapy methods were "
        f"written for {WRITTEN_FOR}.x (see this module's docstring before widening the pin in pyproject.toml)"
    )


def test_the_installed_twisted_is_the_release_the_send_timing_was_written_for() -> None:
    import twisted

    assert twisted.__version__.startswith(TWISTED_WRITTEN_FOR), (
        f"Twisted {twisted.__version__} is installed; crawler/downloader.py's send timing reads private Twisted "
        f"state written for {TWISTED_WRITTEN_FOR}x (see this module's docstring before widening the pin)"
    )


def test_the_overridden_private_methods_are_unchanged() -> None:
    changed = [name for name, (function, known) in FINGERPRINTS.items() if fingerprint(function) != known]
    assert changed == [], (
        f"Scrapy {scrapy.__version__} changed private methods that sdg-tags overrides: {', '.join(changed)}. "
        "Re-read them against crawler/downloader.py, crawler/middlewares/robots.py and "
        "crawler/middlewares/scoped_redirect.py, then update FINGERPRINTS in tests/test_scrapy_internals.py"
    )
