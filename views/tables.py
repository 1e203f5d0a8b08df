"""Texts and keyboards of representative tables and their rotations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from telegram import InlineKeyboardMarkup

from domain.callbacks import Cb, pack
from domain.tables import MEETINGS, NAME_LIMIT, SHARES, rotating
from domain.text import esc, pack_blocks
from i18n import date_text, t, tn
from storage.models import Network, Organisation, RepTable, TableSeat
from views.keyboards import button, keyboard, rows


def date(lang: str, day: dt.date) -> str:
    """'24 november 2026'."""
    return date_text(lang, day, weekday=False, year=True)


def _rule(lang: str, item: RepTable) -> str:
    text = f"{t(lang, MEETINGS.get(item.meets, MEETINGS['quarterly']))}; "
    text += t(lang, SHARES.get(item.rotate_share, SHARES[0]))
    if item.rotate_share and item.next_rotation_on is not None:
        text += "; " + t(lang, "next rotation on {day}", day=date(lang, item.next_rotation_on))
    return text


def _seat_line(lang: str, seat: TableSeat) -> str:
    return "• " + t(
        lang,
        "{organisation} (since {day})",
        organisation=esc(seat.organisation.name),
        day=date(lang, seat.since),
    )


def table_block(lang: str, item: RepTable) -> str:
    """One table: its rule and who sits there since when."""
    seats = sorted((s for s in item.seats if s.until is None), key=lambda s: (s.since, s.id))
    lines = [f"🪑 <b>{esc(item.name)}</b> — {_rule(lang, item)}"]
    lines += [_seat_line(lang, seat) for seat in seats] or [t(lang, "<i>No seats yet.</i>")]
    return "\n".join(lines)


def listing(lang: str, network: Network, tables: Sequence[RepTable]) -> list[str]:
    """/tafels: every table of the network."""
    blocks = [t(lang, "🪑 <b>Tables of {network}</b>", network=esc(network.name))]
    blocks += ["\n" + table_block(lang, item) for item in tables]
    if not tables:
        blocks.append(
            t(lang, "No tables yet. A coordinator sets one up with /table in a private chat.")
        )
    return pack_blocks(blocks)


def history(lang: str, item: RepTable) -> str:
    """Who held a seat before (for /tafel name)."""
    ended = [s for s in item.seats if s.until is not None]
    if not ended:
        return ""
    lines = [t(lang, "Before:")]
    lines += [
        "• "
        + t(
            lang,
            "{organisation} ({start} – {end})",
            organisation=esc(s.organisation.name),
            start=date(lang, s.since),
            end=date(lang, s.until),
        )
        for s in sorted(ended, key=lambda s: (s.until or s.since, s.id))
        if s.until is not None
    ]
    return "\n".join(lines)


def edit_button(lang: str, item: RepTable) -> InlineKeyboardMarkup:
    """For coordinators under a table."""
    return keyboard([button("✏️ " + t(lang, "Change the seats"), pack(Cb.TABLE_EDIT, item.id))])


def ask_name(lang: str, network: Network) -> str:
    """Step 1."""
    return t(
        lang,
        "🪑 A new table for <b>{network}</b>, where a few organisations speak for the "
        "network. What is it called? For instance <i>Bestuurlijke tafel</i> or <i>Tactisch "
        "overleg</i> (at most {limit} characters).",
        network=esc(network.name),
        limit=NAME_LIMIT,
    )


def ask_meets(lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """Step 2."""
    buttons = [button(t(lang, label), pack(Cb.TABLE_MEETS, key)) for key, label in MEETINGS.items()]
    return t(lang, "How often does it meet?"), keyboard(*rows(buttons, 2))


def ask_seats(
    lang: str,
    organisations: Sequence[Organisation],
    chosen: Sequence[int],
    save: bool,
    cb: Cb = Cb.TABLE_SEAT,
) -> tuple[str, InlineKeyboardMarkup]:
    """Which organisations hold a seat (pressing one switches it on or off)."""
    buttons = [
        button(("✅ " if o.id in chosen else "▫️ ") + o.name, pack(cb, o.id)) for o in organisations
    ]
    done = t(lang, "Save") if save else t(lang, "Next")
    text = t(
        lang,
        "Which organisations hold a seat? Press to choose; {n} chosen. A table works best when "
        "it stays small.",
        n=len(chosen),
    )
    return text, keyboard(*rows(buttons, 2), [button("➡️ " + done, pack(cb, "ok"))])


def ask_share(lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """Step 4."""
    buttons = [
        [button(t(lang, label), pack(Cb.TABLE_SHARE, share))] for share, label in SHARES.items()
    ]
    return (
        t(
            lang,
            "Do seats rotate? Each year I then propose to the coordinators who leaves (the "
            "longest seated) and who comes in (organisations not yet at the table, of the same "
            "kind where possible).",
        ),
        keyboard(*buttons),
    )


def confirm(
    lang: str, name: str, meets: str, names: Sequence[str], share: int
) -> tuple[str, InlineKeyboardMarkup]:
    """Read back before saving."""
    text = t(
        lang,
        "🪑 <b>{name}</b> — {meets}; {rule}\nSeats: {seats}",
        name=esc(name),
        meets=t(lang, MEETINGS.get(meets, MEETINGS["quarterly"])),
        rule=t(lang, SHARES.get(share, SHARES[0])),
        seats=esc(", ".join(names)) or "—",
    )
    if share:
        text += "\n" + tn(
            lang,
            "At each rotation {n} of the {total} seats changes.",
            "At each rotation {n} of the {total} seats change.",
            rotating(len(names), share),
            total=len(names),
        )
    return text, keyboard([button("💾 " + t(lang, "Save"), pack(Cb.TABLE_SAVE))])


def saved(lang: str, item: RepTable) -> str:
    """After saving."""
    return (
        t(lang, "✅ Saved. The group hears of the table's composition.")
        + "\n\n"
        + table_block(lang, item)
    )


def composition(
    lang: str, item: RepTable, joined: Sequence[str], left: Sequence[str], *, new: bool
) -> str:
    """The group hears who sits at the table now."""
    if new:
        head = t(lang, "🪑 A new table: <b>{name}</b>.", name=esc(item.name))
    else:
        head = t(lang, "🪑 The composition of <b>{name}</b> changed.", name=esc(item.name))
    lines = [head]
    if joined and not new:
        lines.append(t(lang, "Welcome: {names}", names=esc(", ".join(joined))))
    if left:
        lines.append(t(lang, "Thank you and goodbye: {names}", names=esc(", ".join(left))))
    lines.append("\n" + table_block(lang, item))
    lines.append(t(lang, "/tables shows every table."))
    return "\n".join(lines)


def rotation_prompt(
    lang: str,
    item: RepTable,
    leaving: Sequence[str],
    joining: Sequence[str],
    rotation_id: int,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The coordinators' proposal when a rotation is due."""
    if not leaving:
        return (
            t(
                lang,
                "🔄 <b>{name}</b> is due for its rotation, but no organisation without a seat "
                "can take one; every seat stays as it is.",
                name=esc(item.name),
            ),
            None,
        )
    pairs = "\n".join(
        f"• {esc(out)} → {esc(into)}" for out, into in zip(leaving, joining, strict=True)
    )
    text = t(
        lang,
        "🔄 <b>{name}</b> is due for its rotation. My proposal (the longest seated make way):"
        "\n{pairs}\n\nAccept it, or choose the seats yourself.",
        name=esc(item.name),
        pairs=pairs,
    )
    return text, keyboard(
        [button("✅ " + t(lang, "Accept"), pack(Cb.ROTATION_ACCEPT, rotation_id))],
        [button("✏️ " + t(lang, "Choose myself"), pack(Cb.ROTATION_CHANGE, rotation_id))],
    )


def rotation_done(lang: str, item: RepTable, who: str) -> str:
    """The proposal after it was decided."""
    return t(
        lang,
        "✅ The rotation of <b>{name}</b> is done ({who}). The group has been told.",
        name=esc(item.name),
        who=esc(who),
    )


def organisation_names(ids: Sequence[int], names: Mapping[int, str]) -> list[str]:
    """Organisation names for ids, in that order (unknown ones left out)."""
    return [names[i] for i in ids if i in names]
