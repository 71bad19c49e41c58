"""Statutory time limits as data (domain notes §4) and how a due date is computed.

The limits themselves live in db/reference/deadlines.csv (table deadline_rule) so an
administrator can follow a change in the law without a new program. A rule says how many days,
whether they are working days (``working``) or calendar days (``calendar``), and its legal basis.

``applies_to`` says to which petitions a rule applies *counted from the day the petition was
received*: comma-separated entries ``kind`` or ``kind/handling|handling…`` (kinds and handling
directions are the interchange codes of domain.enums). ``denunciation/transfer`` applies to a
denunciation being transferred or whose handling is not decided yet. Rules counted from another
event (thụ lý, a decision) leave it empty: they are shown for reference, never computed from the
receipt date.

Counting (Bộ luật Dân sự 2015 Điều 147–148): the day of the event is not counted; a period in
working days ends on the n-th working day after it; a period in calendar days that ends on a
weekend or a holiday ends on the next working day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reception_desk.domain.enums import DayType, HandlingDirection, PetitionKind
from reception_desk.domain.workdays import WorkCalendar

# Which rule is shown first when several apply to one petition: the one the desk acts on first.
PRIMARY_ORDER: tuple[str, ...] = (
    "complaint_acceptance",
    "denunciation_check",
    "denunciation_transfer",
    "petition_processing",
)


@dataclass(frozen=True)
class AppliesTo:
    kind: PetitionKind
    handlings: frozenset[HandlingDirection] | None  # None: whatever the handling

    def matches(self, kind: str, handling: str | None) -> bool:
        if self.kind != kind:
            return False
        return self.handlings is None or handling is None or handling in self.handlings


def parse_applies_to(text: str | None) -> tuple[AppliesTo, ...]:
    """Parse an ``applies_to`` value; ValueError (Vietnamese) on an unknown kind or handling."""
    entries: list[AppliesTo] = []
    for raw in (text or "").split(","):
        entry = raw.strip()
        if not entry:
            continue
        kind_text, _, handling_text = entry.partition("/")
        kind = PetitionKind.parse(kind_text.strip())
        handlings = None
        if handling_text.strip():
            handlings = frozenset(HandlingDirection.parse(h.strip()) for h in handling_text.split("|"))
        entries.append(AppliesTo(PetitionKind(kind), handlings))
    return tuple(entries)


@dataclass(frozen=True)
class DeadlineRule:
    code: str
    label: str
    applies_to: str | None
    days: int
    day_type: DayType
    basis: str

    def __post_init__(self) -> None:
        if self.days < 0:
            raise ValueError(f"thời hạn “{self.code}” không được âm")
        object.__setattr__(self, "day_type", DayType.parse(str(self.day_type)))
        parse_applies_to(self.applies_to)  # fail early on a typo in the data

    def applies(self, kind: str, handling: str | None) -> bool:
        """Whether the rule runs from the receipt date of a petition of this kind and handling."""
        return any(entry.matches(kind, handling) for entry in parse_applies_to(self.applies_to))

    def describe(self, since: str = "ngày nhận đơn") -> str:
        """``Xử lý đơn: 10 ngày làm việc kể từ ngày nhận đơn (basis)``."""
        return f"{self.label}: {self.days} {self.day_type.label} kể từ {since} ({self.basis})"


@dataclass(frozen=True)
class Deadline:
    """A rule applied to one start date."""

    rule: DeadlineRule
    start: date
    due: date

    def describe(self) -> str:
        return self.rule.describe()


def compute(rule: DeadlineRule, start: date, calendar: WorkCalendar) -> date:
    """The last day of the period ``rule`` that starts with the event of day ``start``."""
    if rule.day_type is DayType.WORKING:
        return calendar.add_working_days(start, rule.days)
    end = calendar.add_calendar_days(start, rule.days)
    return calendar.next_working_day(end)  # BLDS 2015 Điều 148 khoản 5


def applicable(rules: list[DeadlineRule] | tuple[DeadlineRule, ...], kind: str,
               handling: str | None) -> list[DeadlineRule]:
    """The rules counted from receipt for a petition, primary rule first."""
    chosen = [r for r in rules if r.applies(kind, handling)]

    def rank(rule: DeadlineRule) -> tuple[int, str]:
        try:
            return PRIMARY_ORDER.index(rule.code), rule.code
        except ValueError:
            return len(PRIMARY_ORDER), rule.code

    return sorted(chosen, key=rank)
