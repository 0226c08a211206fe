"""`sdg-tags check TARGET...`: the editor's command. Validate files, folders, URLs or standard input.

Exit codes: 0 no failing findings; 1 failing findings (errors, or warnings under `--fail-on warning`); 2 a usage
error or a target that could not be checked (it still appears in the output, verdict `not-evaluated`).
Cold start matters here (an editor runs it on one file): module level is standard library only, and `run`
imports the validator, never Scrapy, SQLAlchemy or (unless `--structured-data`) extruct.
"""

from __future__ import annotations

import argparse
import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sdg_tags.cli.commands.taxonomy import as_of_argument

from sdg_tags.sizes import MAX_PAGE_BYTES, format_size

if TYPE_CHECKING:
    from sdg_tags.validators.models import PageResult, ValidationOptions

FORMATS = ("text", "json", "junit", "sarif")
SEVERITY_LEVELS = ("error", "warning", "info")
HTML_SUFFIXES = (".html", ".htm")
# Below this many pages, forking checking processes (and freezing the start-up objects) costs more than it saves.
PARALLEL_FROM = 64
# Each checking process holds a pipe and a copy of the checker: a bound that --jobs 1000000 cannot pass.
MAX_JOBS = 64
DEFAULT_TIMEOUT = 15.0
DEFAULT_RENDER_TIMEOUT = 20.0
# Where standard input is rendered from: it resolves nowhere, so the page's relative sub-resources fail.
STDIN_RENDER_URL = "https://standard-input.invalid/"
COUNTRY_RULE = (
    "registry-country-mismatch"  # `--country` reports under it: the expected country plays the registry
)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
# A host name at the start of a target that is no file (`www.example.be/x`): a URL typed without its scheme.
_BARE_HOST = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+([A-Za-z]{2,63})(?::\d{1,5})?(?:[/?#]|$)"
)
# `page.html` alone is a missing file, not a host: last labels that are file name extensions.
_FILE_EXTENSIONS = frozenset({"html", "htm", "xhtml", "shtml", "php", "asp", "aspx", "jsp", "xml", "txt"})


def _size(value: str) -> int:
    from sdg_tags.sizes import parse_size

    try:
        return parse_size(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid size: {exc}") from None


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"invalid number of jobs {value!r}; give 1 or more")
    if int(value) > MAX_JOBS:
        raise argparse.ArgumentTypeError(f"invalid number of jobs {value!r}; give at most {MAX_JOBS}")
    return int(value)


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"invalid time limit {value!r}; give seconds, e.g. 15 or 2.5")
    return seconds


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check pages (files, folders, URLs, stdin) for SDG tags",
        description="Check pages for Single Digital Gateway tags: verdict, findings with line and column, "
        "fix hints. TARGET is an HTML file, a folder (every *.html/*.htm below it), an http(s) URL, or - "
        "for standard input. Exit codes: 0 no failing findings, 1 failing findings, 2 usage error or a "
        "target that could not be checked.",
    )
    parser.add_argument("targets", nargs="+", metavar="TARGET", help="file, folder, http(s) URL, or -")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="lowest severity that makes the exit code 1 (default: error)",
    )
    parser.add_argument(
        "--ignore", action="append", default=[], metavar="RULE", help="switch a rule off (repeatable)"
    )
    parser.add_argument(
        "--enable",
        action="append",
        default=[],
        metavar="RULE",
        help="switch on a rule that is off by default (repeatable)",
    )
    parser.add_argument(
        "--severity",
        action="append",
        default=[],
        metavar="RULE=LEVEL",
        help="change a rule's severity to error, warning or info (repeatable)",
    )
    parser.add_argument(
        "--country",
        metavar="CC",
        help="the EEA country the pages belong to; a different DC.ISO3166 is reported as "
        f"{COUNTRY_RULE} (warning)",
    )
    parser.add_argument(
        "--profile",
        choices=("harvester", "strict"),
        default="harvester",
        help="harvester (default): name-case variants and property= count, with warnings; "
        "strict: only exact name= spelling counts",
    )
    parser.add_argument(
        "--suggest", action="store_true", help="also print a corrected tag block to paste in the page"
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=0,
        metavar="N",
        help="pages checked in parallel, one process each (default: every CPU when there are "
        f"{PARALLEL_FROM} pages or more; 1 = in this process; at most {MAX_JOBS})",
    )
    parser.add_argument(
        "--structured-data",
        action="store_true",
        help="also extract JSON-LD, microdata and OpenGraph (added to JSON output as structured_data)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="text output: only failing pages and the summary"
    )
    parser.add_argument(
        "--as-of",
        type=as_of_argument,
        metavar="YYYY-MM-DD",
        help="check against the annex code lists in force on this date (default: today)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"time limit per URL for the whole fetch: name lookup, connection, TLS, headers and body, "
        f"redirects included (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--max-size",
        type=_size,
        default=MAX_PAGE_BYTES,
        metavar="BYTES",
        help=f"largest page read, after decompression; binary units, 1k = 1024 (default: {format_size(MAX_PAGE_BYTES)})",
    )
    parser.add_argument(
        "--render",
        action="store_true",
        help="also load each page in headless Chromium (/usr/bin/chromium) and report tags that only "
        "JavaScript adds (tags-only-after-javascript) or changes (tags-changed-by-javascript)",
    )
    parser.add_argument(
        "--render-timeout",
        type=_seconds,
        default=DEFAULT_RENDER_TIMEOUT,
        metavar="SECONDS",
        help=f"with --render: time a page may take to settle in the browser (default: {DEFAULT_RENDER_TIMEOUT:g})",
    )
    parser.set_defaults(handler=run)


