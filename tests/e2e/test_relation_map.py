"""The relation map: each partner scores, per kind of organisation in the network, how well
they know and reach them. Published under the round's anonymity rules, with the network drawn
as rings (the inner ring known and reachable, the outer ring has to beg) and the next step
for the outer ring; the next map shows the change."""

from __future__ import annotations

import io

from PIL import Image

from fakebot.world import World
from tests.e2e.test_rounds import (
    all_results,
    answer,
    close_round,
    network_with_partners,
    start_round,
)
from tests.harness import BotHarness

# Items in the network's kinds' order: municipality, housing, care, welfare, police.
SCORES = [8, 8, 6, 3, 4]


async def test_a_relation_map_shows_the_rings_under_the_anonymity_rules(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 7)
    els, group = setup.net.els, setup.net.group
    announcement = await start_round(bot, els, "Relatiekaart per soort", k="3")
    [_, question] = await bot.press(setup.partners["Anna"], announcement, "Antwoord")
    assert "De gemeente: hoe goed kennen we ze, en kunnen we ze bereiken?" in question.text
    assert "Vraag 1 van 5" in question.text or "1 van 5" in question.text
    for user in setup.partners.values():
        await answer(bot, user, announcement, SCORES)
    await close_round(bot, els, group)
    await bot.dispatch()
    [results] = [m for m in world.bot_messages(group) if "Uitkomsten" in (m.text or "")]
    text = results.text
    assert "Relatiekaart per soort: kennen en bereiken we elkaar?" in text
    assert "Binnenste ring, bekend en bereikbaar: Woningcorporatie, Gemeente" in text
    assert "Middelste ring: Zorgaanbieder" in text
    assert "Buitenste ring, zij moeten bedelen: Politie, Welzijnsorganisatie" in text
    assert "Volgende stap voor de buitenste ring (Politie, Welzijnsorganisatie)" in text
    assert "/profiel" in text and "/tafel" in text
    # Kinds of 1 or 2 partners are never shown as a group; levels of 3 and 4 are.
    details = await all_results(bot, setup.partners["Anna"], group)
    assert "Woningcorporatie (" not in details and "Politie (" not in details
    assert "Bestuurlijk & strategisch (3)" in details
    assert "aaneenvlechten" not in text  # the collaboration advice is the Netwerktoets's
    [chart] = [m for m in world.bot_messages(group) if m.photo is not None]
    assert "het netwerk in ringen" in (chart.caption or "").lower()
    assert Image.open(io.BytesIO(chart.photo or b"")).size[0] > 500

    # Half a year later the next map shows the change: the police got to know the others.
    bot.advance(days=180)
    announcement = await start_round(bot, els, "Relatiekaart per soort", k="3")
    for user in setup.partners.values():
        await answer(bot, user, announcement, [8, 8, 6, 3, 8])
    await close_round(bot, els, group)
    await bot.dispatch()
    [_, second] = [m for m in world.bot_messages(group) if "Uitkomsten:" in (m.text or "")]
    assert "De politie: 8,0 ↑ (+4,0)" in await all_results(bot, setup.partners["Anna"], group)
    inner = "Binnenste ring, bekend en bereikbaar: Woningcorporatie, Gemeente, Politie"
    assert inner in second.text
    assert "Buitenste ring, zij moeten bedelen: Welzijnsorganisatie" in second.text


async def test_a_network_of_one_kind_has_no_relation_map(bot: BotHarness, world: World) -> None:
    setup = await network_with_partners(bot, world, 2)  # Anna and Bram, both Portaal
    [step] = await bot.send(setup.net.els, setup.net.els, "/round")
    assert not [b for b in step.buttons() if "Relatiekaart" in b["text"]]


async def test_a_small_network_maps_each_organisation_by_name(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 4)  # Portaal (2), municipality, care
    els, group = setup.net.els, setup.net.group
    announcement = await start_round(bot, els, "Relatiekaart per organisatie", k="3")
    [_, question] = await bot.press(setup.partners["Dewi"], announcement, "Antwoord")
    assert "Portaal: hoe goed kennen we ze, en kunnen we ze bereiken?" in question.text
    for user in setup.partners.values():
        await answer(bot, user, announcement, [9, 4, 6])  # by id: Portaal, municipality, care
    await close_round(bot, els, group)
    await bot.dispatch()
    [results] = [m for m in world.bot_messages(group) if "Uitkomsten" in (m.text or "")]
    assert "Binnenste ring, bekend en bereikbaar: Portaal" in results.text
    assert "Middelste ring: Zorggroep Eemland" in results.text
    assert "Buitenste ring, zij moeten bedelen: Gemeente Amersfoort" in results.text
    [chart] = [m for m in world.bot_messages(group) if m.photo is not None]
    assert chart.photo
