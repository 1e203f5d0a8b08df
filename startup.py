"""Before the bot starts: can it open its database and does Telegram accept its token? Every
problem becomes one line that says what to do (a StartupProblem), never a traceback, and never
the token or a database password."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from collections.abc import Awaitable, Callable

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InvalidRequestError, NoSuchModuleError
from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError

from settings import Settings
from storage.db import Database
from storage.migrate import upgrade

URL_HELP = (
    "use sqlite+aiosqlite:///path/to/file.sqlite3 or "
    "postgresql+asyncpg://user:password@host:5432/database"
)
FIRST_RETRY_SECONDS = 2.0


class StartupProblem(Exception):
    """Why the bot cannot start, in one line with what to do."""


def safe_url(url: str) -> str:
    """A database URL fit for a message: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a URL)"


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 8:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def database_problem(url: str, error: BaseException) -> str:
    """The one line for an error while opening and upgrading the database."""
    shown = safe_url(url)
    names = {type(cause).__name__ for cause in _causes(error)}
    parsed = None
    with contextlib.suppress(ArgumentError):
        parsed = make_url(url)
    if isinstance(error, NoSuchModuleError | ArgumentError | InvalidRequestError | ImportError):
        return f"DATABASE_URL {shown} names no database driver the bot has: {URL_HELP}."
    if "InvalidCatalogNameError" in names:
        name = parsed.database if parsed else "?"
        return (
            f"The database {name!r} does not exist on that PostgreSQL server: create it "
            f"(createdb {name}) or correct DATABASE_URL ({shown})."
        )
    if names & {"InvalidAuthorizationSpecificationError", "InvalidPasswordError"}:
        user = parsed.username if parsed else "?"
        return (
            f"PostgreSQL does not let user {user!r} in: check the user and password in "
            f"DATABASE_URL ({shown})."
        )
    if isinstance(error, OSError) and parsed is not None and parsed.get_backend_name() == "sqlite":
        return (
            f"Cannot create the SQLite database {parsed.database}: its folder cannot be made or "
            f"written ({error.strerror or error}). Choose another path in DATABASE_URL."
        )
    if isinstance(error, OSError | TimeoutError) or "ConnectionDoesNotExistError" in names:
        where = f"{parsed.host}:{parsed.port or 5432}" if parsed else shown
        return (
            f"Cannot reach the database server at {where}: is PostgreSQL running there, and "
            f"is the host and port in DATABASE_URL right?"
        )
    if isinstance(error, DBAPIError) and parsed is not None:
        if parsed.get_backend_name() == "sqlite":
            return (
                f"Cannot open the SQLite database {parsed.database}: check that the file and "
                "its folder may be written by this user, or choose another path in DATABASE_URL."
            )
        reason = str(getattr(error, "orig", error)).splitlines()[0][:200]
        return f"The database refused to start ({reason}): check DATABASE_URL ({shown})."
    return (
        f"The database could not be opened ({type(error).__name__}): check DATABASE_URL ({shown})."
    )


async def check_database(settings: Settings) -> None:
    """Open the database and bring its schema up to date, or raise StartupProblem."""
    database: Database | None = None
    try:
        database = Database(settings.database_url)
        await upgrade(database)
    except Exception as error:
        raise StartupProblem(database_problem(settings.database_url, error)) from None
    finally:
        if database is not None:
            await database.dispose()


async def check_telegram(
    settings: Settings,
    *,
    wait_seconds: float,
    say: Callable[[str], None],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Ask Telegram who the bot is; wait (with a line each time) while it cannot be reached,
    up to wait_seconds; raise StartupProblem if it refuses the token or stays unreachable."""
    base = settings.telegram_api_base_url.rstrip("/")
    token = settings.token
    bot = Bot(token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot")
    delay, waited = FIRST_RETRY_SECONDS, 0.0
    while True:
        try:
            async with bot:
                return
        except InvalidToken:
            raise StartupProblem(
                "Telegram does not accept the TELEGRAM_BOT_TOKEN in .env: copy the token "
                "again from @BotFather (or make a new one with /token there)."
            ) from None
        except NetworkError as error:
            reason = str(error).replace(token, "<token>")[:160] or type(error).__name__
            if waited >= wait_seconds:
                raise StartupProblem(
                    f"Cannot reach Telegram at {base} ({reason}): check the internet "
                    "connection, a proxy or firewall, or TELEGRAM_API_BASE_URL."
                ) from None
            pause = min(delay, wait_seconds - waited)
            say(f"Cannot reach Telegram at {base} ({reason}); trying again in {pause:.0f} s.")
            await sleep(pause)
            waited += pause
            delay = min(delay * 2, 30.0)
        except TelegramError as error:
            reason = str(error).replace(token, "<token>")[:160]
            raise StartupProblem(f"Telegram refused to start the bot ({reason}).") from None


def check_webhook_port(settings: Settings) -> None:
    """With a webhook, the port it listens on must be free (another program, or a bot already
    running, would make the start fail half-way)."""
    if not settings.uses_webhook:
        return
    family = socket.AF_INET6 if ":" in settings.webhook_listen else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((settings.webhook_listen, settings.webhook_port))
        except OSError as error:
            raise StartupProblem(
                f"Cannot listen on {settings.webhook_listen}:{settings.webhook_port} for the "
                f"webhook ({error.strerror or error}): stop what uses that port, or set "
                "WEBHOOK_PORT (and WEBHOOK_LISTEN) in .env."
            ) from None


async def preflight(settings: Settings) -> None:
    """Everything the bot needs before it takes updates, checked in order."""
    check_webhook_port(settings)
    await check_database(settings)
    await check_telegram(
        settings,
        wait_seconds=settings.startup_wait_seconds,
        say=lambda line: print(f"netwerkpols: {line}", file=sys.stderr, flush=True),
    )
