"""SMART coach: which of Specific, Measurable, Achievable, Relevant, Time-bound a goal meets.

The coach is advice, never a gate: nothing here blocks saving or agreeing a plan. Each
letter is met or not met, with at most a few short, kind hints saying what would help.

How the letters map onto the FHIR Goal-shaped record:

* **Specific** - the goal is written down (client's words or worker framing), and when it
  uses a vague verb ("improve", "work on"...) there is a measure that pins it down.
* **Measurable** - at least one target has a measure and a target value. FHIR rule: a
  target value (detail) given without a measure is flagged.
* **Achievable** - the client has agreed it (lifecycle accepted or later), there is at
  least one action, and every action says who does it (an agency or family member by name).
* **Relevant** - the goal is linked to a need or an assessment domain.
* **Time-bound** - a target has a due date; no target date has passed, and none falls after
  the plan ends.

Finished goals (completed, cancelled, rejected, entered in error) are history: the coach
does not complain that their due date has passed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from casedesk.domain.enums import GoalLifecycle, Performer
from casedesk.domain.exits import FINISHED_GOALS


class SmartLetter(StrEnum):
    """The five SMART letters, in order."""

    SPECIFIC = "S"
    MEASURABLE = "M"
    ACHIEVABLE = "A"
    RELEVANT = "R"
    TIME_BOUND = "T"


class SmartRule(StrEnum):
    """Identifies each hint, so the UI and tests don't depend on the wording."""

    NO_DESCRIPTION = "no_description"
    VAGUE_VERB = "vague_verb"
    NO_MEASURABLE_TARGET = "no_measurable_target"
    DETAIL_WITHOUT_MEASURE = "detail_without_measure"
    MEASURE_WITHOUT_TARGET_VALUE = "measure_without_target_value"
    NOT_AGREED = "not_agreed"
    NO_ACTION = "no_action"
    NO_ONE_RESPONSIBLE = "no_one_responsible"
    NOT_LINKED = "not_linked"
    NO_DUE_DATE = "no_due_date"
    DUE_IN_PAST = "due_in_past"
    DUE_AFTER_PLAN = "due_after_plan"


#: Verbs and phrases that say a direction but not a destination. Fine with a measure.
VAGUE_PHRASES: tuple[str, ...] = (
    "improve",
    "work on",
    "be better",
    "get better",
    "feel better",
    "do better",
    "cope better",
    "try",
    "address",
    "look into",
    "explore",
    "deal with",
    "focus on",
    "sort out",
    "engage with",
    "support",
    "help with",
    "manage",
    "increase",
    "reduce",
    "maintain",
)


def _inflected(verb: str) -> str:
    """A regex for a verb and its usual endings ("improve", "improves", "improving"...)."""
    if verb.endswith("e"):
        return re.escape(verb[:-1]) + "(?:e|es|ed|ing)"
    if verb.endswith("y"):
        return re.escape(verb[:-1]) + "(?:y|ies|ied|ying)"
    return re.escape(verb) + "(?:s|es|ed|ing)?"


def _phrase_pattern(phrase: str) -> str:
    # The verb comes first in every phrase ("working on", "dealing with"), so inflect that.
    verb, *rest = phrase.split()
    return r"\s+".join([_inflected(verb), *(re.escape(word) for word in rest)])


_VAGUE_PATTERN = re.compile(
    r"\b(?:" + "|".join(_phrase_pattern(p) for p in VAGUE_PHRASES) + r")\b",
    re.IGNORECASE,
)

_AGREED_LIFECYCLES = frozenset(
    {GoalLifecycle.ACCEPTED, GoalLifecycle.ACTIVE, GoalLifecycle.ON_HOLD, GoalLifecycle.COMPLETED}
)
_FINISHED_LIFECYCLES = FINISHED_GOALS


@dataclass(frozen=True, slots=True)
class TargetFacts:
    """One goal target (FHIR Goal.target): what is measured, from where, to where, by when."""

    measure: str | None = None
    baseline: str | None = None
    target: str | None = None  # FHIR target.detail: the value or text that counts as success
    due: date | None = None


@dataclass(frozen=True, slots=True)
class ActionFacts:
    """One action toward the goal: what, who does it, and by when.

    ``performer`` is None when nobody is named yet. For an agency or a family member/carer,
    ``performer_name`` says which one (the directory entry's name, or a person's name).
    """

    description: str
    performer: Performer | None = None
    due: date | None = None
    performer_name: str = ""


@dataclass(frozen=True, slots=True)
class GoalFacts:
    """Everything the coach looks at for one goal; services fill it from the record."""

    today: date
    client_words: str = ""
    worker_framing: str = ""
    targets: tuple[TargetFacts, ...] = ()
    need_id: str | None = None
    domain_key: str | None = None
    actions: tuple[ActionFacts, ...] = ()
    plan_start: date | None = None
    plan_end: date | None = None
    lifecycle: GoalLifecycle = GoalLifecycle.PROPOSED


@dataclass(frozen=True, slots=True)
class Hint:
    """A short suggestion shown under a letter that is not met yet."""

    rule: SmartRule
    text: str


@dataclass(frozen=True, slots=True)
class LetterResult:
    """Whether one SMART letter is met, with hints when it isn't."""

    letter: SmartLetter
    met: bool
    hints: tuple[Hint, ...] = ()


