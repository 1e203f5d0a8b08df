from fakebot.world import World
from tests.harness import BotHarness


async def test_added_bot_says_hello(bot: BotHarness, world: World) -> None:
    els = world.user("Els")
    group = world.group("Wonen en Zorg Amersfoort", admins=[els])
    sent = await bot.add_bot(group, by=els)
    assert len(sent) == 1
    assert "/instellen" in sent[0].text
