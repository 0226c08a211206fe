"""The crawl frontier's resume journal (`--job-dir`): what was queued and what is safely stored.

Why not only Scrapy's JOBDIR: its queue state (queuelib `info.json`, the scheduler's `active.json`) is written
on a clean shutdown only and `requests.seen` is buffered, so a crawl killed with SIGKILL (OOM killer, reboot,
`systemctl kill`) resumes with lost requests. This journal is an append-only JSON-lines file, one line per
event, each line handed to the OS as it is written (a killed process loses nothing it wrote):

* `{"add": {...target...}}` when a URL enters the frontier (written before the request is scheduled);
* `{"seen": key}` when a URL is covered without its own fetch (an in-scope canonical or redirect target);
* `{"done": url}` when the URL's record is committed to the repository (after the transaction).

On resume, targets added but not done are queued again (an upsert makes a refetch harmless), and everything
added or seen stays de-duplicated. A torn last line (killed mid-write) is ignored. Once the job dir's run has
finished, running it again does nothing (`nothing_to_resume`): a rerun must not store the night twice.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from sdg_tags.repository.records import RunInfo
from sdg_tags.repository.timestamps import iso_utc

logger = logging.getLogger(__name__)

JOURNAL_NAME = "frontier.jsonl"


@dataclass(slots=True)
class CrawlTarget:
    """One URL in the frontier, with what its fetch needs to know (JSON-serialisable)."""

    url: str
    key: str  # dedupe key (crawler.scope.dedupe_key)
    scope_url: str  # the registry entry whose scope applies (folder or page)
    registry_url: str | None = None
    registered: bool = False  # the URL is itself a registry entry
    discovered: bool = False
    depth: int = 0
    noindex_via: str | None = None
    # set on a registered page released after its folder never reached it
    not_reachable_from: str | None = None
    # a link to the page's address on another host (`www.` vs bare) seen in the folder crawl
    linked_via_other_host: str | None = None


@dataclass(slots=True)
class JournalState:
    """What a journal replay yields."""

    targets: dict[str, CrawlTarget] = field(default_factory=dict)  # by url, in insertion order
    seen_keys: set[str] = field(default_factory=set)
    done_urls: set[str] = field(default_factory=set)
    torn_lines: int = 0

    @property
    def pending(self) -> list[CrawlTarget]:
        return [target for url, target in self.targets.items() if url not in self.done_urls]


class FrontierJournal:
    """Append-only journal in `<job dir>/frontier.jsonl`."""

    def __init__(self, job_dir: str | Path) -> None:
        self.job_dir = Path(job_dir)
        self.path = self.job_dir / JOURNAL_NAME
        self._file: IO[str] | None = None

    def replay(self) -> JournalState:
        """Read the journal (an absent file is an empty state)."""
        state = JournalState()
        if not self.path.exists():
            return state
        with self.path.open(encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                try:
                    event: dict[str, Any] = json.loads(line)
                except json.JSONDecodeError:
                    state.torn_lines += 1
                    continue
                if "add" in event:
                    target = CrawlTarget(**event["add"])
                    state.targets[target.url] = target
                    state.seen_keys.add(target.key)
                elif "seen" in event:
                    state.seen_keys.add(event["seen"])
                elif "done" in event:
                    state.done_urls.add(event["done"])
        return state

    def reset(self) -> None:
        """Start a new journal (the previous crawl in this job dir finished)."""
        self.close()
        if self.path.exists():
            self.path.replace(self.path.with_suffix(".jsonl.previous"))

    def _write(self, event: dict[str, Any]) -> None:
        if self._file is None:
            self.job_dir.mkdir(parents=True, exist_ok=True)
            # Line-buffered: each event reaches the OS with its newline, so SIGKILL cannot lose it. A torn
            # line from a kill mid-write would glue onto the next event, hence the leading newline guard.
            self._file = self.path.open("a", encoding="utf-8", buffering=1)
            if self._file.tell() > 0:
                self._file.write("\n")
        self._file.write(json.dumps(event, separators=(",", ":")) + "\n")

    def add(self, target: CrawlTarget) -> None:
        self._write({"add": asdict(target)})

    def seen(self, key: str) -> None:
        self._write({"seen": key})

    def done(self, url: str) -> None:
        self._write({"done": url})

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def nothing_to_resume(run: RunInfo, job_dir: str) -> str:
    """What a crawl says when its job dir's run has already finished (and it therefore crawls nothing)."""
    finished = iso_utc(run.finished_at) if run.finished_at is not None else "?"
    return (
        f"run {run.id} of job dir {job_dir} finished at {finished} ({run.counts.get('pages', 0)} pages); nothing "
        "to resume and nothing stored again. For a new run use another --job-dir, or none"
    )