@dataclass(frozen=True, slots=True)
class SmartReport:
    """The coach's reading of one goal: one result per letter, in S-M-A-R-T order."""

    results: tuple[LetterResult, ...]

    def result(self, letter: SmartLetter) -> LetterResult:
        """The result for one letter."""
        for result in self.results:
            if result.letter == letter:
                return result
        raise KeyError(letter)  # unreachable: every report has all five letters

    @property
    def met_count(self) -> int:
        """How many letters are met (0-5), for a compact badge."""
        return sum(1 for r in self.results if r.met)

    @property
    def all_met(self) -> bool:
        """True when all five letters are met."""
        return self.met_count == len(self.results)

    @property
    def hints(self) -> tuple[Hint, ...]:
        """Every hint, in letter order."""
        return tuple(h for r in self.results for h in r.hints)

    def rules(self) -> frozenset[SmartRule]:
        """The rules that produced a hint (handy for tests and filtering)."""
        return frozenset(h.rule for h in self.hints)


def coach_goal(goal: GoalFacts) -> SmartReport:
    """Read a goal against SMART and return per-letter results with plain hints."""
    return SmartReport(
        results=(
            _letter(SmartLetter.SPECIFIC, _specific_hints(goal)),
            _letter(SmartLetter.MEASURABLE, _measurable_hints(goal)),
            _letter(SmartLetter.ACHIEVABLE, _achievable_hints(goal)),
            _letter(SmartLetter.RELEVANT, _relevant_hints(goal)),
            _letter(SmartLetter.TIME_BOUND, _time_bound_hints(goal)),
        )
    )


def vague_phrases_in(text: str) -> tuple[str, ...]:
    """The vague verbs or phrases found in ``text`` (lower-case, in order of appearance)."""
    return tuple(" ".join(m.group(0).lower().split()) for m in _VAGUE_PATTERN.finditer(text))


def _letter(letter: SmartLetter, hints: Iterable[Hint]) -> LetterResult:
    found = tuple(hints)
    return LetterResult(letter=letter, met=not found, hints=found)


def _has_text(value: str | None) -> bool:
    return bool(value and value.strip())


def _has_measure(goal: GoalFacts) -> bool:
    return any(_has_text(t.measure) for t in goal.targets)


# ----------------------------------------------------------------------------- S


def _specific_hints(goal: GoalFacts) -> Iterable[Hint]:
    text = f"{goal.client_words}\n{goal.worker_framing}"
    if not text.strip():
        yield Hint(
            SmartRule.NO_DESCRIPTION,
            "Write the goal down, ideally in the client's own words.",
        )
        return
    vague = vague_phrases_in(text)
    if vague and not _has_measure(goal):
        yield Hint(
            SmartRule.VAGUE_VERB,
            f"\u201c{vague[0]}\u201d shows the direction. Adding what will be different when it"
            " is done makes it clear to everyone.",
        )


# ----------------------------------------------------------------------------- M


def _measurable_hints(goal: GoalFacts) -> Iterable[Hint]:
    if any(_has_text(t.target) and not _has_text(t.measure) for t in goal.targets):
        yield Hint(
            SmartRule.DETAIL_WITHOUT_MEASURE,
            "A target value needs a measure to go with it (for example \u201cnights slept at"
            " home each week\u201d).",
        )
    if not _has_measure(goal):
        yield Hint(
            SmartRule.NO_MEASURABLE_TARGET,
            "A measure would help you both see progress, such as a count, a yes/no or a 1-10"
            " rating.",
        )
    elif not any(_has_text(t.measure) and _has_text(t.target) for t in goal.targets):
        yield Hint(
            SmartRule.MEASURE_WITHOUT_TARGET_VALUE,
            "Saying where you'd like the measure to get to shows when the goal is reached.",
        )


# ----------------------------------------------------------------------------- A


def _achievable_hints(goal: GoalFacts) -> Iterable[Hint]:
    if goal.lifecycle not in _AGREED_LIFECYCLES and goal.lifecycle not in _FINISHED_LIFECYCLES:
        yield Hint(
            SmartRule.NOT_AGREED,
            "When the client agrees this is within reach, mark the goal as accepted.",
        )
    if not goal.actions:
        yield Hint(
            SmartRule.NO_ACTION,
            "A first small step (an action) makes the goal easier to start.",
        )
    elif any(not _has_someone(action) for action in goal.actions):
        yield Hint(
            SmartRule.NO_ONE_RESPONSIBLE,
            "Say who will do each action: the client, you, family or an agency.",
        )


_NEEDS_A_NAME = frozenset({Performer.AGENCY, Performer.FAMILY_CARER})


def _has_someone(action: ActionFacts) -> bool:
    """Someone is responsible: the client or worker, or a named agency or family member."""
    if action.performer is None:
        return False
    return action.performer not in _NEEDS_A_NAME or _has_text(action.performer_name)


# ----------------------------------------------------------------------------- R


def _relevant_hints(goal: GoalFacts) -> Iterable[Hint]:
    if not _has_text(goal.need_id) and not _has_text(goal.domain_key):
        yield Hint(
            SmartRule.NOT_LINKED,
            "Linking the goal to a need or life domain shows why it matters.",
        )


# ----------------------------------------------------------------------------- T


def _time_bound_hints(goal: GoalFacts) -> Iterable[Hint]:
    dues = [t.due for t in goal.targets if t.due is not None]
    if not dues:
        yield Hint(SmartRule.NO_DUE_DATE, "A date to aim for helps plan the steps.")
        return
    if min(dues) < goal.today and goal.lifecycle not in _FINISHED_LIFECYCLES:
        yield Hint(
            SmartRule.DUE_IN_PAST,
            "The date has passed. It may be time to celebrate, or to agree a new date.",
        )
    if goal.plan_end is not None and max(dues) > goal.plan_end:
        yield Hint(
            SmartRule.DUE_AFTER_PLAN,
            "The date is after the plan ends. Bring it inside the plan or review the plan period.",
        )
