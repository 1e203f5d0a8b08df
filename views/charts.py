"""Charts as PNG images, drawn with matplotlib off-screen (no display needed)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt
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
    figure: Figure = plt.figure(figsize=(6.4, 1.2 + 0.62 * count), dpi=150)
    try:
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
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
