"""Charts draw the data: bars as long as the means, the previous round behind them."""

from __future__ import annotations

import io
import math

from PIL import Image

from views import charts
from views.charts import CURRENT, PREVIOUS, bar_chart, report_page, trend_chart
from views.summary import Report


def _pixels(png: bytes, colour: str) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    target = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return sum(
        1
        for pixel in image.get_flattened_data()
        if all(abs(a - b) <= 6 for a, b in zip(pixel, target, strict=True))
    )


def test_bars_grow_with_the_means_and_the_previous_round_is_drawn() -> None:
    labels = ["Vertrouwen", "Relatie", "Communicatie"]
    low = bar_chart("Netwerktoets", labels, [2.0, 2.0, 2.0])
    high = bar_chart("Netwerktoets", labels, [8.0, 8.0, 8.0])
    assert Image.open(io.BytesIO(high)).format == "PNG"
    assert _pixels(high, CURRENT) > 3 * _pixels(low, CURRENT) > 0
    assert _pixels(low, PREVIOUS) == 0
    compared = bar_chart("Netwerktoets", labels, [5.0, 5.0, 5.0], [6.0, 6.0, 6.0])
    assert _pixels(compared, PREVIOUS) > 0


def test_an_item_without_a_mean_has_no_bar() -> None:
    some = bar_chart("x", ["a", "b"], [6.0, None])
    both = bar_chart("x", ["a", "b"], [6.0, 6.0])
    assert 0 < _pixels(some, CURRENT) < _pixels(both, CURRENT)


def test_trend_and_report_render_readable_sizes() -> None:
    trend = trend_chart("Netwerktoets", ["a", "b"], ["1 mei", "1 nov"], [[5.0, 6.0], [4.0, None]])
    assert Image.open(io.BytesIO(trend)).size[0] >= 900
    report = Report(
        "Netwerk",
        "Verslag van 3 december 2026",
        [("Deelname", ["3 partners"]), ("Werkgroepen", ["x " * 400])],
        chart_title="Netwerktoets",
        labels=["a"],
        means=[7.5],
    )
    pdf, png = report_page(report, lang="nl")
    assert Image.open(io.BytesIO(png)).size == (1654, 2338)  # A4 at 200 dpi
    assert _pixels(png, CURRENT) > 0
    assert pdf.startswith(b"%PDF") and b"/MediaBox [ 0 0 595.44 841.68 ]" in pdf  # A4 in points
    # The document's title (UTF-16 in the PDF's info), with the year.
    assert "Netwerk — Verslag van 3 december 2026".encode("utf-16-be") in pdf


def test_the_ring_chart_draws_each_kind_on_its_ring() -> None:
    from domain.results import rings

    means = {"municipality": 8.0, "housing": 7.5, "care": 6.0, "welfare": 3.0, "police": 4.0}
    placed = rings(means)
    assert placed == {
        "inner": ["municipality", "housing"],
        "middle": ["care"],
        "outer": ["police", "welfare"],
    }
    ring_of = {key: ring for ring, keys in placed.items() for key in keys}
    entries = [(key, mean, ring_of[key]) for key, mean in means.items()]
    drawn = charts.ring_positions(entries)
    assert sorted(label for label, *_ in drawn) == sorted(means)
    for label, mean, ring, x, y in drawn:
        assert math.isclose(math.hypot(x, y), charts.RING_RADII[ring])
        assert mean == means[label]
    # Two kinds of one ring never share a spot.
    spots = {(round(x, 3), round(y, 3)) for *_, x, y in drawn}
    assert len(spots) == len(drawn)
    image = Image.open(io.BytesIO(charts.ring_chart("Relatiekaart", entries, ["a", "b", "c"])))
    assert image.size[0] > 500 and image.size[1] > 500


def test_rings_of_scores_on_the_edges() -> None:
    from domain.results import rings

    assert rings({"a": 7.0, "b": 5.5, "c": 5.49}) == {
        "inner": ["a"],
        "middle": ["b"],
        "outer": ["c"],
    }
    assert rings({}) == {"inner": [], "middle": [], "outer": []}


def _ink_runs(png: bytes) -> list[int]:
    """Heights in pixels of the bands of dark text rows (labels and values) in an image."""
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    pixels = image.load()
    assert pixels is not None
    inked = [any(pixels[x, y] < 80 for x in range(0, width, 2)) for y in range(height)]
    runs, length = [], 0
    for row in [*inked, False]:
        if row:
            length += 1
        elif length:
            runs.append(length)
            length = 0
    return runs


def test_the_results_chart_is_readable_on_a_phone_and_spans_the_1_to_10_scale() -> None:
    labels = ["Vertrouwen", "Relatie", "Ruimte voor tegenspraak en een heel lange naam"]
    png = bar_chart("Netwerktoets", labels, [7.0, 6.5, 4.0], [6.0, 6.0, 5.0], lang="nl")
    width, _ = Image.open(io.BytesIO(png)).size
    phone = 390 / width  # Telegram shows the photo this much smaller on a 390 px phone
    text_bands = [run for run in _ink_runs(png) if run > 5]
    # Every line of words (title, three names, the axis) is at least 9 px tall on the phone.
    assert len(text_bands) >= 5
    assert min(text_bands) * phone >= 9, [round(r * phone, 1) for r in text_bands]
    # The scale starts at 1: a mean of 1 draws no bar, a mean of 10 the whole width.
    none = bar_chart("x", ["a"], [1.0])
    full = bar_chart("x", ["a"], [10.0])
    assert _pixels(none, CURRENT) == 0 < _pixels(full, CURRENT)


async def test_a_chart_asked_for_again_is_not_drawn_again(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(charts, "_drawings", charts.OrderedDict())
    monkeypatch.setattr(charts, "DRAWINGS_KEPT", 3)
    calls: list[tuple[str, float]] = []

    def draw(title: str, mean: float, *, lang: str = "nl") -> bytes:
        calls.append((title, mean))
        return f"{title} {mean} {lang}".encode()

    first = await charts.drawn(draw, "Netwerktoets", 7.2, lang="nl")
    assert await charts.drawn(draw, "Netwerktoets", 7.2, lang="nl") == first
    assert calls == [("Netwerktoets", 7.2)]
    # Anything different is another chart: a mean, a language.
    assert await charts.drawn(draw, "Netwerktoets", 7.3, lang="nl") != first
    assert await charts.drawn(draw, "Netwerktoets", 7.2, lang="en") != first
    assert len(calls) == 3
    # Only the latest few are kept: the oldest goes first.
    await charts.drawn(draw, "Relatiekaart", 1.0)
    await charts.drawn(draw, "Netwerktoets", 7.2, lang="nl")
    assert len(calls) == 5
