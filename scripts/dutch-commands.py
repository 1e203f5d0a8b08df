"""Write the Dutch command names into the Dutch catalog's texts (a maintainer's helper).

Every command answers to both names, so an English name in a Dutch text works; but a Dutch
reader should meet the names their "/" menu shows. Run after translating new texts:
    .venv/bin/python scripts/dutch-commands.py
Only msgstr is changed; a name inside a longer word or after "<" (an HTML end tag) is not one.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from views.commands import COMMANDS

PO = Path(__file__).resolve().parent.parent / "i18n/locale/nl/LC_MESSAGES/netwerkpols.po"
DUTCH = {c.name: c.nl for c in COMMANDS if c.nl}
NAME = re.compile(r"(?<![\w<./])/(" + "|".join(sorted(DUTCH, key=len, reverse=True)) + r")\b")


def dutch(text: str) -> str:
    """text with every English command name replaced by its Dutch one."""
    return NAME.sub(lambda m: "/" + DUTCH[m.group(1)], text)


def main() -> int:
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    changed = 0
    for message in catalog:
        if not message.id or not message.string:
            continue
        before = message.string
        if isinstance(before, tuple):
            message.string = tuple(dutch(s) for s in before)
        else:
            message.string = dutch(before)
        changed += message.string != before
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False, sort_output=True, no_location=True)
    print(f"{changed} Dutch texts now name the Dutch commands")
    return 0


if __name__ == "__main__":
    sys.exit(main())
