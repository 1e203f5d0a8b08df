"""Charts as PNG images, drawn with matplotlib off-screen (no display needed).

Figures are made with matplotlib's object API, not pyplot: no global figure registry to leak
into or to share between the worker threads that draw. matplotlib is imported on the first
chart, so a bot that is only answering questions does not carry its ~40 MB.

Drawn with `drawn()`: in a worker thread, once. A chart is a pure function of what it shows,
and what a closed round shows never changes, so the group's results, /results, /summary and
/report draw each chart once (per process) and then send that drawing again.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import math
import textwrap
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from i18n import decimal

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from views.summary import Report

P = ParamSpec("P")
T = TypeVar("T")

# The latest drawings, by what they show. A few dozen bar charts of 30-60 kB each.
DRAWINGS_KEPT = 32
_drawings: OrderedDict[str, Any] = OrderedDict()


async def drawn(draw: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """draw(*args, **kwargs), drawn in a worker thread, or the same drawing as before when it
    was asked for with the same arguments (the charts are pure functions of them)."""
    shown = repr((draw.__module__, draw.__qualname__, args, sorted(kwargs.items())))
    key = hashlib.sha256(shown.encode()).hexdigest()
    if key in _drawings:
        _drawings.move_to_end(key)
        result: T = _drawings[key]
        return result
    result = await asyncio.to_thread(draw, *args, **kwargs)
    _drawings[key] = result
    while len(_drawings) > DRAWINGS_KEPT:
        _drawings.popitem(last=False)
    return result


CURRENT = "#1f6f8b"
PREVIOUS = "#b8c4cc"


# Drawn for a phone: Telegram shows a photo about 390 px wide there, so the figure is narrow
# (4 in at 200 dpi = 800 px, shown at about half) and its words are large: 12 pt at 200 dpi is
# 33 px in the image, about 16 px on the phone.
PHONE_WIDTH_IN = 4.0
PHONE_DPI = 200
LABEL_PT = 12
INK = "#111111"
AXIS = "#8a949b"  # lighter than the words, so that only words are ink


def bar_chart(
    title: str,
    labels: Sequence[str],
    means: Sequence[float | None],
    previous: Sequence[float | None] | None = None,
    *,
    lang: str = "en",
) -> bytes:
    """The mean per item on the 1–10 scale, for a phone: each item's name on a line of its
    own above its bar (names need not be shortened), the value at the bar's end, the previous
    round as a thin grey bar under it. Items without a mean show no bar."""
    count = len(labels)
    row = 0.72 if previous is None else 0.86  # inches per item
    figure = _figure((PHONE_WIDTH_IN, 0.9 + row * count), dpi=PHONE_DPI)
    axes = figure.add_subplot()
    positions = list(range(count))[::-1]
    for position, label, value in zip(positions, labels, means, strict=True):
        axes.text(1, position + 0.24, label, fontsize=LABEL_PT, color=INK, va="bottom")
        if value is not None:
            axes.barh(position, value - 1, left=1, height=0.36, color=CURRENT)
        axes.text(
            (value or 1) + 0.12,
            position,
            "—" if value is None else decimal(lang, value),
            fontsize=LABEL_PT,
            color=INK,
            va="center",
            fontweight="bold",
        )
    if previous is not None:
        axes.barh(
            [p - 0.27 for p in positions],
            [max((value or 1) - 1, 0) for value in previous],
            left=1,
            height=0.14,
            color=PREVIOUS,
        )
    axes.set_xlim(1, 11.4)
    axes.set_ylim(-0.5, count - 0.25)
    axes.set_xticks(range(1, 11), labels=[str(n) for n in range(1, 11)], fontsize=LABEL_PT - 2)
    axes.set_yticks([])
    axes.tick_params(axis="x", color=AXIS, labelcolor=INK)
    axes.grid(axis="x", alpha=0.3)
    axes.set_title(title, fontsize=LABEL_PT + 1, loc="left", color=INK)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(AXIS)
    figure.tight_layout()
    return _png(figure)


def trend_chart(
    title: str,
    labels: Sequence[str],
    dates: Sequence[str],
    series: Sequence[Sequence[float | None]],
) -> bytes:
    """The mean per item across rounds: one line per item, rounds along the bottom."""
    figure = _figure((6.4, 4.2), dpi=150)
    axes = figure.add_subplot()
    positions = list(range(len(dates)))
    for label, values in zip(labels, series, strict=True):
        points = [(x, v) for x, v in zip(positions, values, strict=True) if v is not None]
        if points:
            axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
    axes.set_xticks(positions, labels=list(dates), fontsize=9, rotation=30)
    axes.set_ylim(1, 10)
    axes.grid(alpha=0.3)
    axes.set_title(title, fontsize=13, loc="left")
    axes.legend(fontsize=8, loc="lower left", ncols=2)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    return _png(figure)


A4_INCHES = (8.27, 11.69)
REPORT_DPI = 200  # the PNG: 1654 × 2338 px, sharp on a beamer and in print
GREY = "#5b6770"


def report_page(page: Report, *, lang: str = "en") -> tuple[bytes, bytes]:
    """The one-page report on A4 portrait, as (PDF, PNG): the network and the date with its
    year, then each section under its heading, the latest round's averages drawn on the 1–10
    scale where they belong, and a footer on anonymity. Long lines wrap; what would run off the
    page ends in an ellipsis rather than overlap."""
    figure = _figure(A4_INCHES, dpi=REPORT_DPI)
    left, bottom = 0.08, 0.06
    line = 0.0175  # one line of 10.5 pt text, in figure heights
    y = 0.95
    figure.text(left, y, page.title, fontsize=22, weight="bold", va="top", color=INK)
    y -= 0.035
    figure.text(left, y, page.subtitle, fontsize=12, va="top", color=GREY)
    y -= 0.045

    def write(text: str, size: float = 10.5, weight: str = "normal", bullet: str = "") -> bool:
        nonlocal y
        width = 92 if size <= 11 else 70
        wrapped = textwrap.wrap(
            text, width=width, initial_indent=bullet, subsequent_indent=" " * len(bullet) * 2
        )
        for part in wrapped or [""]:
            if y < bottom + line:
                figure.text(left, y, "…", fontsize=size, va="top", color=INK)
                return False
            figure.text(left, y, part, fontsize=size, weight=weight, va="top", color=INK)
            y -= line * size / 10.5
        return True

    for number, (heading, lines) in enumerate(page.sections):
        if not write(heading, 13, "bold"):
            break
        y -= 0.004
        for text in lines:
            if not write(text, bullet="• "):
                break
        y -= 0.018
        if number == page.chart_after and page.labels:
            y = _report_chart(figure, page, y, left, lang)
    figure.text(left, 0.03, page.footer, fontsize=8, color=GREY, va="bottom")
    pdf, png = io.BytesIO(), io.BytesIO()
    # The document's title (what a PDF viewer and a search show): the network and the date.
    figure.savefig(pdf, format="pdf", metadata={"Title": f"{page.title} — {page.subtitle}"})
    figure.savefig(png, format="png", dpi=REPORT_DPI)
    return pdf.getvalue(), png.getvalue()


def _report_chart(figure: Figure, page: Report, y: float, left: float, lang: str) -> float:
    """The latest averages as bars from 1 to 10 (the previous round thin and grey), below y;
    returns where the next text goes."""
    count = len(page.labels)
    height = min(0.34, 0.03 * count + 0.04)
    figure.text(left, y, page.chart_title, fontsize=11, weight="bold", va="top", color=INK)
    axes = figure.add_axes((0.36, y - height - 0.02, 0.56, height))
    positions = list(range(count))[::-1]
    axes.barh(
        positions, [max((m or 1) - 1, 0) for m in page.means], left=1, color=CURRENT, height=0.5
    )
    if page.previous is not None:
        axes.barh(
            [p - 0.33 for p in positions],
            [max((m or 1) - 1, 0) for m in page.previous],
            left=1,
            color=PREVIOUS,
            height=0.16,
        )
    for position, value in zip(positions, page.means, strict=True):
        shown = "—" if value is None else decimal(lang, value)
        axes.text((value or 1) + 0.1, position, shown, va="center", fontsize=9, color=INK)
    axes.set_yticks(positions, labels=list(page.labels), fontsize=9.5)
    axes.set_xlim(1, 10.8)
    axes.set_ylim(-0.7, count - 0.4)
    axes.set_xticks(range(1, 11), labels=[str(n) for n in range(1, 11)], fontsize=8.5)
    axes.tick_params(axis="both", color=AXIS, labelcolor=INK)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(AXIS)
    return y - height - 0.07


RING_RADII = {"inner": 1.0, "middle": 2.0, "outer": 3.0}  # where a kind sits, by its ring
RING_COLOURS = {"inner": "#2e7d32", "middle": "#f9a825", "outer": "#c62828"}


def ring_positions(
    entries: Sequence[tuple[str, float, str]],
) -> list[tuple[str, float, str, float, float]]:
    """Where each (label, mean, ring) is drawn: on its ring's circle, the kinds of one ring
    spread evenly around it (a quarter turn apart at least), as (label, mean, ring, x, y)."""
    placed = []
    for ring, radius in RING_RADII.items():
        members = [entry for entry in entries if entry[2] == ring]
        for index, (label, mean, _) in enumerate(members):
            angle = math.pi / 2 + 2 * math.pi * index / max(len(members), 4)
            if ring == "middle":
                angle += math.pi / 4  # off the inner ring's line, so labels do not stack
            placed.append((label, mean, ring, radius * math.cos(angle), radius * math.sin(angle)))
    return placed


def ring_chart(
    title: str,
    entries: Sequence[tuple[str, float, str]],
    legend: Sequence[str],
    *,
    lang: str = "en",
) -> bytes:
    """The relation map as rings: kinds known and reached in the middle, those who have to beg
    on the outside; each kind with its score. Square, readable on a phone."""
    figure = _figure((6.4, 7.0), dpi=150)
    axes = figure.add_subplot()
    from matplotlib.patches import Circle

    for ring, radius in RING_RADII.items():
        axes.add_patch(
            Circle((0, 0), radius + 0.5, fill=False, color=RING_COLOURS[ring], lw=2, alpha=0.5)
        )
    for label, mean, ring, x, y in ring_positions(entries):
        axes.plot([x], [y], "o", markersize=14, color=RING_COLOURS[ring])
        axes.annotate(
            f"{label}\n{decimal(lang, mean)}",
            (x, y),
            xytext=(0, -24),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=10,
        )
    axes.set_xlim(-3.9, 3.9)
    axes.set_ylim(-3.9, 3.9)
    axes.set_aspect("equal")
    axes.axis("off")
    axes.set_title(title, fontsize=13, loc="left")
    for index, line in enumerate(legend):
        figure.text(
            0.04, 0.06 - index * 0.03, line, fontsize=10, color=list(RING_COLOURS.values())[index]
        )
    figure.tight_layout(rect=(0, 0.1, 1, 1))
    return _png(figure)


def _figure(size: tuple[float, float], dpi: int) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=size, dpi=dpi)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
