"""The benchmark suite keeps working as the code changes (toy sizes, no timing assertions)."""

from __future__ import annotations

import pytest

from bench.run import run_all, table


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_benchmarks_run_at_toy_size(backend: str, migrated: dict[str, str]) -> None:
    rows = await run_all("toy", [backend])
    assert len(rows) == (16 if backend == "postgresql" else 15)  # + dispatch by two processes
    assert all(row.ours > 0 and row.baseline > 0 for row in rows)
    assert "answer path" in table(rows)
