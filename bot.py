"""Netwerkpols: builds the Application in one place and runs it (polling, or webhook when set)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import sys
from typing import Any

from telegram import (
    Update,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
)

from dialogues import engine
from domain.clock import Clock
from handlers import (
    agreements,
    answering,
    network,
    people,
    profiles,
    questionnaires,
    reviews,
    rounds,
    summary,
    tables,
    workgroups,
)
from handlers.base import (
    App,
    Context,
    Services,
    error_handler,
    only_buttons_it_shows,
    services_of,
)
from handlers.menus import Menus
from handlers.processor import ChatOrderedProcessor
from i18n import compile_catalogs
from schedules.dispatcher import Dispatcher
from schedules.pacing import OVERALL_PER_SECOND, LocalBudget, SendBudget, TelegramPacer
from schedules.registry import RENDERERS
from schedules.transport import AiohttpRequest
from settings import Settings, SettingsError, load_settings
from startup import StartupProblem, preflight
from storage.budget import SharedBudget
from storage.db import Database
from storage.migrate import upgrade
from storage.submits import Submits

log = logging.getLogger("netwerkpols")
# Opt in to PTB's coming behaviour (RetryAfter.retry_after as a timedelta); we handle both.
os.environ.setdefault("PTB_TIMEDELTA", "1")


async def dispatch_due(context: Context) -> None:
    """The repeating job: send what has fallen due in the outgoing queue."""
    await context.services.dispatcher.run_until_idle()


async def post_init(application: App) -> None:
    """Before the first update: upgrade the database and set the command menus."""
    services = services_of(application)
    await upgrade(services.database)
    await services.menus.set_everyday()


async def post_shutdown(application: App) -> None:
    """Close the database's connections."""
    await services_of(application).database.dispose()


