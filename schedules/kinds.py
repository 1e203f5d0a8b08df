"""Every kind of message the outgoing queue can hold. A row's kind picks its renderer; the
registry (schedules.registry) has exactly one renderer for each member, checked at import."""

from __future__ import annotations

from enum import StrEnum


class Queued(StrEnum):
    """Kinds of queued messages, grouped by the journey that queues them. The values are stored
    in the database: renaming one needs a migration of the rows still pending."""

    # rounds (schedules.rounds)
    ROUND_ANNOUNCEMENT = "round_announcement"
    ROUND_CLOSE = "round_close"
    ROUND_RESULTS = "round_results"
    ROUND_CHART = "round_chart"
    ROUND_DETAILS = "round_details"
    ROUND_REMIND = "round_remind"
    ROUND_REMINDER = "round_reminder"
    ROUND_PROGRESS = "round_progress"
    # working groups, actions and the weekly digest (schedules.actions)
    WORKGROUP_CARD = "workgroup_card"
    TREKKER_APPOINTED = "trekker_appointed"
    ACTION_STAGE = "action_stage"
    ACTION_REMINDER = "action_reminder"
    ACTION_ESCALATION = "action_escalation"
    DIGEST = "digest"
    DIGEST_PART = "digest_part"
    DIGEST_PRIVATE = "digest_private"
    # agreements and their reviews (schedules.agreements, schedules.reviews)
    AGREEMENT_RECORDED = "agreement_recorded"
    REVIEW_DUE = "review_due"
    REVIEW_PROMPT = "review_prompt"
    REVIEW_CHASE = "review_chase"
    REVIEW_CLOSE = "review_close"
    REVIEW_OUTCOME = "review_outcome"
    REVIEW_ESCALATION = "review_escalation"
    REVIEW_PARTY_ANSWERED = "review_party_answered"
    # the network (schedules.network)
    COORDINATOR_APPOINTED = "coordinator_appointed"
    MEMBER_LEFT = "member_left"
    # organisation profiles (schedules.profiles)
    PROFILE_CHECK = "profile_check"
    PROFILE_CHECK_PROMPT = "profile_check_prompt"
    # representative tables (schedules.tables)
    TABLE_COMPOSITION = "table_composition"
    ROTATION_DUE = "rotation_due"
    ROTATION_PROMPT = "rotation_prompt"


# Reminders, prompts and digests reach people in their network's office hours only: one that
# falls due outside them, also during downtime, waits (unrendered) for the next opening. What
# answers a person's act or follows a chosen deadline (a round's results) goes when it is due.
IN_OFFICE_HOURS = frozenset(
    {
        Queued.ROUND_REMINDER,
        Queued.ROUND_PROGRESS,
        Queued.ACTION_REMINDER,
        Queued.ACTION_ESCALATION,
        Queued.DIGEST,
        Queued.DIGEST_PART,
        Queued.DIGEST_PRIVATE,
        Queued.REVIEW_DUE,
        Queued.REVIEW_PROMPT,
        Queued.REVIEW_PARTY_ANSWERED,
        Queued.PROFILE_CHECK,
        Queued.PROFILE_CHECK_PROMPT,
        Queued.ROTATION_DUE,
        Queued.ROTATION_PROMPT,
    }
)


# What a person's own act can make untrue while it is on its way (Week later, an answer): the
# dispatcher looks again as it marks the row sent, and takes the message back or corrects it.
# Their renderers only read.
RECHECK_AFTER_SEND = frozenset(
    {
        Queued.ACTION_REMINDER,
        Queued.ACTION_ESCALATION,
        Queued.ROUND_REMINDER,
        Queued.REVIEW_PROMPT,
        Queued.PROFILE_CHECK_PROMPT,
    }
)
