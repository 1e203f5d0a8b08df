"""Journey 6: a coordinator asks where the network stands; summary, export and report."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image

from fakebot.world import World
from tests.e2e.test_agreements import record
from tests.e2e.test_rounds import answer, close_round, network_with_partners, start_round
from tests.e2e.test_workgroups import add_action, new_group
from tests.harness import BotHarness
from views import charts


async def busy_network(bot: BotHarness, world: World):  # type: ignore[no-untyped-def]
    """Two closed rounds, a working group with actions in every state, two agreements."""
    setup = await network_with_partners(bot, world, 3)
    els, group, p = setup.net.els, setup.net.group, setup.partners
    for scores in ([5, 5, 5, 5, 5, 5, 5], [7, 6, 4, 5, 8, 6, 5]):
        announcement = await start_round(bot, els, k="3")
        for user in p.values():
            await answer(bot, user, announcement, scores)
        await close_round(bot, els, group)
        await bot.dispatch()
        bot.advance(days=20)
    message = await new_group(bot, els, group)
    await bot.press(p["Anna"], message, "Ik trek")
    await add_action(bot, p["Anna"], "Wonen met zorg", "Open actie", "Gemeente", "over drie weken")
    await add_action(bot, p["Anna"], "Wonen met zorg", "Te late actie", "Portaal", "morgen")
    await add_action(bot, p["Anna"], "Wonen met zorg", "Afgeronde actie", None, "vrijdag")
    [overview] = await bot.send(p["Anna"], p["Anna"], "/actions")
    [card] = await bot.press(p["Anna"], overview, "Afgeronde actie")
    await bot.press(p["Anna"], card, "Klaar")
    await record(bot, els, "Huurcontracten", "Halfjaarlijks evalueren.", ["Portaal"], first=None)
    await record(
        bot, els, "Niet-pluis", "Signalen met de wijkzorg.", ["Gemeente Amersfoort"], first=None
    )
    bot.advance(days=3)  # "morgen" is now overdue
    return setup


async def test_summary_export_and_report(bot: BotHarness, world: World) -> None:
    setup = await busy_network(bot, world)
    els, group, anna = setup.net.els, setup.net.group, setup.partners["Anna"]

    [refused] = await bot.send(anna, group, "/summary")
    assert "Alleen coördinatoren" in refused.text
    sent = await bot.send(els, group, "/summary")
    pointer = [m for m in sent if m.chat_id == group.id]
    assert len(pointer) == 1 and "privégesprek" in pointer[0].text
    private = [m for m in sent if m.chat_id == els.id]
    text = "\n".join(m.text or "" for m in private)
    assert "Samenvatting van Wonen & Zorg Amersfoort" in text
    assert "3 partners uit 2 organisaties" in text
    assert "3 van de 3 antwoordden (100%)" in text
    assert "Vertrouwen 7,0 ↑+2,0" in text and "Communicatie 4,0 ↓-1,0" in text
    assert (
        "Wonen met zorg (Anna): 2 open" in text
        and "1 te laat" in text
        and "1 afgerond in 30 dagen" in text
    )
    assert "⚠️ Te late actie" in text
    assert "2 vastgelegd; geen evaluaties in de komende 60 dagen" in text
    assert "Zonder profiel: Gemeente Amersfoort, Portaal" in text
    assert "Zonder contact voor signalen: Gemeente Amersfoort, Portaal" in text
    photos = [m for m in private if m.photo is not None]
    assert len(photos) == 2  # the latest round's chart and the trend across both rounds
    assert all(Image.open(io.BytesIO(m.photo or b"")).size[0] > 500 for m in photos)

    [choice] = await bot.send(els, els, "/language")
    await bot.press(els, choice, "English")
    english = "\n".join(m.text or "" for m in await bot.send(els, els, "/summary"))
    assert "Trust 7.0 ↑+2.0" in english and "Communication 4.0 ↓-1.0" in english
    [choice] = await bot.send(els, els, "/language")
    await bot.press(els, choice, "Nederlands")

    # /export: one album, the workbook and the same tables as CSV, as Dutch Excel reads them.
    documents = await bot.send(els, els, "/export")
    assert len(documents) == 6 and len({m.extra["media_group_id"] for m in documents}) == 1
    assert [m.caption is not None for m in documents] == [False] * 5 + [True]
    assert "puntkomma" in (documents[-1].caption or "")
    files = {m.document[0]: m.document[1] for m in documents if m.document}
    workbook_name = next(name for name in files if name.endswith(".xlsx"))
    workbook = load_workbook(io.BytesIO(files[workbook_name]))
    assert workbook.sheetnames == ["Rondes", "Acties", "Afspraken", "Evaluaties", "Organisaties"]
    sheet = workbook["Rondes"]
    rounds = list(sheet.iter_rows(values_only=True))
    assert rounds[0][:6] == (
        "Vragenlijst",
        "Gesloten op",
        "Geantwoord",
        "Uitgenodigd",
        "Item",
        "Gemiddelde",
    )
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert len(rounds) == 1 + 2 * 7  # a header and one aggregate row per item per round
    assert rounds[1][2] == 3 and rounds[1][5] == 5.0
    # Typed cells: a day is a date shown the Dutch way, a number a number.
    assert isinstance(rounds[1][1], dt.datetime) and sheet["B2"].number_format == "dd-mm-yyyy"
    assert sheet["F2"].data_type == "n" and sheet["F2"].number_format == "0.00"
    assert isinstance(rounds[1][2], int)
    trust_latest = [r for r in rounds[1:] if r[4] == "Vertrouwen"][-1]
    assert trust_latest[5] == 7.0
    actions = list(workbook["Acties"].iter_rows(values_only=True))
    assert actions[0] == ("Werkgroep", "Actie", "Wie", "Deadline", "Status", "Afgerond op")
    assert sorted(r[4] for r in actions[1:]) == ["klaar", "open", "open"]
    assert all(isinstance(r[3], dt.datetime) for r in actions[1:])
    done = next(r for r in actions[1:] if r[4] == "klaar")
    assert isinstance(done[5], dt.datetime) and done[5].tzinfo is None  # local time
    organisations = list(workbook["Organisaties"].iter_rows(values_only=True))
    assert organisations[0][:2] == ("Organisatie", "Soort") and "Bestuurlijk" in organisations[0]
    assert {r[1] for r in organisations[1:]} == {"Gemeente", "Woningcorporatie"}
    everything = " ".join(
        str(c) for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row
    )
    for user in setup.partners.values():
        assert str(user.id) not in everything  # nobody's identity, nobody's answers
    assert not {"done", "municipality", "housing", "keep", "tactical"} & set(everything.split())
    members_csv = files[next(name for name in files if name.endswith("-members.csv"))]
    assert members_csv.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(members_csv.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Organisatie" and {r[0] for r in rows[1:]} == {
        "Portaal",
        "Gemeente Amersfoort",
    }
    rounds_csv = files[next(name for name in files if name.endswith("-rounds.csv"))]
    rows = list(csv.reader(io.StringIO(rounds_csv.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][5] == "5,00" and re.fullmatch(r"\d\d-\d\d-\d{4}", rows[1][1])

    # The files are the network's documents: a coordinator who reads English gets them in the
    # network's Dutch (the caption in English); an English network gets English conventions.
    [choice] = await bot.send(els, els, "/language")
    await bot.press(els, choice, "English")
    documents = await bot.send(els, els, "/export")
    assert "semicolons between fields" in (documents[-1].caption or "")
    files = {m.document[0]: m.document[1] for m in documents if m.document}
    workbook = load_workbook(io.BytesIO(files[next(n for n in files if n.endswith(".xlsx"))]))
    assert workbook.sheetnames[0] == "Rondes"
    await bot.send(els, group, "/setup language en")
    documents = await bot.send(els, els, "/export")
    assert "comma-separated, decimal point" in (documents[-1].caption or "")
    files = {m.document[0]: m.document[1] for m in documents if m.document}
    workbook = load_workbook(io.BytesIO(files[next(n for n in files if n.endswith(".xlsx"))]))
    assert workbook.sheetnames == ["Rounds", "Actions", "Agreements", "Reviews", "Organisations"]
    assert workbook["Rounds"]["B2"].number_format == "yyyy-mm-dd"
    rounds_csv = files[next(name for name in files if name.endswith("-rounds.csv"))]
    rows = list(csv.reader(io.StringIO(rounds_csv.decode("utf-8-sig"))))
    assert rows[0][0] == "Questionnaire" and rows[1][5] == "5.00"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", rows[1][1])
    await bot.send(els, group, "/setup language nl")
    [choice] = await bot.send(els, els, "/language")
    await bot.press(els, choice, "Nederlands")

    # /report: one page for a meeting, as an A4 PDF and the same page as a sharp PNG.
    pdf_message, png_message = await bot.send(els, els, "/report")
    assert pdf_message.extra["media_group_id"] == png_message.extra["media_group_id"]
    assert pdf_message.document is not None and png_message.document is not None
    assert pdf_message.document[0].startswith("netwerkpols-verslag-")
    pdf = pdf_message.document[1]
    assert pdf.startswith(b"%PDF") and b"/MediaBox [ 0 0 595.44 841.68 ]" in pdf  # A4
    year = str(bot.clock.now().year)
    title = f"Wonen & Zorg Amersfoort — Verslag van {bot.clock.now().day} "
    assert title.encode("utf-16-be") in pdf and year.encode("utf-16-be") in pdf
    page = Image.open(io.BytesIO(png_message.document[1]))
    assert page.size == (1654, 2338)  # A4 portrait at 200 dpi
    assert "A4" in (png_message.caption or "")


async def test_a_closed_rounds_chart_is_drawn_once_and_shown_again(
    bot: BotHarness, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The group's results draw the round's chart; /results and the coordinator's /summary
    show that same drawing again (a closed round never changes), nothing is drawn twice."""
    drawn: list[str] = []
    original = charts.bar_chart

    def counting(title: str, *args: Any, **kwargs: Any) -> bytes:
        drawn.append(title)
        return original(title, *args, **kwargs)

    monkeypatch.setattr(charts, "bar_chart", counting)
    monkeypatch.setattr(charts, "_drawings", charts.OrderedDict())
    setup = await network_with_partners(bot, world, 3)
    els, group = setup.net.els, setup.net.group
    announcement = await start_round(bot, els, k="3")
    for user in setup.partners.values():
        await answer(bot, user, announcement, [7, 6, 4, 5, 8, 6, 5])
    await close_round(bot, els, group)
    await bot.dispatch()
    shown = [m for m in world.bot_messages(group) if m.photo is not None]
    assert len(shown) == 1 and drawn == ["Netwerktoets (7 vragen)"]
    again = await bot.send(els, group, "/results")
    summary = await bot.send(els, els, "/summary")
    photos = [m.photo for m in [*again, *summary] if m.photo is not None]
    assert photos == [shown[0].photo, shown[0].photo]
    assert drawn == ["Netwerktoets (7 vragen)"]


async def test_summary_of_an_empty_network_and_a_coordinator_of_two(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 1)
    els = setup.net.els
    [text] = await bot.send(els, els, "/summary")
    assert "Nog geen gepubliceerde ronde" in text.text and "Nog geen werkgroepen" in text.text
    second = world.group("Tweede netwerk", admins=[els])
    await bot.add_bot(second, by=els)
    await bot.send(els, second, "/setup")
    [choice] = await bot.send(els, els, "/export")
    assert "Welk netwerk?" in choice.text
    documents = await bot.press(els, choice, "Tweede netwerk")
    assert any(m.document and m.document[0].endswith(".xlsx") for m in documents)
    assert bot.clock.now() > dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


async def test_a_coordinator_without_a_private_chat_gets_the_way_in(
    bot: BotHarness, world: World
) -> None:
    els = world.user("Els")
    group = world.group("Netwerk Zuid", admins=[els])
    await bot.add_bot(group, by=els)
    await bot.send(els, group, "/setup")
    for command in ("/summary", "/export", "/report"):
        [answer] = await bot.send(els, group, command)
        assert "Start" in answer.text and "gestuurd" not in answer.text, command
        assert answer.buttons()[0]["url"].startswith("https://t.me/"), command
