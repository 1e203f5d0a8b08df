"""The sandbox's chat page in real headless Chromium (Debian's, driven by Playwright): create
the demo network, start a round as the coordinator, answer as three partners by clicking,
jump to the deadline and see the results with their chart in the group pane."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

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

    for name, score in (("Jeroen", "7"), ("Fatima", "6"), ("Sanne", "8")):
        await tab.get_by_test_id("write-as").select_option(label=name)
        await group.locator(".keyboard").get_by_role("button", name="Antwoord").last.click()
        await settled(tab)
        await expect(tab.get_by_test_id(f"tab-{name}")).to_have_class("active")
        for _ in range(7):
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
    if wanted:  # scripts/sandbox-screenshot refreshes the README's picture this way
        shutil.copy(tmp_path / "sandbox.png", wanted)
