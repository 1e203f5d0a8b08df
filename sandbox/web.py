"""The sandbox's chat page and its small JSON API, on 127.0.0.1 only.

The page (static/index.html, app.js, style.css: no build step) polls /api/state and posts
what the visitor does; each act answers once the bot has handled it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from i18n import LANGUAGES, normalise, t, tn
from sandbox.app import Sandbox, SandboxError
from sandbox.texts import page_texts

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
STATIC_FILES = {"app.js": "text/javascript", "style.css": "text/css"}
HOST = "127.0.0.1"
NOT_UNDERSTOOD = "That request was not understood."
SANDBOX_KEY = web.AppKey("sandbox", Sandbox)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def language_of(request: web.Request) -> str:
    """The page's language: the one the visitor picked (?lang=), else the bot's
    DEFAULT_LANGUAGE, so page and bot start in the same language."""
    default = sandbox_of(request).settings.default_language
    return normalise(request.query.get("lang") or default, default)


@web.middleware
async def friendly_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A refused act is a 400 with a sentence in the page's language; other errors are logged."""
    lang = language_of(request)
    try:
        return await handler(request)
    except SandboxError as error:
        return web.json_response({"error": t(lang, str(error))}, status=400)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("The sandbox failed on %s %s", request.method, request.path)
        return web.json_response(
            {"error": t(lang, "Something went wrong; please try again.")}, status=500
        )


@web.middleware
async def same_origin(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Acts only from the page itself: another site open in the browser cannot post here."""
    if request.method == "POST":
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"http://{request.host}":
            error = t(language_of(request), NOT_UNDERSTOOD)
            return web.json_response({"error": error}, status=403)
    return await handler(request)


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise SandboxError(NOT_UNDERSTOOD) from None
    if not isinstance(body, dict):
        raise SandboxError(NOT_UNDERSTOOD)
    return body


def _int(body: dict[str, Any] | Any, key: str) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise SandboxError(NOT_UNDERSTOOD)
    try:
        return int(value)
    except ValueError:
        raise SandboxError(NOT_UNDERSTOOD) from None


def _str(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise SandboxError(NOT_UNDERSTOOD)
    return value


def sandbox_of(request: web.Request) -> Sandbox:
    return request.app[SANDBOX_KEY]


async def index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})


async def static(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in STATIC_FILES:
        raise web.HTTPNotFound()
    return web.FileResponse(
        STATIC / name, headers={"Content-Type": STATIC_FILES[name], "Cache-Control": "no-store"}
    )


async def texts(request: web.Request) -> web.StreamResponse:
    lang = language_of(request)
    return web.json_response({"lang": lang, "languages": LANGUAGES, "texts": page_texts(lang)})


async def state(request: web.Request) -> web.StreamResponse:
    lang = language_of(request)
    found = sandbox_of(request).state()
    for person in found["people"]:
        msgid = person["role"]
        person["role"] = t(lang, msgid)
    days = round(found["shifted_days"])
    found["shifted"] = tn(lang, "{n} day ahead", "{n} days ahead", days) if days else ""
    return web.json_response(found)


async def send(request: web.Request) -> web.StreamResponse:
    body = await _body(request)
    await sandbox_of(request).send(_int(body, "as"), _int(body, "chat"), _str(body, "text"))
    return web.json_response({"ok": True})


async def press(request: web.Request) -> web.StreamResponse:
    body = await _body(request)
    opened, popup = await sandbox_of(request).press(
        _int(body, "as"),
        _int(body, "chat"),
        _int(body, "message"),
        _int(body, "row"),
        _int(body, "column"),
    )
    return web.json_response({"ok": True, "open_chat": opened, "popup": popup})


async def link(request: web.Request) -> web.StreamResponse:
    body = await _body(request)
    opened = await sandbox_of(request).open_link(_int(body, "as"), _str(body, "url"))
    return web.json_response({"ok": True, "open_chat": opened})


async def demo(request: web.Request) -> web.StreamResponse:
    await sandbox_of(request).create_demo_network(language_of(request))
    return web.json_response({"ok": True})


async def jump(request: web.Request) -> web.StreamResponse:
    body = await _body(request)
    now = await sandbox_of(request).jump(_str(body, "step"))
    return web.json_response({"ok": True, "now": now.isoformat()})


async def photo(request: web.Request) -> web.StreamResponse:
    found = sandbox_of(request).photo(
        _int(request.match_info, "chat"), _int(request.match_info, "message")
    )
    return web.Response(body=found, content_type="image/png")


async def document(request: web.Request) -> web.StreamResponse:
    name, content = sandbox_of(request).document(
        _int(request.match_info, "chat"), _int(request.match_info, "message")
    )
    safe = "".join(ch for ch in name if ch.isalnum() or ch in "._-") or "export"
    return web.Response(
        body=content,
        content_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


def web_application(sandbox: Sandbox) -> web.Application:
    """The page and the API around one sandbox."""
    app = web.Application(middlewares=[same_origin, friendly_errors], client_max_size=64 * 1024)
    app[SANDBOX_KEY] = sandbox
    app.router.add_get("/", index)
    app.router.add_get("/static/{name}", static)
    app.router.add_get("/api/texts", texts)
    app.router.add_get("/api/state", state)
    app.router.add_post("/api/send", send)
    app.router.add_post("/api/press", press)
    app.router.add_post("/api/link", link)
    app.router.add_post("/api/demo", demo)
    app.router.add_post("/api/jump", jump)
    app.router.add_get("/api/photo/{chat}/{message}", photo)
    app.router.add_get("/api/document/{chat}/{message}", document)
    return app


async def serve(sandbox: Sandbox, port: int) -> web.AppRunner:
    """Listen on 127.0.0.1:port (0: any free port); returns the runner to clean up."""
    runner = web.AppRunner(web_application(sandbox), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, HOST, port).start()
    return runner


def bound_port(runner: web.AppRunner) -> int:
    """The port the page is served on."""
    for site in runner.sites:
        server = site._server  # type: ignore[attr-defined]
        if server is not None:
            return int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]
    raise RuntimeError("the sandbox page is not being served")