# --- options ---------------------------------------------------------------------------------------------------


def _known_rule(rule_id: str, option: str, known: dict[str, Any]) -> str:
    from sdg_tags.cli.main import CommandLineError

    if rule_id in known:
        return rule_id
    import difflib

    close = difflib.get_close_matches(rule_id, list(known), n=1)
    guess = f"; did you mean {close[0]!r}?" if close else "; 'sdg-tags rules' lists them"
    raise CommandLineError(f"unknown rule id {rule_id!r} in {option}{guess}")


def _expected_country(value: str | None) -> str | None:
    from sdg_tags.cli.main import CommandLineError
    from sdg_tags.taxonomy import classify_country

    if value is None:
        return None
    found = classify_country(value)
    if found.kind in ("eea", "greece-iso") and found.country is not None:
        return found.country.code
    raise CommandLineError(f"--country {value!r} is not an EEA country code (e.g. BE, EL, SE)")


def build_options(args: argparse.Namespace) -> ValidationOptions:
    """The validation options of this run; an unknown rule id or a bad value is a usage error."""
    from sdg_tags.cli.main import CommandLineError
    from sdg_tags.validators.models import ValidationOptions
    from sdg_tags.validators.rules import RULES

    overrides: dict[str, str] = {}
    for setting in args.severity:
        rule_id, sep, level = setting.partition("=")
        if not sep or level.strip().lower() not in SEVERITY_LEVELS:
            raise CommandLineError(
                f"--severity needs RULE=LEVEL with LEVEL error, warning or info; got {setting!r}"
            )
        overrides[_known_rule(rule_id.strip(), "--severity", RULES)] = level.strip().lower()
    return ValidationOptions(
        profile=args.profile,
        ignore=frozenset(_known_rule(rule_id, "--ignore", RULES) for rule_id in args.ignore),
        enable=frozenset(_known_rule(rule_id, "--enable", RULES) for rule_id in args.enable),
        severity_overrides=overrides,
        expected_country=_expected_country(args.country),
        suggest=args.suggest,
        as_of=args.as_of,
    )


