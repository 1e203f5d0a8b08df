"""Every user-facing text is in the catalogs, translated into Dutch with the same placeholders."""

from __future__ import annotations

import io
import multiprocessing
import os
import re
import shutil
import string
import time
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from i18n import LOCALE_DIR, normalise, t, tn

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"t": (2,), "tn": (2, 3), "N_": None}


def _code_msgids() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for folder in ("handlers", "dialogues", "schedules", "storage", "domain", "views", "sandbox"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, keywords=KEYWORDS, method_map=[("**.py", "python")]
        ):
            found.add(message if isinstance(message, str) else tuple(message))  # type: ignore[arg-type]
    return found


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "netwerkpols.po").open("rb") as handle:
        return read_po(handle)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_in_the_code_is_in_both_catalogs() -> None:
    code = _code_msgids()
    assert len(code) > 50
    for lang in ("nl", "en"):
        catalog_ids = {
            m.id if isinstance(m.id, str) else tuple(m.id) for m in _catalog(lang) if m.id
        }
        missing = code - catalog_ids
        assert not missing, (
            f"run scripts/update-catalogs; missing in {lang}: {sorted(map(str, missing))[:5]}"
        )


def test_every_dutch_text_is_translated_with_the_same_placeholders_and_tags() -> None:
    for message in _catalog("nl"):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(strings), f"untranslated: {message.id!r}"
        for source, translated in zip(ids, strings, strict=False):
            assert _fields(source) == _fields(translated), message.id
            assert re.findall(r"</?\w+>", source) == re.findall(r"</?\w+>", translated), message.id


def test_translation_and_fallbacks() -> None:
    assert t("nl", "Cancel") == "Annuleren"
    assert t("en", "Cancel") == "Cancel"
    assert t("fr", "Cancel") == "Cancel"
    assert tn(
        "nl",
        "{n} person has not answered the join questions yet.",
        "{n} people have not answered the join questions yet.",
        2,
    ).startswith("2 personen")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("nl", "nl"),
        ("nl-BE", "nl"),
        ("en-GB", "en"),
        ("EN", "en"),
        ("de", "nl"),
        (None, "nl"),
        ("", "nl"),
    ],
)
def test_telegram_language_codes_map_to_ours(code: str | None, expected: str) -> None:
    assert normalise(code, "nl") == expected


COUNTED = (
    "partners?|organisations?|items?|questions?|days?|weeks?|months?|years?|rounds?|actions?|"
    "agreements?|working groups?|members?|people|persons?|writers?|answers?|comments?|seats?|"
    "reviews?|trekkers?|respondents?|tables?|parties|representatives?|contacts?|scores?"
)
# A number placeholder, then (perhaps 'of the {total}' and an adjective) a counted noun.
NUMBER_AND_NOUN = re.compile(
    rf"\{{(\w+)\}}(?: of (?:the )?\{{\w+\}})?(?: [a-z-]+)? (?:{COUNTED})\b|\w\(s\)"
)
# Placeholders that are never 1: k (at least 3), the bounds (maxima, character limits) and
# the review interval (3, 6 or 12 months).
NEVER_ONE_FIELDS = {"k", "max", "most", "limit", "months"}
# Texts whose number is never 1, so one form is right: why, per text.
NEVER_ONE = {
    "Comments are shown when at least {n} people write one.": "k + 2 writers, k at least 3",
    "Comments are shown from {n} writers.": "a network's comment k is at least 3",
}


def test_a_number_that_meets_a_noun_goes_through_ngettext() -> None:
    """'1 werkgroepen' and '1 van de 5 partners hebben' come from a text with one form for
    every number: where a number meets a noun, the text has a plural (tn)."""
    single_form = [
        m.id
        for m in _catalog("en")
        if isinstance(m.id, str) and m.id and m.id not in NEVER_ONE
        if any(found.group(1) not in NEVER_ONE_FIELDS for found in NUMBER_AND_NOUN.finditer(m.id))
    ]
    assert single_form == [], "\n".join(single_form)


def _compile_in(locale_dir: str) -> None:
    import i18n

    i18n.LOCALE_DIR = Path(locale_dir)
    for _ in range(25):
        i18n.compile_catalogs()


def test_processes_compiling_the_catalogs_at_once_each_leave_a_whole_catalog(tmp_path):
    """Test workers (or two bots) that start together compile side by side without tripping."""
    import i18n

    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale, ignore=shutil.ignore_patterns("*.mo"))
    for po_path in locale.glob("*/LC_MESSAGES/*.po"):  # newer than any .mo: always compiled
        os.utime(po_path, (time.time() + 86_400, time.time() + 86_400))
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        pool.map(_compile_in, [str(locale)] * 8)
    for po_path in locale.glob("*/LC_MESSAGES/*.po"):
        with po_path.open("rb") as po_file:
            expected = io.BytesIO()
            write_mo(expected, read_po(po_file))
        assert po_path.with_suffix(".mo").read_bytes() == expected.getvalue()
    assert not list(locale.rglob("*.tmp"))
