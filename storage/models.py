"""The schema, as SQLAlchemy 2 models; Alembic migrations are the only way it reaches a database."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from domain.daytime import Window, next_in_window
from domain.reminders import window_of

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC datetime on every database (SQLite keeps no zone, so store naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    """Base of all models, with named constraints so migrations can refer to them."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Person(Base):
    """Someone who has talked to the bot; the id is their Telegram user id."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))
    telegram_language: Mapped[str | None] = mapped_column(String(16))
    started: Mapped[bool] = mapped_column(Boolean, default=False)
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)

    memberships: Mapped[list[Member]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )


class Network(Base):
    """A partnership network: one Telegram group with its settings."""

    __tablename__ = "network"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))
    join_token: Mapped[str] = mapped_column(String(32), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    # Office hours for reminders (local "HH:MM", ISO weekdays 1-7) and the weekly digest.
    work_start: Mapped[str] = mapped_column(String(5), default="09:00", server_default="09:00")
    work_end: Mapped[str] = mapped_column(String(5), default="17:00", server_default="17:00")
    work_days: Mapped[str] = mapped_column(String(7), default="12345", server_default="12345")
    digest: Mapped[str] = mapped_column(String(16), default="group", server_default="group")
    digest_day: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # ISO weekday
    # How many people must write a comment before comments are shown (None: k + 2).
    comment_k: Mapped[int | None] = mapped_column(Integer)

    members: Mapped[list[Member]] = relationship(
        back_populates="network", cascade="all, delete-orphan", passive_deletes=True
    )
    organisations: Mapped[list[Organisation]] = relationship(
        back_populates="network", cascade="all, delete-orphan", passive_deletes=True
    )

    def today(self, now: dt.datetime) -> dt.date:
        """The date it is at the moment now in the network's time zone."""
        return now.astimezone(ZoneInfo(self.timezone)).date()

    @property
    def office_hours(self) -> Window:
        """When reminders may reach its people (its settings, in its time zone)."""
        return window_of(self.work_start, self.work_end, self.work_days)

    def in_office_hours(self, moment: dt.datetime) -> dt.datetime:
        """moment itself if it lies in office hours, else when they next open (UTC)."""
        return next_in_window(moment, self.timezone, self.office_hours)


