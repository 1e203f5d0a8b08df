"""/summary, /export and /report: where a network stands, for its coordinators, in private chat."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from telegram import InputMediaDocument, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden
from telegram.ext import BaseHandler, CommandHandler

from domain.text import esc
from handlers.base import (
    NETWORK_PICKERS,
    Context,
    coordinator_membership,
    group_network,
    in_coordinated_network,
    is_group,
    reply,
)
from i18n import N_, decimal, person_language, t
from storage.models import Network
from storage.summary import Summary, gather
from views import charts
from views import summary as view
from views.commands import names
from views.keyboards import keyboard, link
from views.rounds import chart_in_words, label, questionnaire_name
from views.workgroups import day

REPORT_FILE = N_("report")  # in the report's file name
Deliver = Callable[[Context, int, Summary, str], Awaitable[None]]


async def _for_network(update: Update, context: Context, command: str, deliver: Deliver) -> None:
    """Run a coordinator command for the right network, always answering in private chat."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    if is_group(chat):
        async with context.unit_of_work() as session:
            network = await group_network(session, chat.id)
            member = await coordinator_membership(session, network.id, user.id)
            reachable = member.person.started and member.person.reachable
        if reachable:
            try:
                await _deliver(context, user.id, network.id, deliver)
            except Forbidden:
                pass  # blocked the bot since: as if there were no private chat
            else:
                await reply(update, t(network.language, "I have sent it to you in a private chat."))
                return
        # Telegram does not let a bot write first: offer the way in instead of promising what
        # cannot arrive.
        await _way_in(update, context, network.language)
        return
    await in_coordinated_network(update, context, command)


async def _way_in(update: Update, context: Context, lang: str) -> None:
    url = f"https://t.me/{context.bot.username}"
    text = t(
        lang,
        "I can only send this in a private chat, and you have not started one with me yet. "
        "Open it with the button, press <b>Start</b>, then ask again.",
    )
    await reply(update, text, keyboard([link(t(lang, "💬 Open a private chat"), url)]))


async def _deliver(context: Context, person_id: int, network_id: int, deliver: Deliver) -> None:
    # Only reading, however long it takes: on SQLite no partner's press waits for it.
    async with context.unit_of_work(read_only=True) as session:
        member = await coordinator_membership(session, network_id, person_id)
        person = member.person
        network = await session.get(Network, network_id)
        assert network is not None
        lang = person_language(person, None, network.language)
        summary = await gather(session, network, context.services.clock.now())
    await deliver(context, person_id, summary, lang)


async def _send_summary(context: Context, chat_id: int, summary: Summary, lang: str) -> None:
    for part in view.summary_text(lang, summary):
        await context.bot.send_message(chat_id, part, parse_mode=ParseMode.HTML)
    for entry in summary.latest:
        questionnaire = entry.questionnaire
        labels = [label(lang, questionnaire, item) for item in questionnaire.items]
        means = [entry.result.means.get(item.key) for item in questionnaire.items]
        previous = entry.result.previous_means
        before = [previous.get(item.key) for item in questionnaire.items] if previous else None
        title = questionnaire_name(lang, questionnaire)
        photo = await charts.drawn(charts.bar_chart, title, labels, means, before, lang=lang)
        words = [
            f"{esc(name)} {decimal(lang, mean) if mean is not None else '—'}"
            for name, mean in zip(labels, means, strict=True)
        ]
        caption = chart_in_words(lang, esc(title), words)
        await context.bot.send_photo(chat_id, photo, caption=caption, parse_mode=ParseMode.HTML)
        history = summary.history.get(questionnaire.key, [])
        if len(history) > 1:
            dates = [day(lang, e.round.closes_at.date()) for e in history]
            series = [
                [e.result.means.get(item.key) for e in history] for item in questionnaire.items
            ]
            trend = await charts.drawn(charts.trend_chart, title, labels, dates, series)
            caption = t(
                lang,
                "{questionnaire}: the average per item in every round",
                questionnaire=esc(title),
            )
            await context.bot.send_photo(chat_id, trend, caption=caption, parse_mode=ParseMode.HTML)


async def _send_export(context: Context, chat_id: int, summary: Summary, lang: str) -> None:
    """One album: the workbook, and each of its sheets as a CSV file, with one caption under
    them all. The files are the network's documents, passed on to colleagues: in the network's
    language and its spreadsheet convention (a Dutch network: semicolons, decimal commas); the
    caption speaks to the coordinator in theirs."""
    files_lang = summary.network.language
    tables = view.export_tables(files_lang, summary)
    stem = f"netwerkpols-{summary.today.isoformat()}"
    workbook = await asyncio.to_thread(view.xlsx, files_lang, tables)
    files = [(f"{stem}.xlsx", workbook)] + [
        (f"{stem}-{table.key}.csv", view.csv_bytes(files_lang, table.rows)) for table in tables
    ]
    caption = t(
        lang,
        "📎 Export of {network}: the workbook has one sheet per topic; the CSV files hold the "
        "same tables ({convention}).",
        network=esc(summary.network.name),
        convention=t(lang, view.CSV_CONVENTIONS.get(files_lang, view.CSV_CONVENTIONS["en"])),
    )
    media = [
        InputMediaDocument(
            content,
            filename=name,
            caption=caption if number == len(files) - 1 else None,
            parse_mode=ParseMode.HTML,
        )
        for number, (name, content) in enumerate(files)
    ]
    await context.bot.send_media_group(chat_id, media)


async def _send_report(context: Context, chat_id: int, summary: Summary, lang: str) -> None:
    """One page for a meeting: an A4 PDF to print or attach, and the same page as a PNG for a
    slide, in one album; in the network's language, the caption in the coordinator's."""
    page_lang = summary.network.language  # a network's document, like the export
    page = view.report(page_lang, summary)
    pdf, png = await charts.drawn(charts.report_page, page, lang=page_lang)
    stem = f"netwerkpols-{t(page_lang, REPORT_FILE)}-{summary.today.isoformat()}"
    caption = t(
        lang,
        "📄 Report of {network}: A4 as PDF, and the same page as an image for a slide.",
        network=esc(summary.network.name),
    )
    await context.bot.send_media_group(
        chat_id,
        [
            InputMediaDocument(pdf, filename=f"{stem}.pdf"),
            InputMediaDocument(
                png, filename=f"{stem}.png", caption=caption, parse_mode=ParseMode.HTML
            ),
        ],
    )


async def summary(update: Update, context: Context) -> None:
    """/summary: members, latest rounds and trend, working groups, agreements."""
    await _for_network(update, context, "summary", _send_summary)


async def export(update: Update, context: Context) -> None:
    """/export: an XLSX workbook and CSV files with what may be published."""
    await _for_network(update, context, "export", _send_export)


async def report(update: Update, context: Context) -> None:
    """/report: one page per network, for a board meeting or a slide."""
    await _for_network(update, context, "report", _send_report)


def _picker(deliver: Deliver) -> Callable[[Update, Context, int], Awaitable[None]]:
    async def picked(update: Update, context: Context, network_id: int) -> None:
        user = update.effective_user
        assert user is not None
        await _deliver(context, user.id, network_id, deliver)

    return picked


NETWORK_PICKERS["summary"] = _picker(_send_summary)
NETWORK_PICKERS["export"] = _picker(_send_export)
NETWORK_PICKERS["report"] = _picker(_send_report)

HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler(names("summary"), summary),
    CommandHandler(names("export"), export),
    CommandHandler(names("report"), report),
]
