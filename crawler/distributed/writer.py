"""The repository writer of a worker: batches into the run `sdg-tags enqueue` opened, finishes it if last.

Same batching as crawler/pipelines/repository_writer.py (it is a subclass), but a worker neither imports the
registry nor starts a run (enqueue did both, once) nor takes the repository's run lock (N workers write one
run at once; the upsert on (run, url) keeps a page that two workers fetched as one row). When the worker
closes, after its last batch is committed, it leaves the run in Redis: what it still holds goes back to the
queue, and the worker that leaves a drained run last finishes it (`finish_run`: counts, stats).
"""

from __future__ import annotations

import logging
from typing import Any

from sdg_tags.crawler.distributed.context import worker_context
from sdg_tags.crawler.pipelines.repository_writer import RepositoryWriterPipeline

logger = logging.getLogger(__name__)


class DistributedRepositoryWriter(RepositoryWriterPipeline):
    async def open_spider(self) -> None:
        spider: Any = self.crawler.spider
        self.run_id = spider.run_id
        self.stats.set_value("sdg/run_id", self.run_id)
        logger.info("Writing run %d to %s", self.run_id, self.repository.display_url)
        self.start_batches()

    async def spider_closed(self, reason: str) -> None:
        """Leave the run (requeueing what this worker holds); the last worker of a drained run finishes it."""
        context = worker_context(self.crawler)
        try:
            requeued, finished = context.frontier.leave(context.worker_id)
            if requeued:
                logger.info("%d requests this worker held are queued again for the other workers", requeued)
            self.stats.set_value("sdg/distributed/requeued_on_leave", requeued)
            if finished and self.run_id is not None:
                state = context.frontier.state()
                stats = {
                    "close_reason": "finished",
                    "distributed": dict(state.stats),
                    "redis_namespace": context.frontier.name,
                    "finished_by": context.worker_id,
                }
                await self.in_writer_thread(self.repository.finish_run, self.run_id, stats=stats)
                self.stats.set_value("sdg/distributed/finished_run", True)
                logger.info("Run %d finished: every queued URL has its record", self.run_id)
        finally:
            await self.stop_evaluation()
            self.executor.shutdown(wait=True)
