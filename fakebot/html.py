"""Telegram's HTML parse mode, strictly: supported tags only, properly nested, entities escaped.

parse() returns the plain text a user would see, so lengths can be counted as Telegram counts
them (after entity parsing, in UTF-16 code units), and raises like Telegram on malformed input.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from fakebot.spec import ApiError

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "a", "tg-emoji", "code", "pre", "blockquote", "tg-time",
}  # fmt: skip
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);")


def cant_parse(detail: str) -> ApiError:
    """Telegram's error for malformed formatting."""
    return ApiError(400, f"Bad Request: can't parse entities: {detail}")


def _tokens(text: str) -> Iterator[tuple[str, str, str, str]]:
    """("text", visible text, "", "") and ("tag", "/" or "", name, attributes) in order;
    raises ApiError where Telegram would refuse the formatting."""
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            match = _TAG.match(text, i)
            if match is None:
                raise cant_parse(f"unsupported start tag or stray '<' at byte offset {i}")
            closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3)
            if name not in ALLOWED_TAGS:
                raise cant_parse(f'unsupported start tag "{name}" at byte offset {i}')
            if closing:
                if not stack or stack[-1] != name:
                    raise cant_parse(f'unexpected end tag "{name}" at byte offset {i}')
                stack.pop()
            else:
                if name == "a" and "href" not in attributes:
                    raise cant_parse("a link without href")
                stack.append(name)
            yield "tag", closing, name, attributes
            i = match.end()
        elif ch == "&":
            match = _ENTITY.match(text, i)
            if match is None:
                raise cant_parse(f"unsupported HTML entity or stray '&' at byte offset {i}")
            yield "text", html.unescape(match.group(0)), "", ""
            i = match.end()
        elif ch == ">":
            raise cant_parse(f"stray '>' at byte offset {i}")
        else:
            end = i + 1
            while end < len(text) and text[end] not in "<&>":
                end += 1
            yield "text", text[i:end], "", ""
            i = end
    if stack:
        raise cant_parse(f'can\'t find end tag corresponding to start tag "{stack[-1]}"')


def parse(text: str) -> str:
    """The visible text of an HTML-formatted message; raises ApiError when Telegram would."""
    return "".join(token for kind, token, _, _ in _tokens(text) if kind == "text")


_WEB_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "code",
    "pre",
    "blockquote",
}
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""")


def to_web_html(text: str) -> str:
    """Telegram HTML as safe HTML for a web page: formatting kept without attributes, links
    only to http(s), everything else escaped. Raises ApiError on malformed input."""
    out: list[str] = []
    for kind, token, name, attributes in _tokens(text):
        if kind == "text":
            out.append(html.escape(token))
        elif name in _WEB_TAGS:
            out.append(f"<{token}{name}>")
        elif name == "a":
            if token:
                out.append("</a>")
                continue
            found = _HREF.search(attributes)
            href = html.unescape(next(g for g in found.groups() if g is not None)) if found else ""
            if not href.startswith(("https://", "http://")):
                href = "#"
            out.append(f'<a href="{html.escape(href)}" rel="noopener noreferrer" target="_blank">')
        else:  # span, tg-spoiler, tg-emoji, tg-time: shown as plain text
            out.append("</span>" if token else f'<span class="{name}">')
    return "".join(out)


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts."""
    return len(text.encode("utf-16-le")) // 2
