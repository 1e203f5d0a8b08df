"""Fill empty entries of a catalog from a Python dict of translations (a maintainer's helper).

Usage: .venv/bin/python scripts/translate.py i18n/locale/nl/LC_MESSAGES/netwerkpols.po FILE.py
FILE.py defines NL = {msgid: msgstr, (singular, plural): (msgstr0, msgstr1)}.
Prints the msgids that are still untranslated.
"""

from __future__ import annotations

import runpy
import sys

from babel.messages.pofile import read_po, write_po


def main(po_path: str, table_path: str) -> int:
    """Fill po_path from the table; return 1 if anything is left untranslated."""
    table = runpy.run_path(table_path)["NL"]
    with open(po_path, "rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if message.id in table:
            message.string = table[message.id]
            message.flags.discard("fuzzy")  # a plural made of an old text: now translated
        if not message.string or (isinstance(message.string, tuple) and not all(message.string)):
            missing.append(message.id)
    with open(po_path, "wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False, sort_output=True, no_location=True)
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
