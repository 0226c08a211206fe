"""Inline SVG charts drawn in Python: no script, no external resource, and a data table under each one.

Every text that comes from crawled data or the registry is escaped (`Markup.format` escapes its arguments); colours are SVG
presentation attributes, not `style=`, so the report's Content-Security-Policy needs no 'unsafe-inline'.
Each chart is an `<svg role="img">` with `<title>`/`<desc>` and a `<details>` table for screen readers and
for reading exact numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

VERDICT_COLOURS: dict[str, str] = {
    "compliant": "#1a7f37",
    "compliant-with-warnings": "#bf8700",
    "non-compliant": "#cf222e",
    "not-self-describing": "#6e7781",
    "not-evaluated": "#c8d1da",
}
SEVERITY_COLOURS: dict[str, str] = {"error": "#cf222e", "warning": "#bf8700", "info": "#0969da"}
WIDTH = 760
LABEL_WIDTH = 210
VALUE_WIDTH = 120
ROW_HEIGHT = 22
BAR_HEIGHT = 15
TOP = 8
MAX_LABEL_CHARS = 30


@dataclass(frozen=True, slots=True)
class StackedRow:
    """One bar of a stacked chart: its label, the count per category, and an optional in-report link."""

    label: str
    counts: Mapping[str, int]
    note: str = ""  # shown right of the bar (e.g. "92 % compliant")
    link: str | None = None  # "#pages:country=BE"


@dataclass(frozen=True, slots=True)
class BarRow:
    label: str
    value: int
    colour: str
    link: str | None = None


def short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def number(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


def percent(value: float | None) -> str:
    """`92.5 %`, or an en dash when there is no value."""
    return "–" if value is None else f"{value * 100:.1f}\u00a0%"


def _wrap_link(link: str | None, content: Markup) -> Markup:
    if not link:
        return content
    return Markup('<a href="{}">{}</a>').format(link, content)


def _svg_open(chart_id: str, title: str, description: str, height: int) -> Markup:
    return Markup(
        '<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
    ).format(w=WIDTH, h=height, id=chart_id, title=title, desc=description)


def _figure(chart_id: str, title: str, svg: Markup, table: Markup, legend: Markup | None = None) -> Markup:
    return Markup(
        '<figure class="chart-figure" id="{id}"><figcaption>{title}</figcaption>{legend}{svg}'
        "<details><summary>Data table: {title}</summary>{table}</details></figure>"
    ).format(id=chart_id, title=title, legend=legend or Markup(""), svg=svg, table=table)


def legend(categories: Sequence[str], colours: Mapping[str, str], labels: Mapping[str, str]) -> Markup:
    items = Markup("").join(
        Markup(
            '<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="{}"/></svg> {}</li>'
        ).format(colours[category], labels.get(category, category))
        for category in categories
    )
    return Markup('<ul class="legend">{}</ul>').format(items)


def stacked_bars(
    chart_id: str,
    title: str,
    rows: Sequence[StackedRow],
    *,
    categories: Sequence[str],
    labels: Mapping[str, str],
    colours: Mapping[str, str] = VERDICT_COLOURS,
    description: str = "",
) -> Markup:
    """Horizontal bars of 100 % each, split into categories (shares of the row's total), with a data table."""
    if not rows:
        return Markup('<p class="empty">{}: no data.</p>').format(title)
    height = TOP * 2 + ROW_HEIGHT * len(rows)
    bar_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = [_svg_open(chart_id, title, description or title, height)]
    for index, row in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        total = sum(row.counts.get(category, 0) for category in categories)
        segments = [Markup("<title>{}: {} pages</title>").format(row.label, number(total))]
        x = float(LABEL_WIDTH)
        for category in categories:
            count = row.counts.get(category, 0)
            if not count or not total:
                continue
            width = bar_width * count / total
            segments.append(
                Markup(
                    '<rect x="{:.1f}" y="{}" width="{:.1f}" height="{}" fill="{}"><title>{}: {} – {} ({})</title></rect>'
                ).format(
                    x,
                    y + 3,
                    width,
                    BAR_HEIGHT,
                    colours[category],
                    row.label,
                    labels.get(category, category),
                    number(count),
                    percent(count / total),
                )
            )
            x += width
        segments.append(
            Markup('<text x="{}" y="{}" text-anchor="end" class="label">{}</text>').format(
                LABEL_WIDTH - 6, y + 15, short(row.label)
            )
        )
        segments.append(
            Markup('<text x="{}" y="{}" class="value">{}</text>').format(
                WIDTH - VALUE_WIDTH + 6, y + 15, row.note or number(total)
            )
        )
        parts.append(_wrap_link(row.link, Markup('<g class="row">{}</g>').format(Markup("").join(segments))))
    parts.append(Markup("</svg>"))
    header = Markup("").join(Markup('<th scope="col">{}</th>').format(labels.get(c, c)) for c in categories)
    body = Markup("").join(
        Markup('<tr><th scope="row">{}</th>{}<td>{}</td><td>{}</td></tr>').format(
            row.label,
            Markup("").join(Markup("<td>{}</td>").format(row.counts.get(c, 0)) for c in categories),
            sum(row.counts.get(c, 0) for c in categories),
            row.note,
        )
        for row in rows
    )
    table = Markup(
        '<table class="data"><thead><tr><th scope="col"></th>{}<th scope="col">Pages</th><th scope="col"></th></tr></thead><tbody>{}</tbody></table>'
    ).format(header, body)
    return _figure(chart_id, title, Markup("").join(parts), table, legend(categories, colours, labels))


def bars(chart_id: str, title: str, rows: Sequence[BarRow], *, unit: str, description: str = "") -> Markup:
    """Horizontal bars scaled to the largest value, with a data table."""
    if not rows:
        return Markup('<p class="empty">{}: no data.</p>').format(title)
    height = TOP * 2 + ROW_HEIGHT * len(rows)
    bar_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    largest = max(row.value for row in rows) or 1
    parts = [_svg_open(chart_id, title, description or title, height)]
    for index, row in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        width = max(bar_width * row.value / largest, 1.0)
        content = Markup(
            '<g class="row"><title>{label}: {value} {unit}</title>'
            '<rect x="{x}" y="{y}" width="{width:.1f}" height="{h}" fill="{colour}"/>'
            '<text x="{lx}" y="{ty}" text-anchor="end" class="label">{short}</text>'
            '<text x="{vx}" y="{ty}" class="value">{value}</text></g>'
        ).format(
            label=row.label,
            value=number(row.value),
            unit=unit,
            x=LABEL_WIDTH,
            y=y + 3,
            width=width,
            h=BAR_HEIGHT,
            colour=row.colour,
            lx=LABEL_WIDTH - 6,
            ty=y + 15,
            short=short(row.label),
            vx=LABEL_WIDTH + width + 6,
        )
        parts.append(_wrap_link(row.link, content))
    parts.append(Markup("</svg>"))
    body = Markup("").join(
        Markup('<tr><th scope="row">{}</th><td>{}</td></tr>').format(row.label, row.value) for row in rows
    )
    table = Markup(
        '<table class="data"><thead><tr><th scope="col"></th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>'
    ).format(unit, body)
    return _figure(chart_id, title, Markup("").join(parts), table)


def line(
    chart_id: str, title: str, points: Sequence[tuple[str, float | None]], *, description: str = ""
) -> Markup:
    """A line of shares (0–1) over labelled points (runs); missing values leave a gap. With a data table."""
    if not points:
        return Markup('<p class="empty">{}: no data.</p>').format(title)
    height, left, right, top, bottom = 220, 50, 20, 14, 40
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    step = plot_width / max(len(points) - 1, 1)
    parts = [_svg_open(chart_id, title, description or title, height)]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_height * (1 - tick)
        parts.append(
            Markup(
                '<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" class="grid"/><text x="{}" y="{:.1f}" text-anchor="end" class="value">{}</text>'
            ).format(left, WIDTH - right, y, y, left - 6, y + 4, f"{tick * 100:.0f}\u00a0%")
        )
    coordinates: list[tuple[float, float] | None] = []
    for index, (label, value) in enumerate(points):
        x = left + step * index if len(points) > 1 else left + plot_width / 2
        parts.append(
            Markup('<text x="{:.1f}" y="{}" text-anchor="middle" class="label">{}</text>').format(
                x, height - bottom + 18, label
            )
        )
        if value is None:
            coordinates.append(None)
            continue
        y = top + plot_height * (1 - value)
        coordinates.append((x, y))
    segment: list[str] = []
    for point in [*coordinates, None]:
        if point is None:
            if len(segment) > 1:
                parts.append(Markup('<polyline points="{}" class="trend"/>').format(" ".join(segment)))
            segment = []
        else:
            segment.append(f"{point[0]:.1f},{point[1]:.1f}")
    for (label, value), point in zip(points, coordinates, strict=True):
        if point is not None:
            parts.append(
                Markup(
                    '<circle cx="{:.1f}" cy="{:.1f}" r="4" class="point"><title>{}: {}</title></circle>'
                ).format(point[0], point[1], label, percent(value))
            )
    parts.append(Markup("</svg>"))
    body = Markup("").join(
        Markup('<tr><th scope="row">{}</th><td>{}</td></tr>').format(label, percent(value))
        for label, value in points
    )
    table = Markup(
        '<table class="data"><thead><tr><th scope="col">Run</th><th scope="col">Compliance rate</th></tr></thead><tbody>{}</tbody></table>'
    ).format(body)
    return _figure(chart_id, title, Markup("").join(parts), table)
