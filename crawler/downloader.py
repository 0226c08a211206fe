"""The downloader: per-host concurrency that holds without delay, and per-host gaps that hold on the wire.

Two Scrapy 2.19 behaviours are changed here (setting `DOWNLOADER`, and `DOWNLOAD_HANDLERS` for http/https):

* Scrapy's Downloader marks a request as transferring only once its download task starts; with the asyncio
  reactor that task starts on the next loop iteration, so a slot without delay handed out its whole queue at
  once and `SDG_HOST_CONCURRENCY` (the slot concurrency) was ignored. Here a request is marked when it leaves
  the queue.
* A slot's delay counted from the moment a request left the slot's queue, but the request reaches the network
  later: after the download handler, a connection from the pool (or a new one) and Twisted's write buffer,
  which is flushed on a later turn of the reactor, after whatever else that turn runs (parsing and validating
  pages). A late send followed by a prompt one made a gap shorter than the delay. Here a host's next request
  leaves the queue only after the previous one's bytes were handed to the kernel (`SendTimingHandler` tells),
  and the delay counts from that moment. Requests that must not go before a moment carry a *send gate*
  (`request.meta[SEND_GATE]`): the slot itself in one process, the shared politeness middleware in a
  distributed worker (crawler/distributed/politeness.py). The handler asks the gate right before writing
  (`ready`: 0 to go now, else seconds to wait, e.g. when a connection was replaced and the request is written
  a second time) and reports the write (`sent`); the downloader reports the end of a download (`finished`) so
  a hold whose request never reached the network is let go. On a new TLS connection the request leaves once
  the handshake is done; its send is reported then. Handlers that give no send time (the browser of render
  mode) count as sending when the download starts.
"""

from __future__ import annotations

import itertools
from functools import partial
from time import monotonic
from typing import Any, Protocol

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
)
from scrapy.http import Response
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro
from scrapy.utils.httpobj import urlparse_cached

SEND_GATE = "sdg_send_gate"  # request.meta: the SendGate that decides when this request may be written
# Carries a request's identity from the handler to the connection's protocol, which removes it before writing:
# the server never sees it. (Twisted copies the headers on the way; nothing else of the request gets through.)
SEND_ID_HEADER = b"X-Sdg-Send-Id"
TLS_POLL = 0.005  # seconds between looks at a TLS handshake still under way (the send is reported after it)
MIN_WAIT = 0.001


class SendGate(Protocol):
    def ready(self, request: Request) -> float:
        """0.0: the request may be written now (its host is held for it); else seconds to wait."""

    def sent(self, request: Request) -> None:
        """The request's bytes are in the kernel now: the host's gap starts."""

    def finished(self, request: Request) -> None:
        """The download is over (response or failure): let go of a hold that no send let go of."""


class HostConcurrencyDownloader(Downloader):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        # slot -> its request that left the queue and has not reached the network yet (slots with a delay)
        self.sending: dict[Slot, Request] = {}

    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall or slot in self.sending:
            return  # a timer, or the pending request's send (`sent`), runs this again
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # now, not when the task starts: the loop must see it
            if delay:  # one request per delay, counted from its send
                self.sending[slot] = request
                request.meta[SEND_GATE] = self
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                break

    async def _download(self, slot: Slot, request: Request) -> Response:
        gate: SendGate | None = request.meta.get(SEND_GATE)
        if gate is not None and not self.watches_sends(request):
            gate.sent(request)  # no send time from this handler: its start is the nearest moment
        try:
            return await super()._download(slot, request)
        finally:
            if gate is not None:
                gate.finished(request)
                request.meta.pop(SEND_GATE, None)  # retries and redirects are copies: they get their own

    def watches_sends(self, request: Request) -> bool:
        get_handler = getattr(self.handlers, "_get_handler", None)  # Scrapy has no public lookup
        handler = get_handler(urlparse_cached(request).scheme) if get_handler else None
        return isinstance(handler, SendTimingHandler)

    # -- the slot as a send gate (one process) ----------------------------------------------------------------

    def slot_of(self, request: Request) -> Slot | None:
        return self.slots.get(request.meta.get(self.DOWNLOAD_SLOT, ""))

    def ready(self, request: Request) -> float:
        slot = self.slot_of(request)
        if slot is None:
            return 0.0
        holder = self.sending.get(slot)
        if holder is request:
            return 0.0
        delay = slot.download_delay()
        if holder is not None:  # another request of the host is about to go; the gap starts after it
            return max(delay, MIN_WAIT)
        wait = slot.lastseen + delay - monotonic()
        if wait > 0:
            return wait
        self.sending[slot] = request  # written again (a replaced connection): hold the host anew
        return 0.0

    def sent(self, request: Request) -> None:
        slot = self.slot_of(request)
        if slot is None:
            return
        if self.sending.get(slot) is request:
            del self.sending[slot]
        slot.lastseen = max(slot.lastseen, monotonic())  # max: a Retry-After pause moved it ahead
        self._process_queue(slot)

    def finished(self, request: Request) -> None:
        slot = self.slot_of(request)
        if slot is not None and self.sending.get(slot) is request:
            del self.sending[slot]
            self._process_queue(slot)