# --- targets ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """One page to check: `kind` is "file", "url", "stdin", "empty-folder" (nothing to check in it) or
    "unreadable" (a name in a folder that cannot be read; `detail` says why)."""

    kind: str
    name: str
    detail: str | None = None


def expand_targets(arguments: list[str]) -> list[Target]:
    """Files as given, folders expanded to their *.html/*.htm files (recursively, sorted), URLs, `-`."""
    from sdg_tags.cli.main import CommandLineError

    targets: list[Target] = []
    stdin_seen = False
    for argument in arguments:
        scheme = _SCHEME.match(argument)
        if argument == "-":
            if stdin_seen:
                raise CommandLineError("'-' (standard input) is given more than once")
            stdin_seen = True
            targets.append(Target("stdin", "-"))
        elif scheme is not None:
            if scheme.group(1).lower() not in ("http", "https"):
                raise CommandLineError(
                    f"cannot check {argument!r}: only http and https URLs, files, folders and - are supported"
                )
            from urllib.parse import urlsplit

            try:
                parts = urlsplit(argument)
                valid = bool(parts.hostname) and (parts.port is None or parts.port > 0)
            except ValueError:
                valid = False
            if not valid:
                raise CommandLineError(f"{argument!r} is not a valid URL (no host name, or a bad port)")
            targets.append(Target("url", argument))
        elif os.path.isdir(argument):
            targets += folder_targets(argument) or [Target("empty-folder", argument)]
        elif _url_without_scheme(argument):
            raise CommandLineError(
                f"{argument!r} is neither a file nor a URL; for the web page add https:// ('https://{argument}')"
            )
        else:
            targets.append(Target("file", argument))
    return targets


def _url_without_scheme(argument: str) -> bool:
    """`www.example.be/x`, `example.be`: no such file, and it starts with a host name."""
    host = _BARE_HOST.match(argument)
    if host is None or os.path.lexists(argument):
        return False
    return (
        "/" in argument
        or argument.lower().startswith("www.")
        or host.group(1).lower() not in _FILE_EXTENSIONS
    )


def folder_targets(folder: str) -> list[Target]:
    """The *.html/*.htm files under a folder (recursively, sorted; linked folders are not entered), and what
    could not be read there: a subfolder that cannot be listed, an HTML name that is no regular file."""
    found: list[Target] = []

    def unlistable(error: OSError) -> None:
        why = error.strerror or str(error)
        found.append(Target("unreadable", error.filename or folder, f"folder could not be read: {why}"))

    for directory, _folders, files in os.walk(folder, onerror=unlistable):
        for name in files:
            if name.lower().endswith(HTML_SUFFIXES):
                path = os.path.join(directory, name)
                problem = _not_regular_file(path)
                found.append(Target("file", path) if problem is None else Target("unreadable", path, problem))
    return sorted(found, key=lambda target: target.name)


def _not_regular_file(path: str) -> str | None:
    """Why a name found in a folder is not read (a FIFO would block the read for ever), or None."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "a symbolic link to nothing" if os.path.islink(path) else "no such file"
    except OSError as exc:  # a link loop, a name too long, ...
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    return "not a regular file (a FIFO); not read" if stat.S_ISFIFO(mode) else "not a regular file; not read"


def _not_evaluated(
    target: str, detail: str, options: ValidationOptions, url: str | None = None
) -> PageResult:
    from sdg_tags.validators.models import not_evaluated_result

    return not_evaluated_result(target=target, url=url, status_detail=detail, profile=options.profile)


def _read_limited(stream: Any, max_size: int, expected: int | None = None) -> bytes | None:
    """Up to `max_size` bytes, or None when there is more. `expected`, a regular file's size, sizes the read:
    asking for `max_size + 1` bytes allocates that much for every file (mapped and unmapped by the kernel:
    that was 13 % of the CPU time of a folder check)."""
    if expected is not None and expected < max_size:
        data = stream.read(expected + 1)
        if len(data) <= expected:
            return data
        data += stream.read(max_size + 1 - len(data))  # the file grew since it was measured
    else:
        data = stream.read(max_size + 1)
    return None if len(data) > max_size else data


def _too_large(max_size: int) -> str:
    return f"too-large: larger than the size limit of {max_size:,} bytes (--max-size)"


def _read_file(path: str, max_size: int) -> tuple[bytes | None, str | None]:
    """(bytes, None) or (None, what went wrong)."""
    try:
        info = os.stat(path)
        kind = info.st_mode
        if not stat.S_ISREG(kind) and not stat.S_ISDIR(kind):
            # a FIFO would block the read until some writer appears, a device would never end
            return None, "not a regular file (a pipe, socket or device); give - to read standard input"
        with open(path, "rb") as stream:
            data = _read_limited(stream, max_size, info.st_size)
    except FileNotFoundError:
        return None, "no such file"
    except IsADirectoryError:
        return None, "is a directory"
    except PermissionError:
        return None, "permission denied: the file could not be read"
    except OSError as exc:
        return None, f"the file could not be read ({exc.strerror or exc})"
    if data is None:
        return None, _too_large(max_size)
    return data, None


def _structured_data(body: bytes, url: str | None, headers: dict[str, str] | None) -> dict[str, Any]:
    """JSON-LD, microdata and OpenGraph of the page (extruct is imported only when asked for)."""
    import extruct
    from sdg_tags.validators.extraction import decode_page

    text, _, _ = decode_page(body, headers)
    try:
        return extruct.extract(
            text, base_url=url, syntaxes=["json-ld", "microdata", "opengraph"], uniform=True, errors="ignore"
        )
    except Exception as exc:  # extruct raises on markup it cannot parse; the check itself must go on
        return {"error": f"structured data could not be extracted ({type(exc).__name__}: {exc})"}


def _expect_country(result: PageResult, expected: str, options: ValidationOptions) -> None:
    """`--country`: a DC.ISO3166 without the expected country gets a `registry-country-mismatch` finding."""
    from sdg_tags.validators.engine import apply_options, sort_key, verdict_of
    from sdg_tags.validators.rules.table import rule_finding

    view = result.tags.get("DC.ISO3166")
    if result.verdict in ("not-evaluated", "not-self-describing") or view is None or not view.values:
        return
    if any(finding.rule == COUNTRY_RULE for finding in result.findings):
        return  # the engine already compared (ValidationOptions.expected_country)
    from sdg_tags.taxonomy.countries import tag_code
    from sdg_tags.validators.extraction import STRAY_QUOTES

    written = {tag_code(value.strip().strip(STRAY_QUOTES).upper()) for value in view.values}
    if expected in written:
        return
    finding = rule_finding(
        COUNTRY_RULE,
        f"DC.ISO3166 is {view.raw!r}; expected {expected} (--country)",
        tag="DC.ISO3166",
        value=view.raw,
        expected=expected,
        line=view.line,
        column=view.column,
        origin=view.origin,
        hint=f"Set DC.ISO3166 to {expected}, or check that the page belongs to {expected}",
    )
    added = apply_options([finding], options)
    if added:
        result.findings = sorted([*result.findings, *added], key=sort_key)
        result.verdict = verdict_of(result.findings)


def check_target(target: Target, options: ValidationOptions, args: argparse.Namespace) -> PageResult:
    """Read or fetch one target and validate it; what could not be read becomes a `not-evaluated` page."""
    from sdg_tags.validators.engine import check_page

    url: str | None = None
    headers: dict[str, str] | None = None
    note: str | None = None
    if target.kind == "empty-folder":
        return _not_evaluated(target.name, "no *.html or *.htm files in this folder", options)
    if target.kind == "unreadable":
        return _not_evaluated(target.name, target.detail or "could not be read", options)
    if target.kind == "url":
        from sdg_tags.fetcher import fetch_url

        fetched = fetch_url(target.name, timeout=args.timeout, max_bytes=args.max_size)
        if not fetched.evaluated:
            detail = f"{fetched.fetch_status}: {fetched.detail}"
            return _not_evaluated(target.name, detail, options, url=fetched.final_url)
        body, url, headers, note = fetched.body, fetched.final_url, fetched.headers, fetched.detail
    elif target.kind == "stdin":
        if sys.stdin is None or sys.stdin.closed:
            return _not_evaluated(target.name, "standard input is closed", options)
        data = _read_limited(sys.stdin.buffer, args.max_size)
        if data is None:
            return _not_evaluated(target.name, _too_large(args.max_size), options)
        body = data
    else:
        data, problem = _read_file(target.name, args.max_size)
        if data is None:
            return _not_evaluated(target.name, problem or "the file could not be read", options)
        body = data
    renderer = getattr(args, "renderer", None)
    if renderer is not None:
        result = _check_rendered(body, target, url, headers, options, renderer)
        if result.verdict == "not-evaluated":
            return result
    else:
        result = check_page(body, url=url, headers=headers, options=options, target=target.name)
    if note:
        result.status_detail = f"{result.status_detail}; {note}" if result.status_detail else note
    if options.expected_country:
        _expect_country(result, options.expected_country, options)
    if args.structured_data and result.verdict != "not-evaluated":
        result.structured_data = _structured_data(body, url, headers)
    return result


def _check_rendered(
    body: bytes,
    target: Target,
    url: str | None,
    headers: dict[str, str] | None,
    options: ValidationOptions,
    renderer: Any,
) -> PageResult:
    """`--render`: the served tags plus what the browser's DOM adds or changes (rendering.comparison)."""
    from sdg_tags.rendering.comparison import extract_rendered, validate_with_rendering
    from sdg_tags.validators.extraction import extract_tags

    if target.kind == "file":  # loaded from disk, so its scripts and styles load from beside it
        rendered = renderer.render_url(Path(target.name).resolve().as_uri())
    else:  # the bytes already fetched or read, so both checks see the same page
        content_type = (headers or {}).get("content-type") or "text/html"
        rendered = renderer.render_document(body, url=url or STDIN_RENDER_URL, content_type=content_type)
    if not rendered.evaluated:
        return _not_evaluated(target.name, f"{rendered.status}: {rendered.detail}", options, url=url)
    static = extract_tags(body, url=url, headers=headers)
    return validate_with_rendering(
        static, extract_rendered(rendered.html, url=url), options, target=target.name
    )


# --- output ----------------------------------------------------------------------------------------------------


def _use_color() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org) or TERM is dumb."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _write(text: str, machine_format: bool) -> None:
    try:
        _write_stdout(text, machine_format)
    except BrokenPipeError:
        raise  # `check ... | head`: cli.main ends quietly
    except OSError as exc:  # a full disk, a closed descriptor
        from sdg_tags.cli.main import CommandLineError

        # What is still buffered would fail again at exit, with a second message: let it go nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise CommandLineError(f"cannot write to standard output: {exc.strerror or exc}") from None


def _write_stdout(text: str, machine_format: bool) -> None:
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    if machine_format and encoding != "utf8" and hasattr(sys.stdout, "buffer"):
        # JSON, XML and SARIF are UTF-8 whatever the terminal's locale says.
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
        return
    if encoding != "utf8" and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    sys.stdout.write(text)
    sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    if sys.stdout is None:  # started with descriptor 1 closed (`>&-`): nowhere to put the report
        from sdg_tags.cli.main import CommandLineError

        raise CommandLineError("standard output is closed; redirect it to a file (or /dev/null)")
    options = build_options(args)
    targets = expand_targets(args.targets)
    if not getattr(args, "render", False):
        return _check_all(targets, options, args)
    from sdg_tags.cli.main import CommandLineError
    from sdg_tags.rendering.browser import BrowserRenderer, RenderingUnavailable

    renderer = BrowserRenderer(timeout=args.render_timeout)
    try:
        renderer.start()
    except RenderingUnavailable as exc:
        raise CommandLineError(f"--render: {exc}") from None
    args.renderer = renderer
    try:
        return _check_all(targets, options, args)
    finally:
        renderer.close()


def _check_all(targets: list[Target], options: ValidationOptions, args: argparse.Namespace) -> int:
    """Check every target and write the report page by page: nothing but a small digest of each page is kept,
    so memory does not grow with the number of pages (JUnit and SARIF, whose counts and rule table come
    first, spool their page parts to a temporary file)."""
    import tempfile

    from sdg_tags.validators.output.outcome import Tally

    tally = Tally()
    machine = args.format != "text"
    if args.format in ("junit", "sarif"):
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
            writer = _PageWriter(args)
            for piece, digest in _checked_pages(targets, options, args, writer):
                spool.write(piece)
                tally.add(digest)
            spool.seek(0)
            _write(writer.opening(tally), machine)
            while chunk := spool.read(1 << 20):
                _write(chunk, machine)
            _write(writer.closing(tally), machine)
        return tally.exit_code()
    writer = _PageWriter(args)
    _write(writer.opening(tally), machine)
    for piece, digest in _checked_pages(targets, options, args, writer):
        _write(piece, machine)
        tally.add(digest)
    _write(writer.closing(tally), machine)
    return tally.exit_code()


class _PageWriter:
    """The report's text in its format: an opening, one piece per page, a closing (validators/output)."""

    def __init__(self, args: argparse.Namespace) -> None:
        from sdg_tags.version import package_version

        self.format = args.format
        self.fail_on = args.fail_on
        self.quiet = args.quiet
        self.color = _use_color() if self.format == "text" else False
        self.version = package_version() if self.format in ("json", "sarif") else ""
        self.first = True
        self.sarif: Any = None
        if self.format == "sarif":
            from sdg_tags.validators.output.sarif import SarifLog

            self.sarif = SarifLog(version=self.version)

    def opening(self, tally: Any) -> str:
        if self.format == "json":
            from sdg_tags.validators.output.json_format import json_opening

            return json_opening(self.version)
        if self.format == "junit":
            from sdg_tags.validators.output.junit import junit_opening

            return junit_opening(tally)
        if self.format == "sarif":
            return self.sarif.opening()
        return ""

    def page(self, result: PageResult) -> str:
        """The page's piece; runs in a worker process when checks are parallel (SARIF excepted: its rule
        indexes are assigned in order, so its pieces are made in the writing process)."""
        if self.format == "json":
            from sdg_tags.validators.output.json_format import json_page

            return json_page(result)
        if self.format == "junit":
            from sdg_tags.validators.output.junit import junit_testcase

            return junit_testcase(result, fail_on=self.fail_on)
        if self.format == "sarif":
            return "".join(self.sarif.item(item) for item in self.sarif.page_results(result))
        from sdg_tags.validators.output.outcome import page_fails
        from sdg_tags.validators.output.text import format_page

        if self.quiet and not page_fails(result, self.fail_on):
            return ""
        return format_page(result, fail_on=self.fail_on, color=self.color, quiet=self.quiet) + "\n"

    def place(self, piece: str) -> str:
        """A page's piece as written at its place in the report, in the writing process (JSON: the separator
        depends on whether a page came before)."""
        if self.format != "json":
            return piece
        from sdg_tags.validators.output.json_format import json_separator

        separator, self.first = json_separator(self.first), False
        return separator + piece

    def closing(self, tally: Any) -> str:
        if self.format == "json":
            from sdg_tags.validators.output.json_format import json_closing

            return json_closing(tally)
        if self.format == "junit":
            from sdg_tags.validators.output.junit import junit_closing

            return junit_closing(tally)
        if self.format == "sarif":
            return self.sarif.closing()
        from sdg_tags.validators.output.text import summary_line

        return summary_line(tally, fail_on=self.fail_on) + "\n"


def _checked_pages(
    targets: list[Target], options: ValidationOptions, args: argparse.Namespace, writer: _PageWriter
) -> Any:
    """(piece, digest) per target, in target order; checked in several processes when that pays (--jobs)."""
    from sdg_tags.cli.ordered_fork_map import WorkerFailed, ordered_fork_map
    from sdg_tags.validators.output.outcome import page_digest

    jobs = args.jobs or (os.cpu_count() or 1)
    parallel = (
        jobs > 1
        and len(targets) >= (PARALLEL_FROM if not args.jobs else 2)
        and getattr(args, "renderer", None) is None
        and all(target.kind != "stdin" for target in targets)
    )
    if len(targets) >= PARALLEL_FROM:
        # Each page allocates thousands of short-lived objects; with CPython's defaults the collector keeps
        # re-walking the imported modules and tables. The crawl's settings: freeze those, collect less often.
        from sdg_tags.crawler.garbage_collection import tune_for_crawl

        tune_for_crawl()

    def produce(target: Target) -> tuple[Any, Any]:
        result = check_target(target, options, args)
        # SARIF numbers its rules in the order of the report: its pieces are made in the writing process.
        made = result if writer.format == "sarif" else writer.page(result)
        return made, page_digest(result, args.fail_on)

    try:
        for made, digest in ordered_fork_map(produce, targets, jobs if parallel else 1):
            piece = writer.page(made) if writer.format == "sarif" else made
            yield writer.place(piece), digest
    except WorkerFailed as exc:
        from sdg_tags.cli.main import CommandLineError

        raise CommandLineError(str(exc)) from None
