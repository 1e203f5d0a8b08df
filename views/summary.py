"""The coordinator's summary, the export files and the one-page report, from a Summary."""

from __future__ import annotations

import csv
import datetime as dt
import html as html_lib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from domain.enums import Level, OrgType
from domain.questionnaires import NETWERKTOETS
from domain.results import collaboration_advice, lowest_items, widest_disagreement
from domain.text import esc, pack_blocks, shorten
from i18n import N_, date_text, decimal, signed, t, tn
from storage.summary import RoundSummary, Summary
from views.agreements import choice
from views.rounds import form_text, label, questionnaire_name
from views.workgroups import day, trekker_names


def partners_from(lang: str, partners: int, organisations: int) -> str:
    """'3 partners from 2 organisations', each noun as its number wants."""
    return t(
        lang,
        "{partners} from {organisations}",
        partners=tn(lang, "{n} partner", "{n} partners", partners),
        organisations=tn(lang, "{n} organisation", "{n} organisations", organisations),
    )


def _arrow(lang: str, now: float, before: float | None) -> str:
    if before is None:
        return ""
    delta = now - before
    return f" {'↑' if delta >= 0.3 else '↓' if delta <= -0.3 else '→'}{signed(lang, delta)}"


def _label(lang: str, entry: RoundSummary, key: str) -> str:
    return esc(label(lang, entry.questionnaire, entry.questionnaire.item(key)))


def _round_block(lang: str, entry: RoundSummary) -> str:
    result, questionnaire = entry.result, entry.questionnaire
    invited = max(entry.round.invited, result.respondents)
    rate = round(100 * result.respondents / invited) if invited else 0
    head = t(
        lang,
        "<b>{questionnaire}</b> ({day}): {n} of {invited} answered ({rate}%)",
        questionnaire=esc(questionnaire_name(lang, questionnaire)),
        day=day(lang, entry.round.closes_at.date()),
        n=result.respondents,
        invited=invited,
        rate=rate,
    )
    previous = result.previous_means or {}
    items = [
        f"{_label(lang, entry, s.key)} {decimal(lang, s.mean)}"
        f"{_arrow(lang, s.mean, previous.get(s.key))}"
        for s in result.items
        if s.mean is not None
    ]
    return head + "\n" + ", ".join(items)


def summary_text(lang: str, summary: Summary) -> list[str]:
    """The summary as messages."""
    network = summary.network
    blocks = [
        t(
            lang,
            "📌 <b>Summary of {network}</b> — {day}",
            network=esc(network.name),
            day=day(lang, summary.today),
        ),
        "\n"
        + "👥 "
        + partners_from(lang, summary.partners, summary.organisations)
        + tn(lang, "; {n} can be reached by me.", "; {n} can be reached by me.", summary.reachable),
    ]
    if summary.by_type:
        blocks.append(
            ", ".join(f"{t(lang, OrgType(k).label)} {n}" for k, n in summary.by_type.most_common())
        )
        blocks.append(
            ", ".join(
                f"{t(lang, Level(k).label)} {summary.by_level[k.value]}"
                for k in Level
                if summary.by_level[k.value]
            )
        )
    blocks.append("\n" + t(lang, "📊 <b>Latest rounds</b>"))
    blocks.extend(_round_block(lang, entry) for entry in summary.latest)
    if not summary.latest:
        blocks.append(t(lang, "No published round yet."))
    blocks.append("\n" + t(lang, "🛠 <b>Working groups</b>"))
    for group in summary.groups:
        blocks.append(
            f"<b>{esc(group.group.name)}</b> ({trekker_names(group.group)}): "
            + t(
                lang,
                "{open} open, {due} due this week, {overdue} overdue, {done} done in 30 days",
                open=group.open,
                due=group.due_this_week,
                overdue=len(group.overdue),
                done=group.done_last_30_days,
            )
        )
        blocks.extend(
            f"  ⚠️ {esc(shorten(a.title, 100))} ({day(lang, a.due_on)})" for a in group.overdue
        )
    if not summary.groups:
        blocks.append(t(lang, "No working groups yet."))
    blocks.append("\n" + t(lang, "🤝 <b>Agreements</b>"))
    if summary.agreements and not summary.upcoming_reviews:
        blocks.append(
            t(lang, "{n} on record; no reviews in the coming 60 days.", n=len(summary.agreements))
        )
    for agreement in summary.upcoming_reviews:
        assert agreement.next_review_on is not None
        blocks.append(
            t(
                lang,
                "Review {day}: {title}",
                day=day(lang, agreement.next_review_on),
                title=esc(agreement.title),
            )
        )
    for entry in summary.agreements:
        if entry.last_outcome:
            blocks.append(
                t(
                    lang,
                    "{title}: last review {outcome}",
                    title=esc(entry.agreement.title),
                    outcome=choice(lang, entry.last_outcome),
                )
            )
        if entry.unanswered:
            blocks.append(
                t(
                    lang,
                    "{title}: waiting for {parties}",
                    title=esc(entry.agreement.title),
                    parties=esc(", ".join(entry.unanswered)),
                )
            )
    if not summary.agreements:
        blocks.append(t(lang, "No agreements yet."))
    blocks.append("\n" + t(lang, "🏢 <b>Knowing each other</b>"))
    if summary.without_profile:
        blocks.append(
            t(lang, "Without a profile: {names}", names=esc(", ".join(summary.without_profile)))
        )
    if summary.without_contact:
        blocks.append(
            t(
                lang,
                "Without a contact for signals: {names}",
                names=esc(", ".join(summary.without_contact)),
            )
        )
    if not (summary.without_profile or summary.without_contact):
        blocks.append(t(lang, "Every organisation has a profile and a contact for signals."))
    return pack_blocks(blocks)


