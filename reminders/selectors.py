"""Reads of the reminders app: the managers' team summaries of the weekly review reminder,
with a fixed number of queries for any number of managers."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from goals.models import Cycle, Goal, PersonCycleRollup, TargetAdjustment
from goals.services import rollups
from org.models import Person, Unit
from tracking.models import CheckIn


@dataclass
class TeamSummary:
    week: dt.date
    total: int = 0
    submitted: int = 0
    at_risk: int = 0
    off_track: int = 0
    pending_goals: int = 0
    pending_adjustments: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def pending_approvals(self) -> int:
        return self.pending_goals + self.pending_adjustments


class OrgIndex:
    """The org chart in memory (two queries): who manages whom, computed exactly like
    `org.scopes.managed_people` (direct reports transitively, everyone in the units a
    person heads and their subtrees, and so on), for many managers at once. The permission
    helper builds one OR of path prefixes per manager, which is right for one request but does
    not scale to a batch of hundreds of managers in a 10,000-person organisation."""

    def __init__(self):
        units = list(Unit.objects.values_list("pk", "parent_id", "head_id"))
        self.children: dict[int, list[int]] = defaultdict(list)
        self.headed: dict[int, list[int]] = defaultdict(list)
        for pk, parent_id, head_id in units:
            if parent_id:
                self.children[parent_id].append(pk)
            if head_id:
                self.headed[head_id].append(pk)
        self.members: dict[int, list[int]] = defaultdict(list)
        self.reports: dict[int, list[int]] = defaultdict(list)
        self.names: dict[int, str] = {}
        self.active: set[int] = set()
        people = Person.objects.values_list(
            "pk", "unit_id", "manager_id", "display_name", "is_active"
        )
        for pk, unit_id, manager_id, name, is_active in people:
            self.members[unit_id].append(pk)
            if manager_id:
                self.reports[manager_id].append(pk)
            self.names[pk] = name
            if is_active:
                self.active.add(pk)

    def _below(self, person_id: int) -> set[int]:
        found: set[int] = set(self.reports.get(person_id, ()))
        stack = list(self.headed.get(person_id, ()))
        while stack:
            unit_id = stack.pop()
            found.update(self.members.get(unit_id, ()))
            stack.extend(self.children.get(unit_id, ()))
        return found

    def team(self, manager_id: int) -> set[int]:
        """Active people the manager manages (never the manager)."""
        found: set[int] = set()
        frontier = self._below(manager_id)
        while frontier:
            frontier -= found | {manager_id}
            found |= frontier
            nxt: set[int] = set()
            for pk in frontier:
                nxt |= self._below(pk)
            frontier = nxt
        return found & self.active


def team_summaries(
    *, managers: list[Person], week: dt.date, on: dt.date | None = None
) -> dict[int, TeamSummary]:
    """For each manager, their team (everyone they manage) for a check-in week: submitted X
    of Y, key results at risk and off track on `on` (today by default: the rollups' day, so
    that a reminder reads them as they stand; another day brings the rows and the stored
    pace to it), goal proposals and target adjustments waiting for a decision. A fixed number
    of queries for any number of managers (once the rollups are of the day)."""
    index = OrgIndex()
    teams = {manager.pk: index.team(manager.pk) for manager in managers}
    everyone = set().union(*teams.values()) if teams else set()
    result = {pk: TeamSummary(week=week, total=len(team)) for pk, team in teams.items()}
    if not everyone:
        return result
    # Small teams filter by id; a large batch reads the week's rows (no parameter list of
    # thousands of ids) and intersects in Python.
    owners = {"goal__owner_person_id__in": everyone} if len(everyone) <= 900 else {}
    submitted = set(
        CheckIn.objects.filter(
            week=week,
            state=CheckIn.State.SUBMITTED,
            **({"person_id__in": everyone} if owners else {}),
        ).values_list("person_id", flat=True)
    )
    # Key results at risk and off track: the person × cycle rollups of the active cycles
    # (their agreed goals' key results by stored pace), brought to the day first.
    rollup_rows = PersonCycleRollup.objects.filter(cycle__state=Cycle.State.ACTIVE)
    if owners:
        rollup_rows = rollup_rows.filter(person_id__in=everyone)
    rollups.refresh(rollup_rows, on)
    behind: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for person_id, at_risk, off_track in rollup_rows.values_list(
        "person_id", "agreed_at_risk", "agreed_off_track"
    ).iterator(chunk_size=5000):
        if person_id in everyone:
            counts = behind[person_id]
            counts[0] += at_risk
            counts[1] += off_track
    proposed = Counter(
        Goal.objects.filter(
            state=Goal.State.PROPOSED,
            owner_person__isnull=False,
            **({"owner_person_id__in": everyone} if owners else {}),
        ).values_list("owner_person_id", flat=True)
    )
    adjustments = Counter(
        TargetAdjustment.objects.filter(
            state=TargetAdjustment.State.PENDING,
            key_result__goal__owner_person__isnull=False,
            **({"key_result__goal__owner_person_id__in": everyone} if owners else {}),
        ).values_list("key_result__goal__owner_person_id", flat=True)
    )
    for manager_id, team in teams.items():
        summary = result[manager_id]
        summary.submitted = len(team & submitted)
        summary.missing = sorted(index.names[pk] for pk in team - submitted)
        for pk in team:
            at_risk, off_track = behind.get(pk, (0, 0))
            summary.at_risk += at_risk
            summary.off_track += off_track
            summary.pending_goals += proposed.get(pk, 0)
            summary.pending_adjustments += adjustments.get(pk, 0)
    return result


def team_summary(*, manager: Person, week: dt.date, on: dt.date) -> TeamSummary:
    return team_summaries(managers=[manager], week=week, on=on)[manager.pk]
