"""The downloader, with per-host concurrency that holds when there is no delay.

Scrapy 2.19's Downloader marks a request as transferring only once its download task starts; with the
asyncio reactor that task starts on the next loop iteration, so a slot without delay hands out its whole queue
at once and `SDG_HOST_CONCURRENCY` (the slot concurrency) is ignored. This subclass marks the request when it
leaves the queue. Everything else is Scrapy's (setting `DOWNLOADER`).
"""

from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro


class HostConcurrencyDownloader(Downloader):
    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:
            return
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
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:  # one request per delay: the rest waits for the next turn
                self._process_queue(slot)
                break
