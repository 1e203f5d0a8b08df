"""One registry of renderers: every queued kind rendered by exactly one journey."""

from __future__ import annotations

from collections.abc import Mapping

from schedules import actions, agreements, network, profiles, rounds, tables
from schedules.kinds import Queued
from schedules.outbox import Renderer


def one_registry(*tables: Mapping[Queued, Renderer]) -> dict[str, Renderer]:
    """The renderers of every queued kind, each from exactly one table: a kind two journeys
    claimed would otherwise silently go to whichever was merged last, and a kind nobody
    renders would fail only when its first row falls due."""
    registry: dict[str, Renderer] = {}
    for table in tables:
        for kind, renderer in table.items():
            if kind in registry:
                raise ValueError(f"two renderers for the queued kind {kind!r}")
            registry[kind] = renderer
    missing = set(Queued) - set(registry)
    if missing:
        raise ValueError(f"no renderer for the queued kinds {sorted(missing)}")
    return registry


RENDERERS = one_registry(
    rounds.RENDERERS,
    actions.RENDERERS,
    agreements.RENDERERS,
    network.RENDERERS,
    profiles.RENDERERS,
    tables.RENDERERS,
)
