"""Charts as PNG images, drawn with matplotlib off-screen (no display needed).

Figures are made with matplotlib's object API, not pyplot: no global figure registry to leak
into or to share between the worker threads that draw. matplotlib is imported on the first
chart, so a bot that is only answering questions does not carry its ~40 MB.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CURRENT = "#1f6f8b"
PREVIOUS = "#b8c4cc"


def bar_chart(
    title: str,
    labels: Sequence[str],
    means: Sequence[float | None],
    previous: Sequence[float | None] | None = None,
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
                f"{value:.1f}",
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
    title: str, lines: Sequence[str], labels: Sequence[str], means: Sequence[float | None]
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
                axes.text(value + 0.1, position, f"{value:.1f}", va="center", fontsize=10)
        axes.set_yticks(positions, labels=list(labels), fontsize=10)
        axes.set_xlim(0, 10.8)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    return _png(figure)


def _figure(size: tuple[float, float], dpi: int) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=size, dpi=dpi)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