def sending_budget(database: Database) -> SendBudget:
    """Telegram's 30 messages a second are the bot's: on PostgreSQL every process draws its
    turns from the database, on SQLite (one process) from memory."""
    if database.is_sqlite:
        return LocalBudget(OVERALL_PER_SECOND)
    return SharedBudget(database.engine, OVERALL_PER_SECOND)


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    application_class: type[Application[Any, Any, Any, Any, Any, Any]] = Application,
    dispatch_on_start: bool = True,
) -> App:
    """The whole bot: settings, database, handlers, the dispatcher job and the error handler."""
    compile_catalogs()
    database = Database(settings.database_url)
    base = settings.telegram_api_base_url.rstrip("/")
    application: App = (
        ApplicationBuilder()  # type: ignore[assignment]
        .application_class(application_class)
        .token(settings.token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .context_types(ContextTypes(context=Context))
        .defaults(Defaults(parse_mode=None, do_quote=False))
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(pool_size=1))
        .rate_limiter(
            TelegramPacer(
                chat_interval=settings.chat_send_interval_seconds, budget=sending_budget(database)
            )
        )
        .concurrent_updates(ChatOrderedProcessor())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    clock = clock or Clock()
    dispatcher = Dispatcher(
        database,
        application.bot,
        clock,
        RENDERERS,
        batch_size=settings.dispatch_batch_size,
        lease=dt.timedelta(seconds=settings.dispatch_lease_seconds),
    )
    menus = Menus(application.bot, database, settings.default_language)
    database.on_roles_changed = menus.follow
    application.bot_data["services"] = Services(
        settings, database, clock, dispatcher, menus, Submits(database)
    )
    for handler in [
        *network.HANDLERS,
        *rounds.HANDLERS,
        *answering.HANDLERS,
        *questionnaires.HANDLERS,
        *workgroups.HANDLERS,
        *agreements.HANDLERS,
        *reviews.HANDLERS,
        *profiles.HANDLERS,
        *tables.HANDLERS,
        *summary.HANDLERS,
        *people.HANDLERS,
        *engine.handlers(),
        *people.FALLBACKS,
    ]:
        application.add_handler(handler)
    application.add_handler(CallbackQueryHandler(only_buttons_it_shows), group=-1)
    application.add_error_handler(error_handler)
    jobs = application.job_queue
    assert jobs is not None
    if dispatch_on_start:
        # What fell due while the bot was down goes out as soon as it is back. No grace limit:
        # the scheduler starts only after the database upgrade, which may take a while.
        jobs.run_once(
            dispatch_due, when=0, name="dispatch-on-start", job_kwargs={"misfire_grace_time": None}
        )
    jobs.run_repeating(
        dispatch_due,
        interval=settings.dispatch_interval_seconds,
        first=settings.dispatch_interval_seconds,
        name="dispatch",
        # Late (a busy moment) is fine, and a tick while the last one still runs is not needed:
        # the running one sends until the queue is idle.
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )
    return application


def configure_logging(level: str) -> None:
    """Readable logs; httpx would log every request URL, and those contain the token."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # PTB logs whole updates at DEBUG: a pressed score next to a user id. Never below INFO.
    logging.getLogger("telegram").setLevel(max(logging.getLevelName(level), logging.INFO))
    # "missed by 0:00:01" and "maximum number of running instances" are normal under load
    # (see the dispatch job): only real scheduler errors are worth a line.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    # Alembic narrates every migration it checks; the bot says itself what matters at start.
    logging.getLogger("alembic").setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)


USAGE = """usage: python bot.py [sandbox|auto]
  (nothing)  run the bot against Telegram; needs TELEGRAM_BOT_TOKEN in .env
  sandbox    run the local sandbox: the bot and a pretend Telegram in the browser, no token
  auto       the bot when a token is set, else the sandbox (what `make run` does)"""


def main(argv: list[str] | None = None) -> int:
    """Run the bot (or the sandbox) until interrupted; a configuration problem ends it with
    status 2."""
    args = sys.argv[1:] if argv is None else argv
    mode = args[0] if args else "bot"
    if mode in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    if mode not in ("bot", "sandbox", "auto") or len(args) > 1:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        settings = load_settings()
        if mode == "auto":
            mode = "bot" if settings.token else "sandbox"
            announce = "netwerkpols: no TELEGRAM_BOT_TOKEN in .env, so the local sandbox starts:"
        else:
            announce = "netwerkpols: the local sandbox runs at"
        if mode == "bot":
            settings.require_token()
        else:
            # Only the sandbox loads the fake Telegram; it builds on this module, so it is
            # imported here and never on a production start.
            from sandbox.app import sandbox_settings

            sandbox_settings(settings)
    except SettingsError as error:
        print(f"netwerkpols: {error}", file=sys.stderr)
        return 2
    if mode == "sandbox":
        # The page is the sandbox's output; its log shows only what went wrong (or everything,
        # with LOG_LEVEL=DEBUG).
        configure_logging("DEBUG" if settings.log_level == "DEBUG" else "WARNING")
        from sandbox.run import run_sandbox

        asyncio.run(run_sandbox(settings, announce))
        return 0
    configure_logging(settings.log_level)
    loop = fast_event_loop()
    try:
        asyncio.run(preflight(settings))
    except StartupProblem as problem:
        print(f"netwerkpols: {problem}", file=sys.stderr)
        return 2
    application = build_application(settings)
    allowed = Update.ALL_TYPES
    if settings.uses_webhook:
        log.info(
            "Starting with a webhook on %s:%s (event loop: %s)",
            settings.webhook_listen,
            settings.webhook_port,
            loop,
        )
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret_token.get_secret_value() or None,
            allowed_updates=allowed,
        )
    else:
        log.info("Starting with long polling (event loop: %s)", loop)
        application.run_polling(allowed_updates=allowed)
    return 0


def fast_event_loop() -> str:
    """Run the bot on uvloop where it is installed (every platform but Windows), else on
    asyncio's own loop; the name of the one chosen.

    Measured with the crowd benchmark (bench/README.md): a bot that mostly waits for sockets
    spends a good part of its CPU in the event loop and its transports, and uvloop (libuv,
    compiled) takes about an eighth off the CPU of a button press, so a crowd's presses wait
    that much less for each other."""
    try:
        import uvloop
    except ImportError:
        return "asyncio"
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return "uvloop"


if __name__ == "__main__":
    sys.exit(main())
