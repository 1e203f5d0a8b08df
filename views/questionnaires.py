"""Texts of writing a network's own questionnaire."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from domain.callbacks import Cb, pack
from domain.text import esc
from i18n import t, tn
from storage.models import Network
from views.keyboards import button, keyboard

MAX_ITEMS = 12
QUESTION_LIMIT = 200
ANCHOR_LIMIT = 60


def ask_name(lang: str, network: Network) -> str:
    """Step 1: the name."""
    return t(
        lang,
        "📝 A questionnaire of your own for <b>{network}</b>. What is it called? For example: "
        "<i>Samenwerking in de wijk</i>.",
        network=esc(network.name),
    )


def ask_items(lang: str, name: str, count: int) -> tuple[str, InlineKeyboardMarkup]:
    """Step 2: the items, one message each."""
    if count:
        head = t(lang, "Item {n} added to <b>{name}</b>.", n=count, name=esc(name))
    else:
        head = t(lang, "<b>{name}</b>: now the items.", name=esc(name))
    text = (
        head
        + "\n\n"
        + t(
            lang,
            "Send each item as one message: <i>question | what 1 means | what 10 means</i>. For "
            "example: <i>Do we find each other when it matters? | never | always</i>. At most "
            "{max} items; press Done when you are finished.",
            max=MAX_ITEMS,
        )
    )
    buttons = [button(t(lang, "Cancel"), pack(Cb.CANCEL))]
    if count:
        buttons.insert(0, button(t(lang, "✅ Done"), pack(Cb.QUESTIONNAIRE_DONE)))
    return text, keyboard(buttons)


def item_problem(lang: str, problem: str) -> str:
    """Why a typed item was not accepted."""
    if problem == "too_many":
        return t(lang, "That is the maximum of {max} items. Press Done to save.", max=MAX_ITEMS)
    if problem == "too_long":
        return t(
            lang,
            "Too long: the question may have {question} characters, each meaning {anchor}.",
            question=QUESTION_LIMIT,
            anchor=ANCHOR_LIMIT,
        )
    return t(
        lang,
        "I need three parts separated by | : <i>question | what 1 means | what 10 means</i>.",
    )


def saved(lang: str, name: str, count: int) -> str:
    """After saving."""
    return tn(
        lang,
        "✅ Saved: <b>{name}</b> with {n} item. Start a round with it using /round.",
        "✅ Saved: <b>{name}</b> with {n} items. Start a round with it using /round.",
        count,
        name=esc(name),
    )
