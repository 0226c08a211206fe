"""Rendering of the self-contained HTML files: Jinja2 with autoescape, inline CSS and JS allowed by hash.

Crawled values are untrusted. Templates autoescape everything; data for the script travels as JSON inside
`<script type="application/json">` with `<`, `>`, `&`, U+2028 and U+2029 escaped, so no value can close the
element or start markup; the script writes values with `textContent` only. The Content-Security-Policy allows
exactly our one style block and our one script (SHA-256 hashes), no other script, no network access at all.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from sdg_tags.reports.charts import number, percent

# str.replace per character: on a 25 MB document five replaces take milliseconds, str.translate seconds.
SCRIPT_JSON_ESCAPES: tuple[tuple[str, str], ...] = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def script_json(value: Any) -> Markup:
    """JSON that is safe inside `<script type="application/json">` (and compact: no spaces)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for character, escape in SCRIPT_JSON_ESCAPES:
        text = text.replace(character, escape)
    return Markup(text)


def csp_source_hash(text: str) -> str:
    """The CSP source expression allowing exactly this inline script or style text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(script: str, style: str) -> str:
    return (
        "default-src 'none'; "
        f"script-src {csp_source_hash(script)}; "
        f"style-src {csp_source_hash(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


@cache
def asset(name: str) -> str:
    """A file of `reports/templates` (the shared CSS and JS) as text."""
    return (resources.files("sdg_tags.reports") / "templates" / name).read_text(encoding="utf-8")


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("sdg_tags.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["percent"] = percent
    env.filters["number"] = number
    env.filters["verdict_class"] = lambda verdict: f"v-{verdict}" if verdict in VERDICT_CLASSES else ""
    return env


VERDICT_CLASSES: frozenset[str] = frozenset(
    {"compliant", "compliant-with-warnings", "non-compliant", "not-self-describing", "not-evaluated"}
)


def render(template: str, context: dict[str, Any], *, script_data: Any) -> str:
    """Render a template of `reports/templates` into one self-contained HTML document."""
    script = asset("table.js")
    style = asset("report.css")
    return (
        environment()
        .get_template(template)
        .render(
            **context,
            csp=content_security_policy(script, style),
            style=Markup(style),
            script=Markup(script),
            script_data=script_json(script_data),
        )
    )


def current_umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux); else set and reset."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o077)  # a moment in which another thread's new file is private, never more open
    os.umask(mask)
    return mask


def write_text_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename, so readers never see half a file. The file
    gets the mode any other tool would give it (0666 less the umask), not mkstemp's private 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(handle, 0o666 & ~current_umask())
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as output:
            output.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
