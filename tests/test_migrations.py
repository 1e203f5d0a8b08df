"""Alembic makes the schema: it upgrades from nothing, downgrades cleanly, matches the models."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from schedules.rounds import details_parts, results_parts
from storage import rounds as store
from storage.db import Database
from storage.migrate import downgrade, upgrade
from storage.models import Base, Network, Round
from storage.rounds import round_result
from tests import legacy_rounds
from tests.conftest import BACKENDS, POSTGRES_URL
from tests.seeding import ensure_postgres_database

SCHEMA = "migration_check"


@pytest.fixture(params=BACKENDS)
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no tables at all (PostgreSQL: a schema of its own)."""
    if request.param == "sqlite":
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
    else:
        await ensure_postgres_database(POSTGRES_URL)
        setup = Database(POSTGRES_URL)
        async with setup.engine.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            await connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        await setup.dispose()
        database = Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": SCHEMA}})
    yield database
    await database.dispose()


async def _tables(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_upgrade_downgrade_upgrade(empty_database: Database) -> None:
    await upgrade(empty_database)
    assert {t.name for t in Base.metadata.sorted_tables} <= await _tables(empty_database)
    await downgrade(empty_database, "base")
    assert await _tables(empty_database) <= {"alembic_version"}
    await upgrade(empty_database)
    await upgrade(empty_database)  # a second start changes nothing
    assert {t.name for t in Base.metadata.sorted_tables} <= await _tables(empty_database)


async def test_migrations_match_the_models(empty_database: Database) -> None:
    await upgrade(empty_database)

    def differences(sync_connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with empty_database.engine.connect() as connection:
        diff = await connection.run_sync(differences)
    assert diff == [], "the models changed without a migration: alembic revision --autogenerate"


async def test_migrating_a_populated_database_keeps_every_row(empty_database: Database) -> None:
    """Down to before the per-network office hours and back up: the network and its members
    survive, also on SQLite where batch mode rebuilds the network table."""
    await upgrade(empty_database, "0003")
    async with empty_database.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO network (id, chat_id, name, language, timezone, join_token, active, "
                "created_at) VALUES (1, -1, 'Netwerk', 'nl', 'Europe/Amsterdam', 'tok', true, "
                "'2026-11-24 09:00:00')"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO person (id, first_name, started, reachable, created_at) "
                "VALUES (5, 'Anna', true, true, '2026-11-24 09:00:00')"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO member (id, network_id, person_id, is_coordinator, created_at) "
                "VALUES (1, 1, 5, true, '2026-11-24 09:00:00')"
            )
        )
    await upgrade(empty_database)
    await downgrade(empty_database, "0003")
    await upgrade(empty_database)
    async with empty_database.engine.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM member"))).scalar() == 1
        assert (await connection.execute(text("SELECT digest_day FROM network"))).scalar() == 1


async def test_answers_gain_their_responses_breakdown_keys(empty_database: Database) -> None:
    """0007 copies each response's level group and organisation type onto its answers."""
    await upgrade(empty_database, "0006")
    statements = [
        "INSERT INTO network (id, chat_id, name, language, timezone, join_token, active, "
        "created_at) VALUES (1, -1, 'Netwerk', 'nl', 'Europe/Amsterdam', 'tok', true, "
        "'2026-11-24 09:00:00')",
        "INSERT INTO round (id, network_id, questionnaire, k, audience, token, state, opens_at, "
        "closes_at, published, invited) VALUES (1, 1, 'netwerktoets', 5, '{}', 'r', "
        "'closed', '2026-11-24 09:00:00', '2026-11-25 09:00:00', true, 2)",
        "INSERT INTO response (id, round_id, level_group, org_type, submitted_on) VALUES "
        "('a', 1, 'upper', 'care', '2026-11-24'), ('b', 1, 'lower', 'housing', '2026-11-24')",
        "INSERT INTO answer (response_id, item, round_id, score) VALUES "
        "('a', 'doel', 1, 7), ('a', 'rollen', 1, NULL), ('b', 'doel', 1, 4)",
    ]
    async with empty_database.engine.begin() as connection:
        for statement in statements:
            await connection.execute(text(statement))
    await upgrade(empty_database, "0007")
    async with empty_database.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT response_id, item, level_group, org_type FROM answer ORDER BY 1, 2")
        )
        assert [tuple(row) for row in rows] == [
            ("a", "doel", "upper", "care"),
            ("a", "rollen", "upper", "care"),
            ("b", "doel", "lower", "housing"),
        ]