class Organisation(Base):
    """A partner organisation within one network; name_key makes names unique case-insensitively."""

    __tablename__ = "organisation"
    __table_args__ = (UniqueConstraint("network_id", "name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    name_key: Mapped[str] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)

    network: Mapped[Network] = relationship(back_populates="organisations")


class Member(Base):
    """A person in a network: a partner once joined, and possibly a coordinator."""

    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("network_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    level: Mapped[str | None] = mapped_column(String(32))
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    # When the person left or was removed from the network's group: from then on the row only
    # tells coordinators who left (and with which organisation) until the person re-joins.
    left_at: Mapped[dt.datetime | None] = mapped_column()

    network: Mapped[Network] = relationship(back_populates="members")
    person: Mapped[Person] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def is_partner(self) -> bool:
        """Whether this member has answered the three join questions."""
        return self.joined_at is not None


class Conversation(Base):
    """A person's unfinished dialogue in private chat, kept here so any process can continue it."""

    __tablename__ = "conversation"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    kind: Mapped[str] = mapped_column(String(32))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Set by the dialogue engine from the bot's clock on every step (never the wall clock, so
    # expiry follows the same time as everything else).
    updated_at: Mapped[dt.datetime] = mapped_column()
    # Whether the question of the current step reached the person (see dialogues.engine).
    asked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=true())


class Outgoing(Base):
    """A message the bot must send at due_at (UTC) and must not lose: the durable work queue."""

    __tablename__ = "outgoing"
    __table_args__ = (Index("ix_outgoing_state_due_at", "state", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(48))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    network_id: Mapped[int | None] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    due_at: Mapped[dt.datetime] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[dt.datetime | None] = mapped_column()
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    dedupe_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    sent_at: Mapped[dt.datetime | None] = mapped_column()


class SendBudget(Base):
    """The turns for sending to Telegram that every bot process on this database draws from:
    when the next message may go out (PostgreSQL's own clock). One row per budget; see
    storage.budget."""

    __tablename__ = "send_budget"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Round(Base):
    """A score round: one questionnaire, answered anonymously by a network's partners."""

    __tablename__ = "round"
    __table_args__ = (
        Index("ix_round_network_id_state", "network_id", "state"),
        # One open round per questionnaire and network, whichever process starts it.
        Index(
            "uq_round_one_open",
            "network_id",
            "questionnaire",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    questionnaire: Mapped[str] = mapped_column(String(48))
    k: Mapped[int] = mapped_column(Integer)
    audience: Mapped[dict[str, Any]] = mapped_column(
        default=dict
    )  # {"levels": [...], "types": [...]}
    token: Mapped[str] = mapped_column(String(32), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open, closed
    opens_at: Mapped[dt.datetime] = mapped_column()
    closes_at: Mapped[dt.datetime] = mapped_column()
    closed_at: Mapped[dt.datetime | None] = mapped_column()
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    invited: Mapped[int] = mapped_column(Integer, default=0)  # partners invited at the start
    # Fixed at the start (domain.anonymity): the breakdown groups, each of at least k invited
    # partners, and how many comments it takes before comments are shown.
    breakdown: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    comment_k: Mapped[int | None] = mapped_column(Integer)
    # Key of the voters' hashes while the round is open; None once it published.
    voter_salt: Mapped[str | None] = mapped_column(String(64))
    # The published result (domain.results.result_to_json), frozen when the round closed.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))

    network: Mapped[Network] = relationship()


class Draft(Base):
    """Answers in progress, tied to the person until they submit (then deleted)."""

    __tablename__ = "draft"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("round.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)  # item key -> 1..10, or 0
    position: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str] = mapped_column(String(16), default="items")  # items, comment, review
    comment: Mapped[str | None] = mapped_column(Text)
    # The private-chat message showing the draft with live buttons (older copies are stale).
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now, onupdate=_now)


class RoundVoter(Base):
    """Only that someone has submitted in an open round, as a keyed hash of their Telegram id
    (the key is the round's voter_salt): for reminders and one answer each, also after
    /forgetme. No link to the person row, no time; deleted when the round publishes."""

    __tablename__ = "round_voter"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("round.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    voter: Mapped[str] = mapped_column(String(64), primary_key=True)


class RoundTally(Base):
    """An open round's counts and comments in one row (domain.anonymity.Tally), rewritten as a
    whole by every submit: no row per response, so nothing to pair by id, order or time."""

    __tablename__ = "round_tally"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("round.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CustomQuestionnaire(Base):
    """A questionnaire a network's coordinators wrote themselves."""

    __tablename__ = "custom_questionnaire"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("network.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)

    items: Mapped[list[CustomItem]] = relationship(
        order_by="CustomItem.position", cascade="all, delete-orphan", passive_deletes=True
    )


class CustomItem(Base):
    """One item of a custom questionnaire, with the coordinators' own scale anchors."""

    __tablename__ = "custom_item"
    __table_args__ = (UniqueConstraint("questionnaire_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("custom_questionnaire.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(String(256))
    low: Mapped[str] = mapped_column(String(128))
    high: Mapped[str] = mapped_column(String(128))


class WorkingGroup(Base):
    """A working group of a network, led by one or two trekkers."""

    __tablename__ = "working_group"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("network.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(128))
    purpose: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)

    trekkers: Mapped[list[Trekker]] = relationship(
        order_by="Trekker.since", cascade="all, delete-orphan", passive_deletes=True
    )


class Trekker(Base):
    """A person leading a working group."""

    __tablename__ = "trekker"

    working_group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    since: Mapped[dt.datetime] = mapped_column(default=_now)
    nudged: Mapped[bool] = mapped_column(Boolean, default=False)

    person: Mapped[Person] = relationship()


class Action(Base):
    """Something a working group will do, by someone, before a date (in the network's zone)."""

    __tablename__ = "action"
    __table_args__ = (Index("ix_action_working_group_id_state", "working_group_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    working_group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(Text)
    owner_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    owner_text: Mapped[str | None] = mapped_column(String(128))
    due_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open, done, cancelled
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    done_at: Mapped[dt.datetime | None] = mapped_column()

    working_group: Mapped[WorkingGroup] = relationship()
    owner: Mapped[Person | None] = relationship()


class ActionNote(Base):
    """A progress note on an action."""

    __tablename__ = "action_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)


class Agreement(Base):
    """A comfort agreement between parties of a network, or the network's ground rules
    (kind "rules"), reviewed every interval_months."""

    __tablename__ = "agreement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("network.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="agreement")  # agreement, rules
    title: Mapped[str] = mapped_column(String(128))
    start_on: Mapped[dt.date] = mapped_column(Date)
    interval_months: Mapped[int] = mapped_column(Integer, default=6)
    next_review_on: Mapped[dt.date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="active")  # active, stopped
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)

    versions: Mapped[list[AgreementVersion]] = relationship(
        order_by="AgreementVersion.number", cascade="all, delete-orphan", passive_deletes=True
    )
    parties: Mapped[list[AgreementParty]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    responders: Mapped[list[AgreementResponder]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def text(self) -> str:
        """The current text."""
        return self.versions[-1].text if self.versions else ""


class AgreementVersion(Base):
    """One version of an agreement's text; adjusting adds a version, nothing is overwritten."""

    __tablename__ = "agreement_version"
    __table_args__ = (UniqueConstraint("agreement_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)


class AgreementParty(Base):
    """An organisation that is party to an agreement."""

    __tablename__ = "agreement_party"

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    organisation: Mapped[Organisation] = relationship()


class AgreementResponder(Base):
    """A named person who answers the reviews (instead of every party's representatives)."""

    __tablename__ = "agreement_responder"

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )


class Review(Base):
    """One review of an agreement: open until every party answered or the deadline passed."""

    __tablename__ = "review"
    __table_args__ = (UniqueConstraint("agreement_id", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    deadline_at: Mapped[dt.datetime] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), default="open")  # open, closed
    outcome: Mapped[str | None] = mapped_column(String(16))  # keep, adjust, stop, none
    version_number: Mapped[int] = mapped_column(Integer, default=1)
    closed_at: Mapped[dt.datetime | None] = mapped_column()

    agreement: Mapped[Agreement] = relationship()


class ReviewAnswer(Base):
    """A party's (or named person's) answer to a review: keep, adjust or stop, with a note."""

    __tablename__ = "review_answer"

    review_id: Mapped[int] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    responder: Mapped[str] = mapped_column(String(24), primary_key=True)  # o<org id> / p<person>
    label: Mapped[str] = mapped_column(String(128))  # the party's or person's name then
    choice: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    answered_at: Mapped[dt.datetime] = mapped_column(default=_now)


class OrganisationProfile(Base):
    """What an organisation brings to the network, in its own words: what it wants to achieve
    here (interests), what it can offer and which signals it wants to hear of; what it cannot
    do is in OrganisationLimit. Any of its representatives edits it; every edit is dated."""

    __tablename__ = "organisation_profile"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    interests: Mapped[str | None] = mapped_column(Text)
    offers: Mapped[str | None] = mapped_column(Text)
    signals: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    # When a representative last answered "Klopt dit nog?" with Klopt.
    checked_at: Mapped[dt.datetime | None] = mapped_column()


class OrganisationLimit(Base):
    """Something an organisation cannot do, and why (money, law, mandate, capacity, other):
    the onmogelijkheden partners need to know of each other."""

    __tablename__ = "organisation_limit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))


class SignalContact(Base):
    """A representative who agreed, in private chat, to be an organisation's contact for
    signals, and how and when they want to be reached. The row is the consent: revoking it,
    leaving the network or /forgetme deletes it."""

    __tablename__ = "signal_contact"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    channel: Mapped[str] = mapped_column(String(16))  # telegram, phone, email
    address: Mapped[str | None] = mapped_column(String(128))  # the number or address
    reachable: Mapped[str] = mapped_column(String(200))
    agreed_at: Mapped[dt.datetime] = mapped_column(default=_now)

    person: Mapped[Person] = relationship()


class RepTable(Base):
    """A representative table (bestuurlijke tafel, tactisch overleg): a manageable number of
    seats held by organisations, meeting so often, with part of its seats rotating each year
    so that the outer ring gets a turn."""

    __tablename__ = "rep_table"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("network.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    meets: Mapped[str] = mapped_column(String(16))  # monthly, six_weeks, quarterly, halfyearly
    # Each rotation, one in rotate_share seats changes (3: a third); 0: no rotation.
    rotate_share: Mapped[int] = mapped_column(Integer, default=0)
    next_rotation_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)

    seats: Mapped[list[TableSeat]] = relationship(
        order_by="TableSeat.id", cascade="all, delete-orphan", passive_deletes=True
    )


class TableSeat(Base):
    """An organisation's seat at a table from since until until (None: it holds it now)."""

    __tablename__ = "table_seat"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_id: Mapped[int] = mapped_column(
        ForeignKey("rep_table.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    since: Mapped[dt.date] = mapped_column(Date)
    until: Mapped[dt.date | None] = mapped_column(Date)

    organisation: Mapped[Organisation] = relationship()


class TableRotation(Base):
    """One rotation of a table: proposed to the coordinators when due (who leaves, who comes
    in), then accepted as proposed, changed, or left."""

    __tablename__ = "table_rotation"
    __table_args__ = (UniqueConstraint("table_id", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("rep_table.id", ondelete="CASCADE"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    leaving: Mapped[list[int]] = mapped_column(JSON, default=list)  # organisation ids
    joining: Mapped[list[int]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(16), default="proposed")  # proposed, done
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column()
