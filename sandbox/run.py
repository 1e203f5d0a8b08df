"""`python bot.py sandbox`: the sandbox until Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import signal

from sandbox.app import Sandbox
from sandbox.web import HOST, serve
from settings import Settings


async def run_sandbox(settings: Settings, announce: str) -> None:
    """Start the sandbox and its page, print announce with the address, run until stopped."""
    sandbox = Sandbox(settings)
    await sandbox.start()
    try:
        runner = await serve(sandbox, settings.sandbox_port)
    except OSError as error:
        await sandbox.stop()
        raise SystemExit(
            f"netwerkpols: cannot listen on {HOST}:{settings.sandbox_port} ({error.strerror}); "
            "set SANDBOX_PORT in .env to a free port."
        ) from None
    print(f"{announce} http://{HOST}:{settings.sandbox_port}", flush=True)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stopped.set)
    try:
        await stopped.wait()
    finally:
        await runner.cleanup()
        await sandbox.stop()
