"""Running the real Application against a local Bot API inside the current event loop.

Tests, benchmarks and the sandbox all start the bot this way: the same build_application as
production, polling the fake over HTTP, with an Application that records what it has handled.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update

from bot import build_application
from domain.clock import Clock
from fakebot.recording import RecordingApplication
from handlers.base import App
from settings import Settings

ErrorHandler = Callable[[object, Any], Coroutine[Any, Any, None]]


async def start_local_bot(
    settings: Settings,
    clock: Clock,
    *,
    dispatch_on_start: bool,
    error_handler: ErrorHandler | None = None,
) -> RecordingApplication:
    """Build the bot as bot.py does, run its start-up (migrations, menus) and start polling."""
    app = build_application(
        settings,
        clock=clock,
        application_class=RecordingApplication,
        dispatch_on_start=dispatch_on_start,
    )
    if error_handler is not None:
        app.add_error_handler(error_handler)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=5, allowed_updates=Update.ALL_TYPES)
    await app.start()
    assert isinstance(app, RecordingApplication)
    return app


async def stop_local_bot(app: App) -> None:
    """Stop polling and the Application, as a shutdown would (the database stays)."""
    assert app.updater is not None
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
