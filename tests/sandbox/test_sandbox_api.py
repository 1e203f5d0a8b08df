"""The sandbox through its HTTP API, as the page uses it: the demo network, a round from start
to results with a jump in time, and every kind of bad request."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from handlers.base import services_of
from storage.models import Member, OrganisationProfile, SignalContact, Trekker
from tests.sandbox.conftest import Page


def newest_with_button(chat: dict[str, Any], label: str) -> tuple[int, int, int]:
    """(message id, row, column) of the newest message with a button labelled label (exactly,
    else containing it)."""
    for message in reversed(chat["messages"]):
        for exact in (True, False):
            for r, row in enumerate(message["buttons"]):
                for c, button in enumerate(row):
                    if button["text"] == label if exact else label in button["text"]:
                        return message["id"], r, c
    raise AssertionError(f"no button {label!r} in {chat['title']}")


def chat_of(state: dict[str, Any], chat_id: int) -> dict[str, Any]:
    return next(chat for chat in state["chats"] if chat["id"] == chat_id)


async def press(page: Page, who: str, chat_id: int, label: str) -> dict[str, Any]:
    person = page.person(who)
    message, row, column = newest_with_button(chat_of(await page.state(), chat_id), label)
    status, answer = await page.post(
        "/api/press",
        {"as": person, "chat": chat_id, "message": message, "row": row, "column": column},
    )
    assert status == 200, answer
    return answer


async def say(page: Page, who: str, chat_id: int, text: str) -> None:
    status, answer = await page.post(
        "/api/send", {"as": page.person(who), "chat": chat_id, "text": text}
    )
    assert status == 200, answer


async def create_demo(page: Page) -> dict[str, Any]:
    status, answer = await page.post("/api/demo", {})
    assert status == 200, answer
    return await page.state()


async def test_the_demo_network_is_made_by_the_coordinator_and_five_partners(page: Page) -> None:
    state = await page.state()
    assert not state["bot_in_group"]
    assert len(state["people"]) == 6
    state = await create_demo(page)
    assert state["bot_in_group"]
    group = chat_of(state, state["group_id"])
    assert any("Wijknetwerk Oost" in (m["html"] or "") for m in group["messages"])
    database = services_of(page.sandbox.application).database
    async with database.unit_of_work() as session:
        partners = await session.scalar(
            select(func.count()).select_from(Member).where(Member.organisation_id.is_not(None))
        )
        coordinators = await session.scalar(
            select(func.count()).select_from(Member).where(Member.is_coordinator.is_(True))
        )
    assert (partners, coordinators) == (5, 1)
    async with database.unit_of_work() as session:
        [lead] = (await session.scalars(select(Trekker))).all()
    assert lead.person_id == page.person("Jeroen")
    assert any("Wonen met zorg" in (m["html"] or "") for m in group["messages"])
    async with database.unit_of_work() as session:
        profiles = (await session.scalars(select(OrganisationProfile))).all()
        [contact] = (await session.scalars(select(SignalContact))).all()
    assert len(profiles) == 2 and contact.person_id == page.person("Sanne")
    # Whom to call is there at once, with its contact.
    karel = page.person("Karel")
    await say(page, "Karel", karel, "/wie politie")
    [answer] = [
        m
        for m in chat_of(await page.state(), karel)["messages"]
        if "Wie bel ik" in (m["html"] or "")
    ]
    assert "Sanne" in answer["html"] and "0900-8844" in answer["html"]
    # And one table of four with a third rotating, announced in the group.
    messages = chat_of(await page.state(), state["group_id"])["messages"]
    [table] = [m for m in messages if "Bestuurlijke tafel" in (m["html"] or "")]
    assert "Politie Oost (sinds" in table["html"] and "Welzijn Samen" not in table["html"]
    jeroen = page.person("Jeroen")
    await say(page, "Jeroen", jeroen, "/action")  # the trekker can add an action at once
    newest_with_button(chat_of(await page.state(), jeroen), "Wonen met zorg")
    status, answer = await page.post("/api/demo", {})
    assert status == 400 and answer["error"] == "Het demonetwerk is er al."


async def test_a_round_answered_by_three_partners_closes_after_a_jump_with_its_chart(
    page: Page,
) -> None:
    state = await create_demo(page)
    group_id, marieke = state["group_id"], page.person("Marieke")
    await say(page, "Marieke", marieke, "/round")
    for label in ("Netwerktoets", "Over 14 dagen", "3", "Volgende", "Start"):
        await press(page, "Marieke", marieke, label)
    for name, score in (("Jeroen", "7"), ("Fatima", "5"), ("Sanne", "8")):
        opened = await press(page, name, group_id, "Antwoord")
        assert opened["open_chat"] == page.person(name)
        for _ in range(7):
            await press(page, name, page.person(name), score)
        await press(page, name, page.person(name), "Overslaan")
        await press(page, name, page.person(name), "Insturen")
    before = dt.datetime.fromisoformat((await page.state())["now"])
    # The deadline is 14 days ahead at the end of a working day: three weeks pass it at any hour.
    for _ in range(3):
        status, answer = await page.post("/api/jump", {"step": "week"})
        assert status == 200, answer
    state = await page.state()
    assert dt.datetime.fromisoformat(state["now"]) - before >= dt.timedelta(days=21)
    assert state["shifted_days"] >= 21
    group = chat_of(state, group_id)
    [chart] = [m for m in group["messages"] if m["photo"]]
    async with page.session.get(f"{page.base}/api/photo/{group_id}/{chart['id']}") as response:
        assert response.status == 200
        assert (await response.read()).startswith(b"\x89PNG")
    assert any(
        "3 " in (m["html"] or "") and "Netwerktoets" in (m["html"] or "") for m in group["messages"]
    )


async def test_what_people_type_is_shown_as_text_never_as_markup(page: Page) -> None:
    await create_demo(page)
    karel = page.person("Karel")
    await say(page, "Karel", karel, "<img src=x onerror=alert(1)> & <b>vet</b>")
    [typed] = [
        m
        for m in chat_of(await page.state(), karel)["messages"]
        if not m["by_bot"] and "<img" in m["text"]
    ]
    assert typed["html"] is None


async def test_bad_requests_get_a_clear_dutch_answer_and_change_nothing(page: Page) -> None:
    state = await create_demo(page)
    group_id, karel, fatima = state["group_id"], page.person("Karel"), page.person("Fatima")
    counts = {chat["id"]: len(chat["messages"]) for chat in state["chats"]}
    bad: list[tuple[str, Any, str]] = [
        ("/api/send", [1, 2], "Dat verzoek werd niet begrepen."),
        (
            "/api/send",
            {"as": True, "chat": karel, "text": "hoi"},
            "Dat verzoek werd niet begrepen.",
        ),
        (
            "/api/send",
            {"as": "abc", "chat": karel, "text": "hoi"},
            "Dat verzoek werd niet begrepen.",
        ),
        ("/api/send", {"as": karel, "chat": karel}, "Dat verzoek werd niet begrepen."),
        (
            "/api/send",
            {"as": 1, "chat": 1, "text": "hoi"},
            "Die persoon bestaat niet in de sandbox.",
        ),
        ("/api/send", {"as": karel, "chat": karel, "text": "   "}, "Typ eerst een bericht."),
        (
            "/api/send",
            {"as": karel, "chat": karel, "text": "x" * 5000},
            "Telegram staat hoogstens 4.096 tekens per bericht toe.",
        ),
        (
            "/api/send",
            {"as": karel, "chat": fatima, "text": "hoi"},
            "Alleen degene van wie dit gesprek is, kan erin schrijven.",
        ),
        (
            "/api/press",
            {"as": karel, "chat": group_id, "message": 10**9, "row": 0, "column": 0},
            "Dat bericht is er niet meer.",
        ),
        (
            "/api/press",
            {"as": karel, "chat": group_id, "message": 3, "row": 9, "column": 0},
            "Die knop is er niet meer.",
        ),
        (
            "/api/link",
            {"as": karel, "url": "https://example.org/phish"},
            "Die link gaat buiten de sandbox.",
        ),
        (
            "/api/jump",
            {"step": "century"},
            "De sandbox kan een dag, een week of een halfjaar vooruit.",
        ),
        ("/api/jump", {"step": None}, "Dat verzoek werd niet begrepen."),
    ]
    for path, body, message in bad:
        status, answer = await page.post(path, body)
        assert (status, answer) == (400, {"error": message}), (path, body)
    async with page.session.post(f"{page.base}/api/send", data=b"{not json") as response:
        assert response.status == 400
    status, _ = await page.post(
        "/api/send", {"as": karel, "chat": karel, "text": "/help"}, Origin="http://evil.example"
    )
    assert status == 403
    for path in ("/static/app.py", "/static/..%2F..%2Fsettings.py", "/api/photo/1/1"):
        async with page.session.get(page.base + path) as response:
            assert response.status in (400, 404), path
    after = await page.state()
    assert {chat["id"]: len(chat["messages"]) for chat in after["chats"]} == counts
    assert after["shifted_days"] == 0


async def test_the_page_and_its_texts_come_in_dutch_and_english(page: Page) -> None:
    async with page.session.get(page.base + "/") as response:
        assert response.status == 200
        assert "/static/app.js" in await response.text()
    _, dutch = await page.get("/api/texts", lang="nl")
    _, english = await page.get("/api/texts", lang="en")
    assert dutch["texts"].keys() == english["texts"].keys()
    assert all(dutch["texts"].values()) and all(english["texts"].values())
    assert dutch["texts"]["demo"] != english["texts"]["demo"]
    _, state = await page.get("/api/state", lang="en")
    assert any(p["role"].startswith("Coordinator") for p in state["people"])


async def test_half_a_year_ahead_is_six_calendar_months(page: Page) -> None:
    before = dt.datetime.fromisoformat((await page.state())["now"])
    status, answer = await page.post("/api/jump", {"step": "halfyear"})
    assert status == 200, answer
    after = dt.datetime.fromisoformat(answer["now"])
    assert 181 <= (after - before).days <= 184
    assert (after.month - before.month) % 12 == 6


async def test_an_english_visitor_gets_an_english_demo_network(page: Page) -> None:
    async with page.session.post(f"{page.base}/api/demo?lang=en", json={}) as response:
        assert response.status == 200
    state = await page.state()
    group = chat_of(state, state["group_id"])
    assert any("This group is now the network" in (m["html"] or "") for m in group["messages"])
    noor = chat_of(state, page.person("Noor"))
    assert any("Welcome to" in (m["html"] or "") for m in noor["messages"])


AMSTERDAM = ZoneInfo("Europe/Amsterdam")


async def test_a_jump_dates_each_message_when_it_fell_due(page: Page) -> None:
    """Three weeks pass: reminders, progress notes and digests come in office hours on the days
    they are due and the round closes at its deadline, not all at the moment of the jump."""
    state = await create_demo(page)
    group_id, marieke = state["group_id"], page.person("Marieke")
    await say(page, "Marieke", marieke, "/round")
    for label in ("Netwerktoets", "Over 14 dagen", "3", "Volgende", "Start"):
        await press(page, "Marieke", marieke, label)
    before = (await page.state())["now"]
    started = dt.datetime.fromisoformat(before).timestamp()
    for _ in range(3):
        status, answer = await page.post("/api/jump", {"step": "week"})
        assert status == 200, answer
    state = await page.state()
    now = dt.datetime.fromisoformat(state["now"]).timestamp()
    during = [
        m
        for chat in state["chats"]
        for m in chat["messages"]
        if m["by_bot"] and m["date"] > started + 60
    ]
    assert len(during) >= 3
    assert len({m["date"] for m in during}) > 1  # not one moment for all
    assert all(m["date"] < now - 3600 for m in during if "is gesloten" in (m["html"] or ""))
    for message in during:
        local = dt.datetime.fromtimestamp(message["date"], AMSTERDAM)
        assert local.weekday() < 5 and 8 <= local.hour < 18, (local, message["html"][:60])
    group = chat_of(state, group_id)
    [closed] = [m for m in group["messages"] if "is gesloten" in (m["html"] or "")]
    deadline = dt.datetime.fromtimestamp(closed["date"], AMSTERDAM)
    assert (deadline.hour, deadline.minute) == (17, 0)  # at the deadline, not at the jump


async def test_a_refused_button_pops_up_its_alert(page: Page) -> None:
    state = await create_demo(page)
    answer = await press(page, "Sanne", state["group_id"], "English")  # a coordinator's button
    assert answer["popup"]["alert"] and "coördinatoren" in answer["popup"]["text"]


async def test_the_command_menu_is_the_one_telegram_shows_that_person_there(page: Page) -> None:
    state = await create_demo(page)
    people = {p["name"]: p for p in state["people"]}
    private = {c["command"]: c["description"] for c in people["Jeroen"]["private_menu"]}
    assert "hulp" in private and "acties" in private  # in the person's language, Dutch here
    assert "ronde" not in private  # Jeroen is a partner, not a coordinator
    group_admin = {c["command"] for c in people["Marieke"]["group_menu"]}
    group_partner = {c["command"] for c in people["Jeroen"]["group_menu"]}
    assert "instellen" in group_admin and "instellen" not in group_partner
    assert "ronde" in {c["command"] for c in people["Marieke"]["private_menu"]}
    assert private["hulp"] == "Wat je hier kunt doen"


async def test_the_page_starts_in_the_bots_default_language(page: Page) -> None:
    async with page.session.get(
        page.base + "/api/texts", headers={"Accept-Language": "en-GB,en"}
    ) as response:
        found = await response.json()
    assert found["lang"] == page.sandbox.settings.default_language == "nl"
    assert "/taal" in found["texts"]["language_note"]
