"""The "/" menus Telegram shows, kept in step with people's roles and languages.

Everyone starts with the everyday menus (per chat type and Telegram language). A person's
private chat gets a menu of its own, in the language they chose and with the commands of their
roles (trekker, coordinator); an appointed coordinator also gets the coordinators' menu in their
network's group, whether or not Telegram made them an admin. The database announces whose roles
changed once the change has committed (storage.db), and the menus follow."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatMember,
)
from telegram.error import TelegramError

from domain.roles import Role
from i18n import LANGUAGES, person_language
from storage import queries
from storage.db import Database, RoleChange
from storage.models import Member, Network, Person
from views.commands import EVERYDAY, menu

log = logging.getLogger(__name__)

# What a group's administrators see until a coordinator is appointed: the way to /setup.
ADMINS = EVERYDAY | {Role.COORDINATOR}


class Menus:
    """Sets the menus: the everyday ones at start, a person's own when their roles change."""

    def __init__(self, bot: Bot, database: Database, default_language: str) -> None:
        self.bot = bot
        self.database = database
        self.default_language = default_language

    async def set_everyday(self) -> None:
        """The menus for all private chats, all groups and all group admins, per language."""
        scopes: list[tuple[BotCommandScope, frozenset[Role], bool]] = [
            (BotCommandScopeAllPrivateChats(), EVERYDAY, True),
            (BotCommandScopeAllGroupChats(), EVERYDAY, False),
            (BotCommandScopeAllChatAdministrators(), ADMINS, False),
        ]
        for scope, roles, private in scopes:
            await self.bot.set_my_commands(menu(self.default_language, private, roles), scope=scope)
            for lang in LANGUAGES:
                await self.bot.set_my_commands(
                    menu(lang, private, roles), scope=scope, language_code=lang
                )

    async def follow(self, changes: frozenset[RoleChange]) -> None:
        """After a commit that changed these people's roles (or language): their menus anew."""
        networks_of: dict[int, set[int]] = defaultdict(set)
        unmade: set[tuple[int, int]] = set()  # (person, network) where coordinator changed
        for person_id, network_id, coordinator_changed in changes:
            networks_of[person_id].add(network_id)
            if coordinator_changed:
                unmade.add((person_id, network_id))
        plans: list[tuple[BotCommandScope, list[BotCommand] | None]] = []
        async with self.database.unit_of_work() as session:
            for person_id, touched in networks_of.items():
                person = await session.get(Person, person_id)
                if person is None:  # forgotten: their private chat gets the everyday menu
                    plans.append((BotCommandScopeChat(person_id), None))
                    continue
                lang = person_language(person, None, self.default_language)
                if person.started:
                    roles = await queries.roles(session, person_id)
                    plans.append((BotCommandScopeChat(person_id), menu(lang, True, roles)))
                for network in await _networks(session, person_id, touched):
                    member = await queries.membership(session, network.id, person_id)
                    in_group = BotCommandScopeChatMember(network.chat_id, person_id)
                    if member is not None and member.is_coordinator and network.active:
                        roles = await queries.roles(session, person_id, network.id)
                        plans.append((in_group, menu(lang, False, roles)))
                    elif member is not None and (person_id, network.id) in unmade:
                        plans.append((in_group, None))  # back to the group's everyday menu
        for scope, commands in plans:
            try:
                if commands is None:
                    await self.bot.delete_my_commands(scope=scope)
                else:
                    await self.bot.set_my_commands(commands, scope=scope)
            except TelegramError as error:
                # A menu is a convenience: every command answers whoever types it.
                log.warning("Could not set a command menu (%s): %s", type(scope).__name__, error)


async def _networks(session: AsyncSession, person_id: int, touched: Iterable[int]) -> list[Network]:
    """The networks whose group menu may have changed for the person: the ones the change
    named, and every one they are or were a member of when it named none."""
    ids = {n for n in touched if n}
    if 0 in touched:
        ids |= set(
            await session.scalars(select(Member.network_id).where(Member.person_id == person_id))
        )
    if not ids:
        return []
    return list((await session.scalars(select(Network).where(Network.id.in_(ids)))).all())
