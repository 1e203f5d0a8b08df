"""The sandbox's chat page in real headless Chromium (Debian's, driven by Playwright): create
the demo network, start a round as the coordinator, answer as three partners by clicking,
jump to the deadline and see the results with their chart in the group pane."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Locator, Page, async_playwright, expect

from tests.sandbox.conftest import Page as SandboxPage

CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium keeps trying to reach Google's services, which this machine refuses.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def browser_page(page: SandboxPage, tmp_path: Path) -> AsyncIterator[Page]:
    assert shutil.which(CHROMIUM), "scripts/ensure-chromium installs Debian's chromium"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, chromium_sandbox=False
        )
        context = await browser.new_context(viewport={"width": 1400, "height": 900})
        tab = await context.new_page()
        failures: list[str] = []
        tab.on("pageerror", lambda error: failures.append(str(error)))
        await tab.goto(f"{page.base}/?lang=nl")
        yield tab
        await browser.close()
    assert failures == [], f"the page's script failed: {failures}"


async def settled(tab: Page) -> None:
    """Wait until the act just started has been answered and drawn."""
    await tab.wait_for_function("!document.body.classList.contains('busy')")


async def click_button(tab: Page, pane: Locator, label: str, *, exact: bool = True) -> None:
    """Click the newest inline button with this label (or, not exact, containing it)."""
    await pane.locator(".keyboard").get_by_role("button", name=label, exact=exact).last.click()
    await settled(tab)


async def test_a_round_in_the_browser_from_demo_network_to_results(
    browser_page: Page, tmp_path: Path
) -> None:
    tab = browser_page
    group = tab.get_by_test_id("group-pane")
    private = tab.get_by_test_id("private-pane")
    await expect(tab.get_by_test_id("demo")).to_have_text("Maak het demonetwerk")

    await tab.get_by_test_id("demo").click()
    await settled(tab)
    await expect(tab.get_by_test_id("demo")).to_be_hidden()
    await expect(group).to_contain_text("Deze groep is nu het netwerk Wijknetwerk Oost")

    await tab.get_by_test_id("tab-Marieke").click()
    await tab.get_by_test_id("private-input").fill("/round")
    await tab.get_by_test_id("private-input").press("Enter")
    await settled(tab)
    await click_button(tab, private, "Netwerktoets", exact=False)
    await click_button(tab, private, "Over 14 dagen", exact=False)
    for label in ("3", "Volgende", "Start"):
        await click_button(tab, private, label, exact=False)
    await expect(group).to_contain_text("Netwerktoets")

    # Scores as partners give them: they differ per item and per person.
    for name, scores in (
        ("Jeroen", "7586476"),
        ("Fatima", "6475368"),
        ("Sanne", "8677587"),
    ):
        await tab.get_by_test_id("write-as").select_option(label=name)
        await group.locator(".keyboard").get_by_role("button", name="Antwoord").last.click()
        await settled(tab)
        await expect(tab.get_by_test_id(f"tab-{name}")).to_have_class("active")
        for score in scores:
            await click_button(tab, private, score)
        await click_button(tab, private, "Overslaan", exact=False)
        await click_button(tab, private, "Insturen", exact=False)
        await expect(private.locator(".msg").last).to_contain_text("Dank")

    # The deadline is 14 days ahead at the end of a working day: three weeks pass it at any hour.
    for _ in range(3):
        await tab.get_by_test_id("jump-week").click()
        await settled(tab)
    await expect(tab.locator("#shifted")).to_contain_text("21")
    chart = group.get_by_test_id("photo").last
    await expect(chart).to_be_visible()
    assert await chart.evaluate("image => image.complete && image.naturalWidth > 0")
    await expect(group).to_contain_text("3 van de")

    await chart.scroll_into_view_if_needed()
    await tab.screenshot(path=str(tmp_path / "sandbox.png"))
    wanted = os.environ.get("SANDBOX_SCREENSHOT")
    if wanted:  # scripts/sandbox-screenshots refreshes the README's pictures this way
        shutil.copy(tmp_path / "sandbox.png", wanted)


async def pane_texts(tab: Page) -> list[str]:
    """The text of every message in the private pane, as drawn."""
    return (
        await tab.get_by_test_id("private-pane")
        .locator(".msg .body")
        .evaluate_all("bodies => bodies.map(body => body.textContent)")
    )


async def chat_texts(tab: Page, chat: dict[str, Any]) -> list[str]:
    """The text of every message of a chat as the sandbox keeps it (bot messages as the safe
    HTML the page draws)."""
    return await tab.evaluate(
        "messages => messages.map(m => { if (m.html === null) return m.text;"
        " const body = document.createElement('div'); body.innerHTML = m.html;"
        " return body.textContent; })",
        chat["messages"],
    )


async def test_each_persons_chat_is_shown_whatever_the_order_of_clicks(
    browser_page: Page, page: SandboxPage
) -> None:
    """Visit everyone in a scrambled order, twice: each time the pane holds exactly that
    person's messages and says whose chat it is."""
    tab = browser_page
    await tab.get_by_test_id("demo").click()
    await settled(tab)
    state = await page.state()
    chats = {chat["id"]: chat for chat in state["chats"]}
    people = {person["name"]: person for person in state["people"]}
    names = list(people)
    order = [names[i] for i in (0, 3, 0, 5, 1, 4, 2, 1, 5, 3, 2, 4)]
    assert sorted(set(order)) == sorted(names)
    for name in order:
        await tab.get_by_test_id(f"tab-{name}").click()
        await expect(tab.locator("#private-sub")).to_contain_text(people[name]["organisation"])
        expected = await chat_texts(tab, chats[people[name]["id"]])
        assert await pane_texts(tab) == expected, name


