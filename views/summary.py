"""The coordinator's summary, the export files and the one-page report, from a Summary."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

from domain.enums import Level, OrgType
from domain.text import esc, pack_blocks, shorten
from i18n import decimal, signed, t, tn
from storage.summary import RoundSummary, Summary
from views.agreements import choice
from views.rounds import label, questionnaire_name
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


def export_tables(lang: str, summary: Summary) -> dict[str, list[list[object]]]:
    """The export's tables (sheet name -> rows, header first). Round rows are aggregates of
    published rounds only: no individual answers, no per-response rows."""
    rounds: list[list[object]] = [
        [
            "questionnaire",
            "closed",
            "respondents",
            "invited",
            "item",
            "mean",
            "median",
            "sd",
            "min",
            "max",
            "dont_know",
        ]
    ]
    for entries in summary.history.values():
        for entry in entries:
            for stats in entry.result.items:
                rounds.append(
                    [
                        questionnaire_name(lang, entry.questionnaire),
                        entry.round.closes_at.date().isoformat(),
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
    actions: list[list[object]] = [
        ["working_group", "action", "responsible", "due", "state", "done_at"]
    ]
    for action in summary.actions:
        owner = action.owner.first_name if action.owner else action.owner_text
        actions.append(
            [
                groups.get(action.working_group_id, ""),
                action.title,
                owner or "",
                action.due_on.isoformat(),
                action.state,
                action.done_at.isoformat() if action.done_at else "",
            ]
        )
    agreements: list[list[object]] = [
        [
            "agreement",
            "parties",
            "since",
            "interval_months",
            "state",
            "next_review",
            "versions",
            "text",
        ]
    ]
    reviews: list[list[object]] = [
        ["agreement", "review_date", "state", "outcome", "party", "answer", "note"]
    ]
    for agreement_entry in summary.agreements:
        item = agreement_entry.agreement
        agreements.append(
            [
                item.title,
                ", ".join(p.organisation.name for p in item.parties),
                item.start_on.isoformat(),
                item.interval_months,
                item.state,
                item.next_review_on.isoformat() if item.next_review_on else "",
                len(item.versions),
                item.text,
            ]
        )
        for review, answers in agreement_entry.reviews:
            head = [item.title, review.due_on.isoformat(), review.state, review.outcome or ""]
            if not answers:
                reviews.append([*head, "", "", ""])
            for answer in answers:
                reviews.append([*head, answer.label, answer.choice, answer.note or ""])
    members: list[list[object]] = [
        ["organisation", "type", *[level.value for level in Level], "partners"]
    ]
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for member in summary.members:
        if member.is_partner and member.organisation is not None:
            row = counts.setdefault((member.organisation.name, member.organisation.type), {})
            row[member.level or ""] = row.get(member.level or "", 0) + 1
    for (name, kind), levels in sorted(counts.items()):
        members.append(
            [name, kind, *[levels.get(level.value, 0) for level in Level], sum(levels.values())]
        )
    return {
        "rounds": rounds,
        "actions": actions,
        "agreements": agreements,
        "reviews": reviews,
        "members": members,
    }


def xlsx(tables: dict[str, list[list[object]]]) -> bytes:
    """One workbook, one sheet per table."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for name, rows in tables.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value: object) -> object:
    # A text starting with = + - @ would run as a formula in a spreadsheet: keep it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def csv_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    """A CSV file (UTF-8 with BOM, so spreadsheet programs read the accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if value is None else _cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def report_lines(lang: str, summary: Summary) -> list[str]:
    """The key figures of the one-page report (plain text)."""
    lines = [
        partners_from(lang, summary.partners, summary.organisations),
    ]
    for entry in summary.latest:
        invited = max(entry.round.invited, entry.result.respondents)
        lines.append(
            t(
                lang,
                "{questionnaire}: {n} of {invited} answered",
                questionnaire=questionnaire_name(lang, entry.questionnaire),
                n=entry.result.respondents,
                invited=invited,
            )
        )
    open_actions = sum(g.open for g in summary.groups)
    overdue = sum(len(g.overdue) for g in summary.groups)
    lines.append(
        tn(lang, "{n} working group", "{n} working groups", len(summary.groups))
        + ": "
        + tn(lang, "{n} open action", "{n} open actions", open_actions)
        + ", "
        + tn(lang, "{n} overdue", "{n} overdue", overdue)
    )
    lines.append(
        tn(lang, "{n} agreement", "{n} agreements", len(summary.agreements))
        + "; "
        + t(
            lang,
            "reviews in the coming 60 days: {upcoming}",
            upcoming=len(summary.upcoming_reviews),
        )
    )
    return lines
