"""Charts as PNG images, drawn with matplotlib off-screen (no display needed).

Figures are made with matplotlib's object API, not pyplot: no global figure registry to leak
into or to share between the worker threads that draw. matplotlib is imported on the first
chart, so a bot that is only answering questions does not carry its ~40 MB.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from i18n import decimal

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CURRENT = "#1f6f8b"
PREVIOUS = "#b8c4cc"


def bar_chart(
    title: str,
    labels: Sequence[str],
    means: Sequence[float | None],
    previous: Sequence[float | None] | None = None,
    *,
    lang: str = "en",
) -> bytes:
    """Horizontal bars of the mean per item on the 1–10 scale, the previous round drawn thinner
    behind; readable on a phone (portrait, large labels). Items without a mean show no bar."""
    count = len(labels)
    figure = _figure((6.4, 1.2 + 0.62 * count), dpi=150)
    axes = figure.add_subplot()
    positions = list(range(count))[::-1]
    if previous is not None:
        axes.barh(
            [p + 0.22 for p in positions],
            [value or 0 for value in previous],
            height=0.3,
            color=PREVIOUS,
            label="previous",
        )
    bars = axes.barh(positions, [value or 0 for value in means], height=0.5, color=CURRENT)
    for bar, value in zip(bars, means, strict=True):
        if value is not None:
            axes.text(
                bar.get_width() + 0.1,
                bar.get_y() + bar.get_height() / 2,
                decimal(lang, value),
                va="center",
                fontsize=11,
            )
    axes.set_yticks(positions, labels=list(labels), fontsize=11)
    axes.set_xlim(0, 10.8)
    axes.set_xticks(range(0, 11, 2))
    axes.grid(axis="x", alpha=0.3)
    axes.set_title(title, fontsize=13, loc="left")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
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


def report_page(
    title: str,
    lines: Sequence[str],
    labels: Sequence[str],
    means: Sequence[float | None],
    *,
    lang: str = "en",
) -> bytes:
    """One board-ready page: the title, key figures, and the latest averages as bars."""
    figure = _figure((8.27, 11.69), dpi=100)  # A4 portrait
    figure.text(0.07, 0.95, title, fontsize=20, weight="bold", va="top")
    for index, line in enumerate(lines):
        figure.text(0.07, 0.90 - index * 0.028, line, fontsize=11, va="top")
    if labels:
        axes = figure.add_axes((0.32, 0.08, 0.6, 0.42))
        positions = list(range(len(labels)))[::-1]
        axes.barh(positions, [m or 0 for m in means], color=CURRENT, height=0.55)
        for position, value in zip(positions, means, strict=True):
            if value is not None:
                axes.text(value + 0.1, position, decimal(lang, value), va="center", fontsize=10)
        axes.set_yticks(positions, labels=list(labels), fontsize=10)
        axes.set_xlim(0, 10.8)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    return _png(figure)


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