async def test_a_refused_button_pops_up_an_alert_and_the_menu_lists_commands(
    browser_page: Page,
) -> None:
    tab = browser_page
    group = tab.get_by_test_id("group-pane")
    await tab.get_by_test_id("demo").click()
    await settled(tab)
    await tab.get_by_test_id("write-as").select_option(label="Sanne")
    await click_button(tab, group, "English", exact=False)  # a coordinator's button
    alert = tab.get_by_test_id("alert")
    await expect(alert).to_be_visible()
    await expect(alert).to_contain_text("coördinatoren")
    await alert.get_by_role("button").click()
    await expect(alert).to_be_hidden()

    await tab.get_by_test_id("tab-Marieke").click()
    await tab.get_by_test_id("private-menu-button").click()
    menu = tab.get_by_test_id("private-menu")
    await expect(menu).to_contain_text("/ronde")
    await menu.get_by_test_id("menu-command").filter(has_text="/hulp").click()
    await expect(tab.get_by_test_id("private-input")).to_have_value("/hulp ")


async def test_the_page_fits_a_phone(page: SandboxPage, tmp_path: Path) -> None:
    """At 390 px: nothing wider than the screen, the Send buttons on it, one pane at a time
    with a switcher, panes tall enough to read."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, chromium_sandbox=False
        )
        context = await browser.new_context(
            viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
        )
        tab = await context.new_page()
        await tab.goto(f"{page.base}/?lang=nl")
        await tab.get_by_test_id("demo").click()
        await settled(tab)
        assert await tab.evaluate("document.documentElement.scrollWidth") <= 390
        group, private = tab.get_by_test_id("group-pane"), tab.get_by_test_id("private-pane")
        await expect(group).to_be_visible()
        await expect(private).to_be_hidden()
        send = group.locator("form button[type=submit]")
        box = await send.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
        pane = await group.bounding_box()
        assert pane is not None and pane["height"] >= 400
        await tab.get_by_test_id("switcher").get_by_role("button", name="Privégesprekken").click()
        await expect(private).to_be_visible()
        await expect(group).to_be_hidden()
        box = await private.locator("form button[type=submit]").bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
        # A deep link from the group opens the private pane, as Telegram opens the chat.
        await tab.get_by_test_id("switcher").get_by_role("button", name="Groep").click()
        await tab.screenshot(path=str(tmp_path / "phone.png"))
        wanted = os.environ.get("SANDBOX_PHONE_SCREENSHOT")
        if wanted:
            shutil.copy(tmp_path / "phone.png", wanted)
        await browser.close()
