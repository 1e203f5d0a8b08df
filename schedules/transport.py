"""The HTTP client every Bot API call goes through: aiohttp instead of python-telegram-bot's
default httpx.

Measured with the crowd benchmark (bench/README.md), a bare python-telegram-bot bot spends
about half of its CPU per button press inside httpx and httpcore (building the request,
h11's parser, the pool's bookkeeping, which grows with the connections that calls side by
side open); on aiohttp, whose HTTP parser is compiled, the same bot needs half the CPU per
press. The behaviour python-telegram-bot expects of a request class is kept: the same default
timeouts and pool size, TimedOut for a timeout, NetworkError for anything else on the way,
proxies from the environment (HTTPS_PROXY), certifi's certificates, and no URL in an error
message (the URL holds the bot's token).
"""

from __future__ import annotations

import re
import ssl
import urllib.request
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp
import certifi
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

CONNECT_TIMEOUT = 5.0  # python-telegram-bot's defaults for its own request class
READ_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
POOL_SIZE = 256  # ApplicationBuilder's connection pool for the bot's calls


class AiohttpRequest(BaseRequest):
    """A python-telegram-bot request class on one aiohttp session (a pool of keep-alive
    connections), made on initialize and closed on shutdown."""

    def __init__(self, pool_size: int = POOL_SIZE, read_timeout: float = READ_TIMEOUT) -> None:
        self._pool_size = pool_size
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}  # per scheme://host: from the environment

    @property
    def read_timeout(self) -> float:
        """The default read timeout (getUpdates adds its long-poll timeout to it)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._pool_size,
                ssl=ssl.create_default_context(cafile=certifi.where()),
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                # aiohttp would read the environment for a proxy and a .netrc on every
                # request (in a worker thread): _proxy reads it once per host instead.
                trust_env=False,
                # python-telegram-bot parses the body itself; no cookies to keep.
                cookie_jar=aiohttp.DummyCookieJar(),
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See BaseRequest.do_request. aiohttp has no write timeout of its own: a slow upload
        is bounded by the read timeout of its answer."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = _given(read_timeout, self._read_timeout)
        connect = _given(connect_timeout, CONNECT_TIMEOUT)
        pool = _given(pool_timeout, POOL_TIMEOUT)
        timeout = aiohttp.ClientTimeout(
            total=None,
            # Waiting for a free connection of the pool, then connecting.
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        data, headers = _body(request_data)
        try:
            async with self._session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=timeout,
                proxy=self._proxy(url),
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except (aiohttp.ClientError, OSError) as error:
            text = _without_token(str(error), url)
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {text}") from error

    def _proxy(self, url: str) -> str | None:
        """The proxy the environment names for this URL's host (HTTPS_PROXY, NO_PROXY, ...),
        looked up once per host."""
        end = url.find("/", url.find("//") + 2)
        origin = url if end < 0 else url[:end]  # scheme://host:port
        if origin not in self._proxies:
            parts = urlsplit(url)
            proxies = urllib.request.getproxies_environment()
            bypass = urllib.request.proxy_bypass_environment(  # type: ignore[attr-defined]
                parts.hostname or "", proxies
            )
            self._proxies[origin] = None if bypass else proxies.get(parts.scheme)
        return self._proxies[origin]


def _without_token(text: str, url: str) -> str:
    """An error's text with the token taken out (a URL in it may be quoted or normalised)."""
    token = url.partition("/bot")[2].partition("/")[0]
    if token:
        for form in {token, quote(token), quote(token, safe="")}:
            text = text.replace(form, "<token>")
    return re.sub(r"/bot[^/\s)]+", "/bot<token>", text)


def _given(value: ODVInput[float], default: float) -> float | None:
    """A timeout as given for this call, else the default."""
    if isinstance(value, DefaultValue):
        return default
    return value


_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _body(request_data: RequestData | None) -> tuple[Any, dict[str, str] | None]:
    """The parameters as a form (urlencoded), or multipart when files go with them, as
    python-telegram-bot's own request class sends them; with the headers they need.

    A form is encoded here: given a dict, aiohttp builds a multipart writer (with a fresh
    uuid4 boundary) for every request before finding that it is a plain form: 2–3 % of the
    bot's CPU in the crowd benchmark (bench/README.md)."""
    if request_data is None:
        return None, None
    if not request_data.contains_files:
        return request_data.url_encoded_parameters().encode(), _FORM
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, None