# --- export -------------------------------------------------------------------------------------


ACTION_STATES = {"open": N_("open"), "done": N_("done"), "cancelled": N_("cancelled")}
AGREEMENT_STATES = {"active": N_("active"), "stopped": N_("stopped")}
REVIEW_STATES = {"open": N_("open"), "closed": N_("closed")}

Cell = str | int | float | dt.date | dt.datetime | None


@dataclass(frozen=True)
class Table:
    """One sheet of the export: its name in the reader's language, header first."""

    key: str  # a stable English name, for file names and tests
    title: str
    rows: list[list[Cell]]


def _word(lang: str, words: dict[str, str], code: str | None) -> str:
    return t(lang, words[code]) if code in words else code or ""


def export_tables(lang: str, summary: Summary) -> list[Table]:
    """The export's tables in the network's (or reader's) language, with typed cells: numbers
    as numbers, days as dates, moments as local times. Round rows are aggregates of published
    rounds only: no individual answers, no per-response rows."""
    zone = ZoneInfo(summary.network.timezone)

    def local(moment: dt.datetime | None) -> dt.datetime | None:
        return moment.astimezone(zone).replace(tzinfo=None, microsecond=0) if moment else None

    def header(*names: str) -> list[Cell]:
        return [t(lang, name) for name in names]

    rounds: list[list[Cell]] = [
        header(
            N_("Questionnaire"),
            N_("Closed on"),
            N_("Answered"),
            N_("Invited"),
            N_("Item"),
            N_("Average"),
            N_("Median"),
            N_("Spread (sd)"),
            N_("Lowest"),
            N_("Highest"),
            N_("Don't know"),
        )
    ]
    for entries in summary.history.values():
        for entry in entries:
            for stats in entry.result.items:
                rounds.append(
                    [
                        questionnaire_name(lang, entry.questionnaire),
                        entry.round.closes_at.astimezone(zone).date(),
                        entry.result.respondents,
                        max(entry.round.invited, entry.result.respondents),
                        label(lang, entry.questionnaire, entry.questionnaire.item(stats.key)),
                        None if stats.mean is None else round(stats.mean, 2),
                        stats.median,
                        None if stats.sd is None else round(stats.sd, 2),
                        stats.minimum,
                        stats.maximum,
                        stats.dont_know,
                    ]
                )
    groups = {g.group.id: g.group.name for g in summary.groups}
    actions: list[list[Cell]] = [
        header(N_("Working group"), N_("Action"), N_("Who"), N_("Due"), N_("State"), N_("Done at"))
    ]
    for action in summary.actions:
        owner = action.owner.first_name if action.owner else action.owner_text
        actions.append(
            [
                groups.get(action.working_group_id, ""),
                action.title,
                owner or "",
                action.due_on,
                _word(lang, ACTION_STATES, action.state),
                local(action.done_at),
            ]
        )
    agreements: list[list[Cell]] = [
        header(
            N_("Agreement"),
            N_("Parties"),
            N_("Since"),
            N_("Review every (months)"),
            N_("State"),
            N_("Next review"),
            N_("Versions"),
            N_("Text"),
        )
    ]
    reviews: list[list[Cell]] = [
        header(
            N_("Agreement"),
            N_("Review date"),
            N_("State"),
            N_("Outcome"),
            N_("Party"),
            N_("Answer"),
            N_("Note"),
        )
    ]
    for agreement_entry in summary.agreements:
        item = agreement_entry.agreement
        agreements.append(
            [
                item.title,
                ", ".join(p.organisation.name for p in item.parties),
                item.start_on,
                item.interval_months,
                _word(lang, AGREEMENT_STATES, item.state),
                item.next_review_on,
                len(item.versions),
                item.text,
            ]
        )
        for review, answers in agreement_entry.reviews:
            head: list[Cell] = [
                item.title,
                review.due_on,
                _word(lang, REVIEW_STATES, review.state),
                choice(lang, review.outcome) if review.outcome else "",
            ]
            if not answers:
                reviews.append([*head, "", "", ""])
            for answer in answers:
                reviews.append(
                    [*head, answer.label, choice(lang, answer.choice), answer.note or ""]
                )
    members: list[list[Cell]] = [
        header(N_("Organisation"), N_("Kind"), *[level.label for level in Level], N_("Partners"))
    ]
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for member in summary.members:
        if member.is_partner and member.organisation is not None:
            row = counts.setdefault((member.organisation.name, member.organisation.type), {})
            row[member.level or ""] = row.get(member.level or "", 0) + 1
    for (name, kind), levels in sorted(counts.items()):
        members.append(
            [
                name,
                t(lang, OrgType(kind).label) if kind in set(OrgType) else kind,
                *[levels.get(level.value, 0) for level in Level],
                sum(levels.values()),
            ]
        )
    return [
        Table("rounds", t(lang, "Rounds"), rounds),
        Table("actions", t(lang, "Actions"), actions),
        Table("agreements", t(lang, "Agreements"), agreements),
        Table("reviews", t(lang, "Reviews"), reviews),
        Table("members", t(lang, "Organisations"), members),
    ]