async def test_the_anonymity_migration_keeps_every_published_result(
    empty_database: Database,
) -> None:
    """0008 replaces responses by counts: what the bot published about rounds stored the old way
    (tests/golden, rendered by the code of that time) is published identically afterwards, an
    unpublished round keeps counting, and who answered is kept only as hashes."""
    await upgrade(empty_database, "0007")
    async with empty_database.engine.begin() as connection:
        for statement in legacy_rounds.statements():
            await connection.execute(text(statement))
        await connection.execute(
            text(
                "INSERT INTO person (id, first_name, started, reachable, created_at) "
                "VALUES (77, 'Dewi', true, true, '2026-11-24 09:00:00')"
            )
        )
        await connection.execute(text("INSERT INTO participation VALUES (3, 77)"))
    await upgrade(empty_database)
    golden = json.loads((Path(__file__).parent / "golden" / "legacy_results.json").read_text())
    async with empty_database.unit_of_work() as session:
        for round_id, expected in golden.items():
            round_ = await session.get(Round, int(round_id))
            assert round_ is not None
            network = await session.get(Network, round_.network_id)
            assert network is not None
            for lang in ("nl", "en"):
                shown = await results_parts(session, round_, network, lang)
                parts = [shown.text, *await details_parts(session, round_, lang)]
                if os.environ.get("NETWERKPOLS_WRITE_GOLDEN"):  # after a deliberate change
                    expected[lang] = {
                        "parts": parts,
                        "caption": shown.caption,
                        "photo": shown.photo is not None,
                    }
                assert parts == expected[lang]["parts"], (round_id, lang)
                assert shown.caption == expected[lang]["caption"]
                assert (shown.photo is not None) == expected[lang]["photo"]
            result = await round_result(session, round_)
            assert result.means == expected["means"]
            assert result.previous_means == expected["previous_means"]
        if os.environ.get("NETWERKPOLS_WRITE_GOLDEN"):
            path = Path(__file__).parent / "golden" / "legacy_results.json"
            path.write_text(json.dumps(golden, ensure_ascii=False, indent=1) + "\n")
        unpublished = await session.get(Round, 3)
        assert unpublished is not None and unpublished.result is None
        tally = await store.tally_of(session, 3)
        assert tally.respondents == 2 and tally.comments == ["Te weinig", "Te weinig"]
        assert await store.has_answered(session, unpublished, 77)
        assert not await store.has_answered(session, unpublished, 78)
    tables = await _tables(empty_database)
    assert not tables & {"response", "answer", "round_comment", "participation"}


def test_the_newest_revision_is_read_from_the_files_as_alembic_reads_it(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config, newest_revision

    assert newest_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
    # Two heads (a branch not merged yet): not for this shortcut to decide.
    for name, revision, parent in [("a", "1", None), ("b", "2", "1"), ("c", "3", "1")]:
        (tmp_path / f"{name}.py").write_text(
            f"revision: str = {revision!r}\ndown_revision = {parent!r}\nbranch_labels = None\n"
        )
    assert newest_revision(tmp_path) is None
    (tmp_path / "d.py").write_text("revision = '4'\ndown_revision = ('2', '3')\nX = f()\n")
    assert newest_revision(tmp_path) == "4"


async def test_a_database_at_the_newest_revision_is_not_migrated_again(
    empty_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage import migrate

    await upgrade(empty_database)
    await downgrade(empty_database, "0014")
    await upgrade(empty_database)  # one behind: Alembic brings it up
    assert await migrate.current_revision(empty_database) == migrate.newest_revision()

    async def refuse(*args: object) -> None:
        raise AssertionError("Alembic ran on a database at the newest revision")

    monkeypatch.setattr(migrate, "_migrate", refuse)
    await upgrade(empty_database)
    with pytest.raises(AssertionError):
        await upgrade(empty_database, "0014")  # any other revision is Alembic's to reach


def test_the_bot_process_loads_no_alembic_once_the_schema_is_current(tmp_path: Path) -> None:
    """About 11 MB of the bot process's memory: imported only when there is a migration."""
    import subprocess
    import sys

    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    start = (
        "import asyncio, sys, bot\n"
        "from storage.db import Database\n"
        "from storage.migrate import upgrade\n"
        "async def main():\n"
        "    database = Database(sys.argv[1])\n"
        "    await upgrade(database)\n"
        "    await database.dispose()\n"
        "asyncio.run(main())\n"
        "print('alembic' in sys.modules, 'mako' in sys.modules)\n"
    )

    def loaded() -> str:
        command = [sys.executable, "-c", start, url]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()

    assert loaded() == "True True"  # a new database: migrated
    assert loaded() == "False False"  # from then on
