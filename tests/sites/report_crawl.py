"""Two real crawls of the report test site (`tests/sites/report_site/`), for the report, diff and export tests.

Run 1 crawls the site as shipped; then three pages change (`change.html` loses its marker, `fixed.html` gains
its policy-code, `gone.html` is deleted) and run 2 crawls again. Both crawls are `sdg-tags crawl` subprocesses
against a local server on 127.0.0.1, into one SQLite repository.

| Page | Registry entry | Run 1 | Run 2 |
|---|---|---|---|
| /be/ (index) | web folder, CRAWL, BE | compliant | compliant |
| /be/permis.html, /be/entreprise.html | (in the folder) | compliant / with warnings | same |
| /be/grece.html | (in the folder) | non-compliant (GR) | same |
| /be/change.html | (in the folder) | compliant | non-compliant (marker removed) |
| /be/fixed.html | (in the folder) | non-compliant (no policy-code) | compliant |
| /be/sans-tags.html | (in the folder) | not-self-describing | same |
| /be/xss.html | (in the folder) | non-compliant, markup in every tag | same |
| /be/gone.html | (in the folder) | compliant | not-evaluated (404) |
| /be/dead.html | web page, CRAWL | not-evaluated (404) | not-evaluated (404) |
| /se/upload.html | web page, UPLOAD | not-self-describing | same |
| /se/crawl.html | web page, CRAWL | not-self-describing | same |
| /se/mismatch.html | web page, MANUAL; type, categories, language, national code differ | compliant | same |
| /se/moved.html | web page, CRAWL; 301 to /se/target.html | compliant | same |
| /se/legacy.html | web page, UPLOAD; categories W1 (legacy title) and CITIZENS | compliant | same |
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.sites.crawl_run import CrawlRun, run_crawl, write_registry
from tests.sites.server import SiteServer, redirect

SITE = Path(__file__).with_name("report_site")
BE_PROVIDER = "Service public de Wallonie"
# A provider name with markup: every place that shows it must escape it.
SE_PROVIDER = 'Verket "><img src=x onerror=alert("provider")>'


@dataclass(frozen=True)
class ReportCrawl:
    """The repository of the two runs and what the tests need to know about it."""

    db_url: str
    base: str  # http://127.0.0.1:<port>
    registry: Path
    runs: tuple[int, int]

    def url(self, path: str) -> str:
        return self.base + path


def registry_entries(base: str) -> list[dict[str, Any]]:
    def entry(path: str, **fields: Any) -> dict[str, Any]:
        return {"url": base + path, "urlType": "web page", "type": "Information", **fields}

    be = {"countryCode": "BE", "author": BE_PROVIDER, "language": "fr"}
    se = {"countryCode": "SE", "author": SE_PROVIDER, "language": "sv"}
    return [
        entry("/be/", urlType="web folder", categories="A1", notificationType="CRAWL", **be),
        entry("/be/dead.html", categories="C2", notificationType="CRAWL", **be),
        entry("/se/upload.html", categories="A1", notificationType="UPLOAD", **se),
        entry("/se/crawl.html", categories="A1", notificationType="CRAWL", **se),
        entry(
            "/se/mismatch.html",
            type="Procedure",
            categories="A1",
            nationalCode="SE110",
            notificationType="MANUAL",
            **(se | {"language": "en"}),
        ),
        entry("/se/moved.html", categories="A1", notificationType="CRAWL", **se),
        entry(
            "/se/legacy.html",
            title="General registration of business activity",
            categories="W1;CITIZENS",
            notificationType="UPLOAD",
            **se,
        ),
    ]


def change_site_for_run_2(root: Path) -> None:
    change = root / "be" / "change.html"
    change.write_text(
        change.read_text(encoding="utf-8").replace('<meta name="sdg-tag" content="sdg">\n', ""),
        encoding="utf-8",
    )
    fixed = root / "be" / "fixed.html"
    fixed.write_text(
        fixed.read_text(encoding="utf-8").replace(
            '<meta name="DC.Service" content="information">',
            '<meta name="DC.Service" content="information">\n<meta name="policy-code" content="B2">',
        ),
        encoding="utf-8",
    )
    (root / "be" / "gone.html").unlink()


def checked(run: CrawlRun) -> CrawlRun:
    assert run.returncode == 0, f"crawl failed ({run.returncode}):\n{run.stderr[-4000:]}"
    return run


def build_report_crawl(workdir: Path) -> ReportCrawl:
    """Serve a copy of the site, crawl it, change it, crawl it again; the server is stopped at the end."""
    root = workdir / "site"
    shutil.copytree(SITE, root)
    db_url = f"sqlite:///{workdir / 'report.db'}"
    with SiteServer(root, routes={"/se/moved.html": redirect("/se/target.html", 301)}) as server:
        base = server.origin
        registry = write_registry(workdir / "registry.json", registry_entries(base))
        checked(run_crawl(registry, db_url))
        change_site_for_run_2(root)
        second = checked(run_crawl(registry, db_url))
    runs = [info.id for info in second.runs()]
    assert len(runs) == 2, runs
    return ReportCrawl(db_url=db_url, base=base, registry=registry, runs=(runs[0], runs[1]))