# How a day, a moment and a fraction look per language: in Excel (number formats; the decimal
# sign follows the reader's Excel) and in CSV (written out, as Dutch or English Excel reads it).
DATE_FORMATS = {"nl": ("dd-mm-yyyy", "dd-mm-yyyy hh:mm"), "en": ("yyyy-mm-dd", "yyyy-mm-dd hh:mm")}
CSV_DATES = {"nl": ("%d-%m-%Y", "%d-%m-%Y %H:%M"), "en": ("%Y-%m-%d", "%Y-%m-%d %H:%M")}
CSV_SEPARATORS = {"nl": (";", ","), "en": (",", ".")}  # field separator, decimal sign
CSV_CONVENTIONS = {
    "nl": N_("semicolons between fields, decimal commas, UTF-8"),
    "en": N_("comma-separated, decimal point, UTF-8"),
}


def xlsx(lang: str, tables: Sequence[Table]) -> bytes:
    """One workbook, one sheet per table: a bold, frozen header row, typed cells, and columns
    wide enough to read."""
    from openpyxl import Workbook  # heavy (PIL, numpy): only for /export
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    day_format, moment_format = DATE_FORMATS.get(lang, DATE_FORMATS["en"])
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.title))
        widths: dict[int, int] = {}
        for number, row in enumerate(table.rows):
            sheet.append([_cell(value) for value in row])
            for column, value in enumerate(row, 1):
                cell = sheet.cell(row=number + 1, column=column)
                if number == 0:
                    cell.font = Font(bold=True)
                elif isinstance(value, dt.datetime):
                    cell.number_format = moment_format
                elif isinstance(value, dt.date):
                    cell.number_format = day_format
                elif isinstance(value, float):
                    cell.number_format = "0.00"
                widths[column] = max(widths.get(column, 0), _width(value))
        sheet.freeze_panes = "A2"
        for column, width in widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str) -> str:
    # Excel: at most 31 characters, none of : \ / ? * [ ]
    return "".join(c for c in title if c not in ":\\/?*[]")[:31] or "Sheet"


def _width(value: Cell) -> int:
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    return len(str(value)) if value is not None else 0


