"""Dutch and English texts from gettext catalogs; English msgids, compiled on first use."""

from __future__ import annotations

import datetime as dt
import gettext
import os
import threading
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

if TYPE_CHECKING:
    from telegram import User

DOMAIN = "netwerkpols"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("nl", "en")
_compile_lock = threading.Lock()


def N_(msgid: str) -> str:
    """Mark a text for the catalog without translating it yet (translated where it is shown)."""
    return msgid


def compile_catalogs() -> None:
    """Compile every .po catalog to .mo when the .mo is missing or older than its .po."""
    with _compile_lock:
        for po_path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            # Several processes (test workers, two bots) may compile at once: each writes a
            # file of its own and renames it into place, so the last rename wins whole.
            tmp_path = mo_path.with_suffix(f".mo.{os.getpid()}.{threading.get_ident()}.tmp")
            try:
                with tmp_path.open("wb") as mo_file:
                    write_mo(mo_file, catalog)
                tmp_path.replace(mo_path)
            finally:
                tmp_path.unlink(missing_ok=True)


@cache
def translator(lang: str) -> gettext.NullTranslations:
    """The translations for one language; unknown languages fall back to the msgids (English)."""
    compile_catalogs()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def normalise(lang: str | None, default: str = "nl") -> str:
    """Map a Telegram language_code such as 'nl-BE' or 'en-GB' to one of ours."""
    if lang:
        short = lang.split("-")[0].split("_")[0].lower()
        if short in LANGUAGES:
            return short
    return default if default in LANGUAGES else "nl"


class Speaker(Protocol):
    """What a person's language is told from: a stored Person, or a press's facts."""

    @property
    def language(self) -> str | None: ...

    @property
    def telegram_language(self) -> str | None: ...


def person_language(person: Speaker | None, user: User | None, default: str) -> str:
    """A person's language: their choice, else Telegram's language_code, else the default."""
    if person is not None and person.language:
        return person.language
    code = user.language_code if user else (person.telegram_language if person else None)
    return normalise(code, default)


def t(lang: str, msgid: str, **params: object) -> str:
    """Translate msgid into lang and fill in its {placeholders}."""
    text = translator(lang).gettext(msgid)
    return text.format(**params) if params else text


def tn(lang: str, singular: str, plural: str, n: int, **params: object) -> str:
    """Translate a text that depends on a count n (available as {n})."""
    text = translator(lang).ngettext(singular, plural, n)
    return text.format(n=n, **params)


def decimal(lang: str, value: float, pattern: str = "0.0") -> str:
    """A number as people write it in lang: '6,5' in Dutch, '6.5' in English (Babel's CLDR
    rules; pattern '+0.0;-0.0' for a signed change, '0.#' for a median)."""
    from babel.numbers import format_decimal

    return format_decimal(value, pattern, locale=normalise(lang))


def signed(lang: str, value: float) -> str:
    """A change with its sign: '+2,0' / '-1,0'."""
    return decimal(lang, value, "+0.0;-0.0")


# Today by the bot's clock (set where an update or a queued message is handled), so 'this
# year' follows the clock the bot plans with; the wall clock where nothing set it.
_TODAY: ContextVar[dt.date | None] = ContextVar("today", default=None)


def set_today(value: dt.date) -> None:
    """Say what today is for the texts rendered from here on in this task."""
    _TODAY.set(value)


def today() -> dt.date:
    """Today for the texts: as set_today said, else the wall clock's date."""
    return _TODAY.get() or dt.date.today()


def date_text(lang: str, value: dt.date, *, weekday: bool = True, year: bool | None = None) -> str:
    """A date as people write it in lang (Babel's CLDR names): 'vrijdag 27 november' /
    'Friday 27 November'; with the year when asked, and by default when it is not this year
    (a July summary says 'vrijdag 11 december 2026', not a December that has not come)."""
    from babel.dates import format_date

    if year is None:
        year = value.year != today().year
    pattern = ("EEEE " if weekday else "") + "d MMMM" + (" y" if year else "")
    return format_date(value, pattern, locale=normalise(lang))
