"""The bot's HTTP client (schedules/transport.py) against a small server on 127.0.0.1: it
sends what python-telegram-bot gives it as Telegram expects it (a form, or multipart with
files), returns status and body, and turns what goes wrong on the way into python-telegram-
bot's errors without the token in their message."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import BodyPartReader, web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from schedules.transport import AiohttpRequest

TOKEN = "123456:SECRET-token-never-in-a-message"


class Server:
    """Records what arrived; answers /slow only after a while."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        if request.path.endswith("/slow"):
            await asyncio.sleep(2)
        fields: dict[str, Any] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                assert isinstance(part, BodyPartReader)
                content = await part.read()
                fields[part.name or ""] = (part.filename, bytes(content))
        else:
            fields = dict(await request.post())
        self.received.append(
            {
                "path": request.path,
                "agent": request.headers.get("User-Agent"),
                "type": request.content_type,
                **fields,
            }
        )
        return web.json_response({"ok": True, "result": True}, status=200)


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server()
    app = web.Application()
    app.router.add_route("POST", "/{tail:.*}", state.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state.url = f"http://127.0.0.1:{port}/bot{TOKEN}"
    yield state
    await runner.cleanup()


@pytest.fixture
async def request_() -> AsyncIterator[AiohttpRequest]:
    request = AiohttpRequest(read_timeout=0.5)
    await request.initialize()
    yield request
    await request.shutdown()


def _data(**values: Any) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in values.items()])


async def test_parameters_arrive_as_a_form(server: Server, request_: AiohttpRequest) -> None:
    status, body = await request_.do_request(
        f"{server.url}/sendMessage",
        "POST",
        _data(chat_id=42, text="Wonen & Zorg <Oost> = één+1 %20", reply_markup={"a": [1]}),
    )
    assert (status, body) == (200, b'{"ok": true, "result": true}')
    [got] = server.received
    assert got["path"].endswith("/sendMessage")
    assert got["type"] == "application/x-www-form-urlencoded"
    assert got["chat_id"] == "42" and got["text"] == "Wonen & Zorg <Oost> = één+1 %20"
    assert got["reply_markup"] == '{"a": [1]}'
    assert got["agent"] == AiohttpRequest.USER_AGENT


async def test_a_file_goes_as_multipart_with_the_other_parameters(
    server: Server, request_: AiohttpRequest
) -> None:
    document = InputFile(b"PK\x03\x04 a workbook", filename="samenvatting.xlsx")
    status, _ = await request_.do_request(
        f"{server.url}/sendDocument", "POST", _data(chat_id=7, document=document, caption="Hé")
    )
    assert status == 200
    [got] = server.received
    assert got["chat_id"] == (None, b"7") and got["caption"] == (None, "Hé".encode())
    assert got["document"] == ("samenvatting.xlsx", b"PK\x03\x04 a workbook")


async def test_a_slow_answer_is_timed_out(server: Server, request_: AiohttpRequest) -> None:
    with pytest.raises(TimedOut):
        await request_.do_request(f"{server.url}/slow", "POST", _data(chat_id=1))
    # A longer read timeout for this call (getUpdates adds its long poll) is kept.
    status, _ = await request_.do_request(
        f"{server.url}/slow", "POST", _data(chat_id=1), read_timeout=5
    )
    assert status == 200


async def test_no_server_is_a_network_error_without_the_token(
    request_: AiohttpRequest,
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for url in (f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", f"http//bad url/bot{TOKEN}/getMe"):
        with pytest.raises(NetworkError) as raised:
            await request_.do_request(url, "POST")
        assert TOKEN not in str(raised.value) and "SECRET" not in repr(raised.value.message)


async def test_proxies_come_from_the_environment_once_per_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request = AiohttpRequest()
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert request._proxy(f"https://api.telegram.org/bot{TOKEN}/getMe") == (
        "http://proxy.example:3128"
    )
    assert request._proxy(f"http://127.0.0.1:8081/bot{TOKEN}/getMe") is None
    monkeypatch.delenv("HTTPS_PROXY")  # read once: the session keeps what it found
    assert request._proxy(f"https://api.telegram.org/bot{TOKEN}/sendMessage") is not None


async def test_it_must_be_initialized_and_can_be_again(server: Server) -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await request.do_request(f"{server.url}/getMe", "POST")
    await request.initialize()
    await request.shutdown()
    await request.initialize()
    status, _ = await request.do_request(f"{server.url}/getMe", "POST")
    await request.shutdown()
    assert status == 200