# -- the send time, from the connection ---------------------------------------------------------------------------


def flush(transport: Any) -> None:
    """Write what Twisted buffered for this connection now rather than on the reactor's next turn."""
    inner = transport
    while not hasattr(inner, "doWrite") and getattr(inner, "transport", None) is not None:
        inner = inner.transport  # TLS: the TCP connection under it
    if getattr(inner, "connected", False) and hasattr(inner, "doWrite"):
        # On an error the reactor, which still watches the socket, calls doWrite again and closes it.
        inner.doWrite()


def tls_pending(transport: Any) -> bool:
    """A TLS handshake is under way: data written now would wait in the TLS layer until it is done."""
    return getattr(transport, "_handshakeDone", True) is False


class SendTimingProtocol(_LenientHTTP11ClientProtocol):
    """Asks the request's send gate right before writing the request, flushes it, reports the send."""

    def __init__(self, quiescent_callback: Any, pending: dict[str, Request]) -> None:
        super().__init__(quiescent_callback)
        self.pending = pending

    def request(self, request: Any) -> Any:
        ident = getattr(request, "sdg_send_id", None)
        if ident is None:
            values = request.headers.getRawHeaders(SEND_ID_HEADER)
            if not values:
                return super().request(request)
            request.headers.removeHeader(SEND_ID_HEADER)
            ident = request.sdg_send_id = values[0].decode("ascii")
        scrapy_request = self.pending.get(ident)
        gate: SendGate | None = scrapy_request.meta.get(SEND_GATE) if scrapy_request is not None else None
        if scrapy_request is None or gate is None:
            return super().request(request)
        return self.request_when_ready(request, scrapy_request, gate)

    def request_when_ready(self, request: Any, scrapy_request: Request, gate: SendGate) -> Any:
        wait = gate.ready(scrapy_request)
        if wait > 0:
            return self.request_later(wait, request, scrapy_request, gate)
        result = super().request(request)
        if tls_pending(self.transport):
            self.report_after_handshake(scrapy_request, gate)  # the TLS layer holds the bytes until then
        else:
            flush(self.transport)
            gate.sent(scrapy_request)
        return result

    def report_after_handshake(self, scrapy_request: Request, gate: SendGate) -> None:
        """Report the send once the TLS handshake is done (then the bytes go out; a report a few ms late only
        lengthens the next gap). Nothing is reported if the connection fails first or the download is over."""
        from twisted.internet import reactor

        def check() -> None:
            if self._state in ("CONNECTION_LOST", "ABORTING", "GENERATION_FAILED"):
                return
            if scrapy_request.meta.get(SEND_GATE) is not gate:
                return  # the download is over (`finished` let go of the hold)
            if tls_pending(self.transport):
                reactor.callLater(TLS_POLL, check)  # type: ignore[attr-defined]
                return
            flush(self.transport)
            gate.sent(scrapy_request)

        reactor.callLater(TLS_POLL, check)  # type: ignore[attr-defined]

    def request_later(self, wait: float, request: Any, scrapy_request: Request, gate: SendGate) -> Any:
        from twisted.internet import reactor
        from twisted.internet.defer import Deferred

        def cancel(_: Any) -> None:
            if timer.active():
                timer.cancel()
            if self.transport is not None:
                self.transport.abortConnection()  # never handed back to the pool: do not leave it open

        waiting: Deferred[Any] = Deferred(cancel)

        def again() -> None:
            if not waiting.called:
                self.request_when_ready(request, scrapy_request, gate).chainDeferred(waiting)

        timer = reactor.callLater(wait, again)  # type: ignore[attr-defined]
        return waiting


class SendTimingFactory(_LenientHTTP11ClientFactory):
    def __init__(self, quiescent_callback: Any, metadata: Any, *, pending: dict[str, Request]) -> None:
        super().__init__(quiescent_callback, metadata)
        self.pending = pending

    def buildProtocol(self, addr: Any) -> SendTimingProtocol:
        return SendTimingProtocol(self._quiescentCallback, self.pending)


class SendTimingHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler whose connections report when a gated request reaches the network."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.pending: dict[str, Request] = {}
        self.ids = itertools.count(1)
        self._pool._factory = partial(SendTimingFactory, pending=self.pending)

    async def download_request(self, request: Request) -> Response:
        if request.meta.get(SEND_GATE) is None:
            return await super().download_request(request)
        ident = str(next(self.ids))
        self.pending[ident] = request
        request.headers[SEND_ID_HEADER] = ident
        try:
            return await super().download_request(request)
        finally:
            del self.pending[ident]
            request.headers.pop(SEND_ID_HEADER, None)
