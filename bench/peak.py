"""One process's peak memory, answering a round: `python -m bench.peak ours|bare BACKEND PARTNERS`.

The bare run imports nothing of Netwerkpols, so the two peaks compare our bot with the
framework's floor. Prints the peak resident set size in MB as the last word.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path


async def answer(kind: str, backend: str, partners: int) -> None:
    from fakebot.server import FakeBotApi

    api = FakeBotApi()
    await api.start()
    try:
        if kind == "bare":
            from bench.bare import answer_round_bare

            await answer_round_bare(api, partners)
        else:
            from bench.run import ROOT, answer_round_ours, fresh_database

            tmp = ROOT / "results" / "tmp"
            tmp.mkdir(parents=True, exist_ok=True)
            url = await fresh_database(backend, tmp)
            await answer_round_ours(api, url, {"partners": partners})
    finally:
        await api.stop()


def main() -> None:
    """Run one side and print its peak RSS."""
    kind, backend, partners = sys.argv[1:4]
    asyncio.run(answer(kind, backend, int(partners)))
    print(f"peak RSS MB {peak_rss_mb():.1f}")


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not getrusage's ru_maxrss: that one survives
    exec, so a child would report its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


if __name__ == "__main__":
    main()