def _cell(value: object) -> object:
    # A text starting with = + - @ would run as a formula in a spreadsheet: keep it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def csv_bytes(lang: str, rows: Sequence[Sequence[Cell]]) -> bytes:
    """A CSV file as the reader's Excel opens it: in Dutch a semicolon between fields and a
    decimal comma, days as 14-12-2026; in English commas and points, days as 2026-12-14. UTF-8
    with a BOM, so that the accents survive."""
    separator, decimal_sign = CSV_SEPARATORS.get(lang, CSV_SEPARATORS["en"])
    day_format, moment_format = CSV_DATES.get(lang, CSV_DATES["en"])

    def written(value: Cell) -> str:
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            return value.strftime(moment_format)
        if isinstance(value, dt.date):
            return value.strftime(day_format)
        if isinstance(value, float):
            return f"{value:.2f}".replace(".", decimal_sign)
        return str(_cell(value))

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    for row in rows:
        writer.writerow([written(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class Report:
    """The one-page report, in words and numbers, for charts.report_page to lay out on A4."""

    title: str
    subtitle: str
    sections: list[tuple[str, list[str]]]
    chart_title: str = ""
    labels: list[str] = field(default_factory=list)
    means: list[float | None] = field(default_factory=list)
    previous: list[float | None] | None = None
    chart_after: int = 0  # the section the chart follows (the round's own)
    footer: str = ""


REPORT_GROUPS = 8
REPORT_REVIEWS = 5


def report(lang: str, summary: Summary) -> Report:
    """What the one-page report says: who took part, the latest round (with its chart, what
    to talk about and the advice), the working groups and the agreements, dated with the year."""
    today = date_text(lang, summary.today, weekday=False, year=True)
    sections: list[tuple[str, list[str]]] = []
    participation = [partners_from(lang, summary.partners, summary.organisations)]
    for entry in summary.latest:
        invited = max(entry.round.invited, entry.result.respondents)
        participation.append(
            t(
                lang,
                "{questionnaire}, closed {day}: {n} of {invited} answered ({rate}%)",
                questionnaire=questionnaire_name(lang, entry.questionnaire),
                day=date_text(lang, entry.round.closes_at.date(), weekday=False, year=True),
                n=entry.result.respondents,
                invited=invited,
                rate=round(100 * entry.result.respondents / invited) if invited else 0,
            )
        )
    sections.append((t(lang, "Participation"), participation))
    chart_after, chart_title = 0, ""
    labels: list[str] = []
    means: list[float | None] = []
    before: list[float | None] | None = None
    if summary.latest:
        entry = summary.latest[0]
        questionnaire, result = entry.questionnaire, entry.result
        items = questionnaire.items
        name = {item.key: label(lang, questionnaire, item) for item in items}
        talk: list[str] = []
        lowest = lowest_items(result.items, 3)
        if lowest:
            talk.append(
                t(
                    lang,
                    "Lowest: {items}",
                    items=", ".join(f"{name[s.key]} {decimal(lang, s.mean or 0)}" for s in lowest),
                )
            )
        widest = widest_disagreement(result.items)
        if widest is not None:
            talk.append(
                t(
                    lang,
                    "Most difference of opinion: {item} (scores from {low} to {high})",
                    item=name[widest.key],
                    low=widest.minimum,
                    high=widest.maximum,
                )
            )
        if questionnaire.key == NETWERKTOETS and (advice := collaboration_advice(result.means)):
            talk.append(plain(form_text(lang, questionnaire, advice.form, advice.work_on)))
        if talk:
            sections.append((t(lang, "To talk about"), talk))
        chart_after = len(sections) - 1  # the chart follows the round's sections
        chart_title = t(
            lang,
            "{questionnaire}: average per item (1 to 10)",
            questionnaire=questionnaire_name(lang, questionnaire),
        )
        labels = [name[item.key] for item in items]
        means = [result.means.get(item.key) for item in items]
        if (previous := result.previous_means) is not None:
            before = [previous.get(item.key) for item in items]
    groups = [
        t(
            lang,
            "{group} ({trekkers}): {open}, {overdue}",
            group=g.group.name,
            trekkers=", ".join(tr.person.first_name for tr in g.group.trekkers) or "—",
            open=tn(lang, "{n} open action", "{n} open actions", g.open),
            overdue=tn(lang, "{n} overdue", "{n} overdue", len(g.overdue)),
        )
        for g in summary.groups[:REPORT_GROUPS]
    ]
    if len(summary.groups) > REPORT_GROUPS:
        groups.append(t(lang, "and {n} more", n=len(summary.groups) - REPORT_GROUPS))
    sections.append((t(lang, "Working groups"), groups or [t(lang, "No working groups yet.")]))
    agreements = [
        tn(lang, "{n} agreement", "{n} agreements", len(summary.agreements))
        + "; "
        + t(
            lang,
            "reviews in the coming 60 days: {upcoming}",
            upcoming=len(summary.upcoming_reviews),
        )
    ]
    agreements += [
        t(
            lang,
            "{title}: review on {day}",
            title=item.title,
            day=date_text(lang, item.next_review_on, weekday=False, year=True),
        )
        for item in summary.upcoming_reviews[:REPORT_REVIEWS]
        if item.next_review_on is not None
    ]
    sections.append((t(lang, "Agreements"), agreements))
    return Report(
        title=summary.network.name,
        subtitle=t(lang, "Report of {day}", day=today),
        sections=sections,
        footer=t(
            lang,
            "Netwerkpols · the scores are anonymous: only totals of at least {k} people are shown.",
            k=min((e.result.k for e in summary.latest), default=5),
        ),
        chart_title=chart_title,
        labels=labels,
        means=means,
        previous=before,
        chart_after=chart_after,
    )


EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf]\ufe0f?\\s*")


def plain(html: str) -> str:
    """A text of ours without its HTML and emoji (for a printed page, whose font has none)."""
    return EMOJI.sub("", html_lib.unescape(re.sub(r"<[^>]+>", "", html))).strip()
